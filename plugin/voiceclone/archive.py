"""The sample archive: the exact audio each clone uploaded, kept beside the presets file under its
sha256, so a voice MiniMax deleted can be cloned again from the very same sample."""

import shutil
from pathlib import Path

from .errors import PresetError
from .files import replacing
from .formats import EXTENSIONS

FOLDER = "samples"


def keep(path: Path, sha256: str, fmt: str, presets_folder: Path) -> str:
    """Store ``path`` (once per content) and return its name relative to the presets folder."""
    folder = Path(presets_folder) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{sha256}{EXTENSIONS[fmt]}"
    target = folder / name
    if not target.exists():
        with replacing(target) as partial:
            shutil.copyfile(path, partial)
    return f"{FOLDER}/{name}"


def locate(relative: str, presets_folder: Path) -> Path:
    """The archived file for a preset's ``archive`` entry; raises if it is gone."""
    path = Path(presets_folder) / relative
    if not path.is_file():
        raise PresetError(
            f"the archived sample {path} is missing",
            fix="Clone the voice again from its source audio with `voiceclone clone`.",
        )
    return path
