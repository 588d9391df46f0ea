"""Settling what MiniMax may have made: the presets file's pending clone requests, and recovery files.

A pending entry is written before a clone is sent (:mod:`voiceclone.jobs`). Every command settles
the entries whose run is over: the ledger's last word on the request decides: made (the entry
becomes a temporary preset), refused (it goes), or nothing (the run was killed, or the answer was
lost: the entry stays, ``unconfirmed``, with the reason and what to do). No entry is dropped while
MiniMax may have made its voice.
"""

import copy
import os
import socket
from pathlib import Path
from typing import Dict, List, Optional

from . import ledger, leftovers, recovery
from .errors import PresetError, storage_error
from .ledger import Ledger
from .presets import PresetStore, expiry_after, parse_timestamp, timestamp, utc_now
from .settings import Settings

#: A pending request older than this is over, even where its process cannot be checked.
RUN_OVER_AFTER_S = 3600.0


def settle(settings: Settings) -> Dict[str, str]:
    """Settle the pending entries whose run is over; return ``{voice_id: what became of it}``."""
    store, book = PresetStore(settings.presets_path), Ledger(settings.ledger)
    if not store.pending():
        return {}

    def work(data: dict) -> Dict[str, str]:
        done = {}
        for voice_id, entry in list(data["pending"].items()):
            words = [book.outcome(request) for request in requests_of(entry)]
            if ledger.MADE in words:
                done[voice_id] = f"made: saved as preset '{_promote(data, voice_id, entry)}'"
            elif running(entry):
                continue
            elif all(word in (ledger.REFUSED, None) for word in words):
                del data["pending"][voice_id]  # never sent, or refused: MiniMax made nothing
                done[voice_id] = "not made: forgotten"
            elif entry.get("unconfirmed") is None:
                entry["unconfirmed"] = "the run that sent the clone stopped before MiniMax's answer was recorded"
                done[voice_id] = "unconfirmed"
        return done

    return store.change_library(work)


def unconfirmed(store: PresetStore) -> Dict[str, dict]:
    """The pending entries whose voice may exist but is not confirmed, by voice_id."""
    return {voice_id: entry for voice_id, entry in store.pending().items() if entry.get("unconfirmed")}


def adopt(settings: Settings, what: str) -> str:
    """Bring in a voice: a recovery file's, or an unconfirmed pending entry's (by voice_id) that the
    user knows exists. Returns the preset's name."""
    store = PresetStore(settings.presets_path)
    if Path(what).is_file():
        record = recovery.read(Path(what))
        preset, name = record["preset"], record.get("name") or record["voice_id"]
        entry = {"name": name, "preset": preset, "replacing": record.get("replacing")}
    else:
        waiting = store.pending().get(what)
        if waiting is None:
            raise PresetError(
                f"'{what}' is neither a recovery file nor a voice_id waiting to be confirmed",
                fix="Give the file `voiceclone clone` named, or a voice_id `voiceclone presets list` "
                "shows as unconfirmed.",
            )
        entry, preset = waiting, waiting["preset"]
    voice_id = preset["voice_id"]
    try:
        name = store.change_library(lambda data: _promote(data, voice_id, entry))
    except OSError as exc:
        raise storage_error(exc, store.path, "the presets file") from exc
    if Path(what).is_file():
        Path(what).unlink()
    return name


def file_made(data: dict, voice_id: str, name: str, preset: dict, replacing: Optional[str]) -> str:
    """File a voice MiniMax made: out of ``pending``, into ``voices`` under ``name``, or under
    ``name (2)``... when ``name`` holds another voice by now; a re-clone keeps the old voice in the
    preset's history. Returns the name used."""
    data["pending"].pop(voice_id, None)
    voices = data["voices"]
    chosen, number = name, 1
    while chosen in voices and voices[chosen].get("voice_id") not in (voice_id, replacing):
        number += 1
        chosen = f"{name} ({number})"
    if replacing is not None and chosen in voices:
        old = voices[chosen]
        preset["history"] = list(old.get("history") or []) + [
            {
                "voice_id": old["voice_id"],
                "created_at": old.get("created_at"),
                "replaced_at": preset["created_at"],
                "sample_sha256": (old.get("sample") or {}).get("sha256"),
            }
        ]
    voices[chosen] = preset
    return chosen


def _promote(data: dict, voice_id: str, entry: dict) -> str:
    """Move a made voice into ``voices`` as a temporary preset (never over another voice)."""
    preset = copy.deepcopy(entry["preset"])
    if not preset.get("created_at"):
        since = parse_timestamp(entry["since"]) if entry.get("since") else utc_now()
        preset.update(created_at=timestamp(since), expires_at=expiry_after(since))
        preset.setdefault("provenance", {})["cloned_at"] = timestamp(since)
    return file_made(data, voice_id, entry["name"], preset, entry.get("replacing"))


def requests_of(entry: dict) -> List[str]:
    """The ledger ids of a pending entry's requests (older files hold one, as ``request``)."""
    found = list(entry.get("requests") or [])
    return found + [entry["request"]] if entry.get("request") and entry["request"] not in found else found


def running(entry: dict) -> bool:
    """Whether the run that wrote ``entry`` may still be working on it."""
    try:
        age = (utc_now() - parse_timestamp(entry.get("since"))).total_seconds()
    except (TypeError, ValueError):
        return False
    if age > RUN_OVER_AFTER_S:
        return False
    pid = entry.get("pid")
    if pid == os.getpid():
        return False  # settling runs before this process sends a clone: the entry is an earlier call's
    if entry.get("host") != socket.gethostname():
        return True  # another machine's run cannot be looked at: wait for the hour
    return leftovers.running(pid)


def describe(entries: Dict[str, dict]) -> List[str]:
    """One warning line per unconfirmed voice, with what to do."""
    return [
        f"voice '{voice_id}' (preset '{entry['name']}') may exist on MiniMax but is not confirmed: "
        f"{entry['unconfirmed']}. Run the same clone again to confirm it (nothing is charged twice), or "
        f"`voiceclone presets adopt {voice_id}` if you know MiniMax made it"
        for voice_id, entry in entries.items()
    ]
