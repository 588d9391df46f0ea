"""Voices MiniMax made whose preset could not be written into the presets file (a full disk, a
read-only folder, a lock held too long): each is kept in a recovery file, beside the presets file
or else in the user data folder, and ``voiceclone presets adopt FILE`` brings it in.
"""

from pathlib import Path
from typing import Iterable, Optional

from . import yaml_text
from .errors import PresetError
from .files import safe_stem, write_atomically

PREFIX = "voiceclone-recovered-"


def keep(
    folders: Iterable[Path],
    *,
    name: str,
    voice_id: str,
    preset: dict,
    presets_file: Path,
    replacing: Optional[str] = None,
) -> Optional[Path]:
    """Write the record to the first of ``folders`` that takes it; None when none does. ``replacing``
    is a re-clone's old voice_id, which the preset keeps in its history once adopted."""
    document = {
        "recovered_voice": {
            "name": name,
            "voice_id": voice_id,
            "presets_file": str(presets_file),
            "replacing": replacing,
            "preset": preset,
        }
    }
    text = yaml_text.dump(document).encode("utf-8")
    for folder in folders:
        path = Path(folder) / f"{PREFIX}{safe_stem(voice_id, 'voice')}.yaml"
        try:
            Path(folder).mkdir(parents=True, exist_ok=True)
            write_atomically(path, text)
            return path
        except OSError:
            continue
    return None


def read(path: Path) -> dict:
    """The recovered record in ``path``: ``name``, ``voice_id``, ``preset``."""
    try:
        document = yaml_text.load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml_text.YAMLError) as exc:
        raise PresetError(
            f"cannot read the recovery file {path}: {exc}",
            fix="Give the file that `voiceclone clone` named when it could not save the preset.",
        ) from exc
    record = (document or {}).get("recovered_voice") if isinstance(document, dict) else None
    if not isinstance(record, dict) or not isinstance(record.get("preset"), dict) or not record.get("voice_id"):
        raise PresetError(
            f"{path} is not a recovery file of the plugin",
            fix="Give the file that `voiceclone clone` named when it could not save the preset.",
        )
    return record
