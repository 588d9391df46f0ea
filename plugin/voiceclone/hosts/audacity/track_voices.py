"""Which preset speaks on which Audacity track, remembered by the track's name (Audacity's scripting
keeps no data of its own on a track): a small JSON file in the user data folder."""

import json
from pathlib import Path
from typing import Dict, Optional

from ...files import write_atomically
from ...settings import user_data_folder


def _path() -> Path:
    return user_data_folder() / "audacity-track-voices.json"


def _all() -> Dict[str, str]:
    try:
        data = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def remembered(track: str) -> Optional[str]:
    """The preset last used on a track of this name, if any."""
    return _all().get(track)


def remember(track: str, preset: str) -> None:
    """Tie ``preset`` to tracks of this name, for the next patch; a file that cannot be written is no loss."""
    voices = {**_all(), track: preset}
    try:
        _path().parent.mkdir(parents=True, exist_ok=True)
        write_atomically(_path(), json.dumps(voices, indent=1, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass
