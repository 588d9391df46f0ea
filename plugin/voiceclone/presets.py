"""The YAML preset store: ``{schema: 1, voices: {NAME: {...}}, pending: {VOICE_ID: {...}}}``.

``pending`` holds the clone requests whose outcome is not settled yet, written before a clone is
sent (see :mod:`voiceclone.jobs`): ``name`` (the preset it becomes), ``request`` (its ledger id),
``since``, ``pid`` and ``host`` of the run, ``replacing`` (a re-clone's old voice_id),
``unconfirmed`` (None while the run may still be working; else why the outcome is unknown) and
``preset`` (the preset to save once MiniMax made the voice). A file without it is the same as one
with it empty, so files written before it existed load unchanged.

Loaded with ``yaml.safe_load`` only. Every change is a read-modify-write under a file lock with an
atomic replace (temp file, fsync, rename), so two DAWs saving at once lose nothing. A file that
cannot be read as a preset library is reported and left exactly as it is: never overwritten.
"""
import copy
import os
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Dict, Optional, Tuple, TypeVar

import yaml
from filelock import FileLock, Timeout

from .errors import PresetError
from .rules import VOICE_LIFETIME_DAYS

SCHEMA = 1
LOCK_TIMEOUT_S = 15.0
T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def timestamp(moment: datetime) -> str:
    """ISO 8601 UTC, e.g. ``2026-11-25T09:36:50Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(value) -> datetime:
    """Read a stored time; a hand-edited file may hold an unquoted YAML timestamp."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


SOON = timedelta(hours=24)


def state(preset: dict, now: Optional[datetime] = None) -> Tuple[str, Optional[timedelta]]:
    """The voice's state and, while ``temporary``, the time left before MiniMax deletes it.

    ``temporary``: cloned, not yet used for speech; ``active``: used for speech (permanent);
    ``expired``: not used within the 7 days; ``missing``: not on the server at the last sync;
    ``deleted``: deleted through the plugin.
    """
    if preset.get("deleted_at"):
        return "deleted", None
    if preset.get("missing_since"):
        return "missing", None
    if preset.get("activated_at") or not preset.get("expires_at"):
        return "active", None
    left = parse_timestamp(preset["expires_at"]) - (now or utc_now())
    return ("expired", None) if left.total_seconds() <= 0 else ("temporary", left)


def lifetime(preset: dict, now: Optional[datetime] = None) -> str:
    """The state in words, with the time left of a temporary voice."""
    name, left = state(preset, now)
    if left is None:
        return name
    return f"temporary, {left.days} d {left.seconds // 3600} h left"


def expiring_soon(voices: Dict[str, dict], now: Optional[datetime] = None) -> Dict[str, timedelta]:
    """The temporary voices MiniMax deletes within 24 hours, with their time left."""
    found = {}
    for name, preset in voices.items():
        kind, left = state(preset, now)
        if kind == "temporary" and left is not None and left <= SOON:
            found[name] = left
    return found


def expiry_after(created: datetime) -> str:
    """When MiniMax deletes a clone that has not been used for speech."""
    return timestamp(created + timedelta(days=VOICE_LIFETIME_DAYS))


class PresetStore:
    """The preset library in one YAML file. Reads need no lock; changes go through :meth:`change`."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = FileLock(str(self.path.with_name(self.path.name + ".lock")), timeout=LOCK_TIMEOUT_S)

    @property
    def folder(self) -> Path:
        return self.path.parent

    def voices(self) -> Dict[str, dict]:
        """All presets by name (empty when the file does not exist yet)."""
        return self._read()["voices"]

    def get(self, name: str) -> dict:
        voices = self.voices()
        if name not in voices:
            known = ", ".join(sorted(voices)) or "none yet"
            raise PresetError(f"no preset named '{name}' in {self.path}",
                              fix=f"Use one of the saved presets ({known}), see `voiceclone presets list`.")
        return voices[name]

    def pending(self) -> Dict[str, dict]:
        """The unsettled clone requests by voice_id."""
        return self._read()["pending"]

    def change(self, edit: Callable[[Dict[str, dict]], T], *, timeout: float = LOCK_TIMEOUT_S) -> T:
        """Apply ``edit`` to the presets under the lock and save atomically; return its result.

        ``edit`` receives the current ``voices`` mapping (re-read under the lock) and mutates it.
        If it raises, or changes nothing, nothing is written.
        """
        return self.change_library(lambda data: edit(data["voices"]), timeout=timeout)

    def change_library(self, edit: Callable[[dict], T], *, timeout: float = LOCK_TIMEOUT_S) -> T:
        """:meth:`change` for the whole library: ``edit`` receives ``{"voices": ..., "pending": ...}``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            with self._lock.acquire(timeout=timeout):
                data = self._read()
                before = copy.deepcopy(data)
                result = edit(data)
                if data != before:
                    self._write(data)
        except Timeout:
            raise PresetError(f"the presets file {self.path} is locked by another run",
                              fix="Wait for the other clone to finish, then run it again.") from None
        return result

    def _read(self) -> dict:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"schema": SCHEMA, "voices": {}, "pending": {}}
        except (OSError, UnicodeDecodeError) as exc:
            raise self._corrupt(f"cannot be read ({exc})") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            raise self._corrupt(f"is not valid YAML{where}") from None
        if data is None:
            return {"schema": SCHEMA, "voices": {}, "pending": {}}
        if not isinstance(data, dict) or not isinstance(data.get("voices", {}), (dict, type(None))):
            raise self._corrupt("is not a preset library (expected 'schema' and 'voices')")
        schema = data.get("schema", SCHEMA)
        if schema != SCHEMA:
            raise self._corrupt(f"has schema {schema!r}; this version of the plugin reads schema {SCHEMA}")
        voices = data.get("voices") or {}
        bad = [str(name) for name, preset in voices.items() if not isinstance(preset, dict) or "voice_id" not in preset]
        if bad:
            raise self._corrupt(f"has presets without a voice_id: {', '.join(bad[:3])}")
        pending = data.get("pending") or {}
        if not isinstance(pending, dict) or not all(isinstance(p, dict) and "name" in p for p in pending.values()):
            raise self._corrupt("has a 'pending' section that is not a mapping of clone requests")
        data["schema"], data["voices"] = SCHEMA, {str(name): preset for name, preset in voices.items()}
        data["pending"] = {str(voice_id): entry for voice_id, entry in pending.items()}
        return data

    def _write(self, data: dict) -> None:
        if not data.get("pending"):
            data = {key: value for key, value in data.items() if key != "pending"}
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
        handle, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.{os.getpid()}.", suffix=".tmp", dir=str(self.folder))
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            if self.path.exists():
                os.chmod(tmp, self.path.stat().st_mode & 0o777)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _corrupt(self, why: str) -> PresetError:
        return PresetError(f"the presets file {self.path} {why}; it was left untouched",
                           fix="Repair the file by hand, or point --presets / VOICECLONE_PRESETS to another file.")
