"""The YAML preset store: ``{schema: 1, voices: {NAME: {...}}, pending: {VOICE_ID: {...}}}``.

``pending`` holds the clone requests whose outcome is not settled yet, written before a clone is
sent (see :mod:`voiceclone.jobs`): ``name`` (the preset it becomes), ``request`` (its ledger id),
``since``, ``pid`` and ``host`` of the run, ``replacing`` (a re-clone's old voice_id),
``unconfirmed`` (None while the run may still be working; else why the outcome is unknown) and
``preset`` (the preset to save once MiniMax made the voice). A file without it is the same as one
with it empty, so files written before it existed load unchanged.

Loaded with safe types only (:mod:`.yaml_text`). Every change is a read-modify-write under a file lock with an
atomic replace (temp file, fsync, rename), so two DAWs saving at once lose nothing. A file that
cannot be read as a preset library is reported and left exactly as it is: never overwritten.
"""

import copy
import os
import threading
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar

from . import locks, yaml_text
from .errors import PresetError
from .leftovers import partial_name
from .rules import VOICE_LIFETIME_DAYS

SCHEMA = 1
LOCK_TIMEOUT_S = 15.0
T = TypeVar("T")


# -- the records ----------------------------------------------------------------------------------
#
# A preset, as stored under ``voices: NAME:`` (presets/example.yaml shows one). Each fact is stored
# once: the sample's sha256 and source under ``sample``, the watermark flag at the top; the
# provenance holds what only it knows (who, when, with which tool, whose consent) and
# :meth:`Preset.provenance_view` adds the rest for ``presets show --provenance``. Files written
# before this shape (``provenance`` repeating ``sample_sha256``, ``source`` and ``watermark``)
# load into the same records. Top-level keys the plugin does not know are kept as they are.


