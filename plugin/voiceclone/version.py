"""The plugin's version, read from manifest.yaml (its single source).

Only the standard library's ``os`` is used here (not even ``re`` or ``pathlib``, a few ms of every
``--version``), so the build backend can read the version before any dependency is installed.
"""

import os


def _manifest_path() -> str:
    """The copy the build put beside this file, else (a source checkout) the repository's own."""
    here = os.path.dirname(os.path.abspath(__file__))
    packaged = os.path.join(here, "manifest.yaml")
    return (
        packaged if os.path.isfile(packaged) else os.path.join(os.path.dirname(os.path.dirname(here)), "manifest.yaml")
    )


MANIFEST_PATH = _manifest_path()


def _read_version(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("version:"):
                value = line[len("version:") :].split("#", 1)[0].strip().split()
                if value and value[0][:1].isdigit():
                    return value[0]
    raise RuntimeError(f"{path} has no 'version:' line")


__version__ = _read_version(MANIFEST_PATH)
