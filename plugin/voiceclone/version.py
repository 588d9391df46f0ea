"""The plugin's version, read from manifest.yaml (its single source).

Only the standard library is used here, so the build backend can read the version before any
dependency is installed.
"""

import re
from pathlib import Path


def _manifest_path() -> Path:
    """The copy the build put beside this file, else (a source checkout) the repository's own."""
    packaged = Path(__file__).with_name("manifest.yaml")
    return packaged if packaged.is_file() else Path(__file__).parents[2] / "manifest.yaml"


MANIFEST_PATH = _manifest_path()


def _read_version(path: Path) -> str:
    match = re.search(r"^version:\s*([0-9][^\s#]*)", path.read_text(encoding="utf-8"), re.MULTILINE)
    if not match:
        raise RuntimeError(f"{path} has no 'version:' line")
    return match.group(1)


__version__ = _read_version(MANIFEST_PATH)