@dataclass
class Sample:
    """The uploaded audio: its hash, facts, MiniMax file_id, where it came from, its archived copy."""

    sha256: Optional[str] = None
    duration_s: Optional[float] = None
    sample_rate: Optional[int] = None
    num_channels: Optional[int] = None
    format: Optional[str] = None
    file_id: Optional[int] = None
    source: Optional[str] = None
    archive: Optional[str] = None  # relative to the presets folder: samples/<sha256>.<ext>
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Consent:
    """The speaker's consent: who agreed, when, how (``text``), and/or an archived recording."""

    text: Optional[str] = None
    audio: Optional[str] = None  # the archived recording, relative to the presets folder
    audio_sha256: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Provenance:
    """Who cloned the voice, when, with which tool, and with whose consent."""

    operator: Optional[str] = None
    cloned_at: Optional[str] = None
    tool: Optional[str] = None
    consent: Optional[Consent] = None
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Prompt:
    """``--prompt-audio``: its transcript, hash, file_id and archived copy."""

    text: Optional[str] = None
    sha256: Optional[str] = None
    file_id: Optional[int] = None
    archive: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Preview:
    """The clone's preview: its text and where its audio was saved."""

    text: Optional[str] = None
    path: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Speech:
    """How the voice speaks, set once (``voiceclone presets set``) and sent with every speech; only
    what is set is sent. ``speed`` 0.5-2 (1 natural), ``vol`` (0, 10] (1 as is), ``pitch`` -12..12
    semitones, ``emotion`` one of MiniMax's (None: the model picks), ``pronunciation`` entries
    ``word/replacement`` such as ``Nguyen/(wɪn)``."""

    speed: Optional[float] = None
    vol: Optional[float] = None
    pitch: Optional[int] = None
    emotion: Optional[str] = None
    pronunciation: List[str] = field(default_factory=list)
    #: The voice's speaking rate at speed 1, measured by the last patch (its first guess next time).
    chars_per_s: Optional[float] = None
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Earlier:
    """A voice the preset held before a re-clone."""

    voice_id: Optional[str] = None
    created_at: Optional[str] = None
    replaced_at: Optional[str] = None
    sample_sha256: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Preset:
    """One preset. Times are ISO 8601 UTC strings; ``expires_at`` is None once the voice is
    permanent; ``activated_at``/``last_used_at`` the first and latest speech; ``missing_since`` set
    by ``voices sync``; ``deleted_at`` when the voice was deleted on MiniMax."""

    voice_id: str
    base_url: Optional[str] = None
    created_at: Optional[str] = None
    expires_at: Optional[str] = None
    model: Optional[str] = None
    language_boost: Optional[str] = None
    noise_reduction: bool = False
    volume_normalization: bool = False
    watermark: bool = False
    sample: Sample = field(default_factory=Sample)
    preview: Preview = field(default_factory=Preview)
    speech: Optional[Speech] = None
    provenance: Optional[Provenance] = None
    prompt: Optional[Prompt] = None
    history: List[Earlier] = field(default_factory=list)
    activated_at: Optional[str] = None
    last_used_at: Optional[str] = None
    missing_since: Optional[str] = None
    deleted_at: Optional[str] = None
    #: Keys this version does not know, kept as they were.
    extra: Dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Dict[str, Any]) -> "Preset":
        """Read a stored preset, of this shape or of the older one that repeated facts."""
        data = dict(data)
        known = {f.name for f in fields(cls)} - {"extra"}
        sample = _record(Sample, data.pop("sample", None)) or Sample()
        provenance_data = data.pop("provenance", None)
        provenance = None
        if isinstance(provenance_data, dict):
            provenance_data = dict(provenance_data)
            # the older shape repeated these; a copy that agrees goes, one that differs stays as it was
            for mine, theirs in (("sha256", "sample_sha256"), ("source", "source")):
                if theirs in provenance_data and getattr(sample, mine) in (None, provenance_data[theirs]):
                    setattr(sample, mine, provenance_data.pop(theirs))
            if (
                "watermark" in provenance_data
                and data.get("watermark", provenance_data["watermark"]) == provenance_data["watermark"]
            ):
                data["watermark"] = provenance_data.pop("watermark")
            consent = _record(Consent, provenance_data.pop("consent", None))
            provenance = _record(Provenance, provenance_data)
            provenance.consent = consent
        values = {k: data.pop(k) for k in list(data) if k in known}
        preview, prompt, history = values.pop("preview", None), values.pop("prompt", None), values.pop("history", None)
        speech = _record(Speech, values.pop("speech", None))
        return cls(
            **values,
            sample=sample,
            provenance=provenance,
            preview=_record(Preview, preview) or Preview(),
            prompt=_record(Prompt, prompt),
            speech=speech,
            history=[_record(Earlier, e) for e in history or [] if isinstance(e, dict)],
            extra=data,
        )

    def to_mapping(self) -> Dict[str, Any]:
        """The stored form: every fact once, in the documented order, unknown keys after."""
        out: Dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "extra":
                continue
            if f.name in ("provenance", "prompt", "history", "speech") and not value:
                continue
            if f.name in ("activated_at", "last_used_at", "missing_since", "deleted_at") and value is None:
                continue
            out[f.name] = _plain(value)
            if f.name == "speech":  # only what was set: MiniMax's defaults apply to the rest
                out[f.name] = {key: setting for key, setting in out[f.name].items() if setting not in (None, [])}
        out.update(self.extra)
        return out

    def provenance_view(self) -> Dict[str, Any]:
        """Everything about where the voice came from, in one mapping (``presets show --provenance``)."""
        record = _plain(self.provenance) if self.provenance else {"note": "cloned before provenance was recorded"}
        return {
            **record,
            "sample_sha256": self.sample.sha256,
            "source": self.sample.source,
            "watermark": self.watermark,
        }


def normalized(data: Dict[str, Any]) -> Dict[str, Any]:
    """A stored preset in the current shape (older files load through this)."""
    return Preset.from_mapping(data).to_mapping()


def _record(cls, data):
    """A nested record; keys it does not know go to its ``extra``, kept as they were."""
    if not isinstance(data, dict):
        return None
    names = {f.name for f in fields(cls)} - {"extra"}
    return cls(**{k: v for k, v in data.items() if k in names}, extra={k: v for k, v in data.items() if k not in names})


def _plain(value):
    if is_dataclass(value):
        out = {f.name: _plain(getattr(value, f.name)) for f in fields(value) if f.name != "extra"}
        out.update(getattr(value, "extra", {}))
        return out
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def utc_now() -> datetime:
    """Now, in UTC (every timestamp the presets keep is UTC)."""
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


