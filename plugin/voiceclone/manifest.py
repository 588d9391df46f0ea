"""The plugin's manifest (the repository's manifest.yaml, copied into the package when it is built), read on demand."""

from pathlib import Path

from .version import MANIFEST_PATH


def load() -> dict:
    """The parsed ``manifest.yaml`` shipped in the package."""
    from . import yaml_text

    return yaml_text.load(Path(MANIFEST_PATH).read_text(encoding="utf-8"))


def actions() -> list:
    """The DAW actions: dicts with ``id``, ``title`` and ``script`` (its path from the package folder)."""
    return list(load()["actions"])