def listed(preset: dict, now: Optional[datetime] = None) -> dict:
    """A saved preset as every listing shows it: the preset, its ``state``, the ``seconds_left`` of a
    temporary voice, and its ``lifetime`` in words."""
    kind, left = state(preset, now)
    return {
        **preset,
        "state": kind,
        "seconds_left": None if left is None else int(left.total_seconds()),
        "lifetime": lifetime(preset, now),
    }


def listed_waiting(entry: dict) -> dict:
    """A voice still waiting for MiniMax's answer (``pending``) or whose answer was lost
    (``unconfirmed``), in the shape of :func:`listed`."""
    kind = "unconfirmed" if entry.get("unconfirmed") else "pending"
    return {
        **entry["preset"],
        "state": kind,
        "reason": entry.get("unconfirmed"),
        "seconds_left": None,
        "lifetime": "unconfirmed" if kind == "unconfirmed" else "pending (the clone is running)",
    }


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


#: The presets each file's text was last read or written as, in this process (a command reads its
#: file several times, under the lock each time, and parsing 30 presets took 6 ms a read): keyed by
#: the file's path, reused only for the very same text, and handed out as copies.
_PARSED: Dict[str, Tuple[str, dict]] = {}


def _copied(value):
    """A copy of plain data (mappings, lists and values that do not change), as presets are."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


class PresetStore:
    """The preset library in one YAML file. Reads need no lock; changes go through :meth:`change`."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._holding = threading.local()  # a change inside a change, on this thread, holds the lock already

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
            raise PresetError(
                f"no preset named '{name}' in {self.path}",
                fix=f"Use one of the saved presets ({known}), see `voiceclone presets list`.",
            )
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
        if getattr(self._holding, "lock", None) is not None:
            return self._edit(edit)
        held = locks.take(self._lock_path, timeout)
        if held is None:
            raise PresetError(
                f"the presets file {self.path} is locked by another run",
                fix="Wait for the other clone to finish, then run it again.",
            )
        self._holding.lock = held
        try:
            return self._edit(edit)
        finally:
            self._holding.lock = None
            locks.give_back(held)

    def _edit(self, edit: Callable[[dict], T]) -> T:
        data = self._read()
        before = copy.deepcopy(data)
        result = edit(data)
        if data != before:
            self._write(data)
        return result

    def _read(self) -> dict:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"schema": SCHEMA, "voices": {}, "pending": {}}
        except (OSError, UnicodeDecodeError) as exc:
            raise self._corrupt(f"cannot be read ({exc})") from exc
        key = str(self.path.resolve())
        known = _PARSED.get(key)
        if known is not None and known[0] == text:  # the very same bytes: the very same presets
            return _copied(known[1])
        data = self._parsed(text)
        _PARSED[key] = (text, _copied(data))
        return data

    def _parsed(self, text: str) -> dict:
        try:
            data = yaml_text.load(text)
        except yaml_text.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            raise self._corrupt(f"is not valid YAML{where}") from exc
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
        data["schema"], data["voices"] = SCHEMA, {str(name): normalized(preset) for name, preset in voices.items()}
        data["pending"] = {str(voice_id): entry for voice_id, entry in pending.items()}
        return data

    def _write(self, data: dict) -> None:
        data = {**data, "voices": {name: normalized(preset) for name, preset in data["voices"].items()}}
        if not data.get("pending"):
            data = {key: value for key, value in data.items() if key != "pending"}
        text = yaml_text.dump(data, default_flow_style=False)
        # what reading ``text`` back gives (:meth:`_parsed`: a missing 'pending' is an empty one, last)
        read_back = {**data, "schema": SCHEMA, "pending": data.get("pending") or {}}
        tmp = partial_name(self.path, "tmp")  # the next run removes it if this one is killed
        try:
            with open(tmp, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            if self.path.exists():
                os.chmod(tmp, self.path.stat().st_mode & 0o777)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _PARSED[str(self.path.resolve())] = (text, _copied(read_back))

    def _corrupt(self, why: str) -> PresetError:
        return PresetError(
            f"the presets file {self.path} {why}; it was left untouched",
            fix="Repair the file by hand, or point --presets / VOICECLONE_PRESETS to another file.",
        )
