"""The clone ledger: every clone request the plugin sends for this user, one JSON line each, in the
user data folder, shared by every presets file on the machine.

MiniMax never reuses a voice_id, and a voice it made is charged for. When a clone's answer is lost
and the next try finds the voice_id taken (2039), only this ledger can tell whether the voice is
this sample's (made by the lost request) or another sample's made earlier: :func:`claim`.

Lines are appended with one ``write`` on a file opened for appending (whole lines up to a few KB
do not interleave between processes) and fsynced. A torn or foreign line is skipped when read.
"""

import errno
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import List, Optional

from .presets import timestamp, utc_now

#: What became of a request: about to be sent; MiniMax made the voice; MiniMax refused it; the
#: answer was lost (the voice may exist).
SENT, MADE, REFUSED, UNKNOWN = "sent", "made", "refused", "unknown"
OUTCOMES = (SENT, MADE, REFUSED, UNKNOWN)
#: :func:`claim`'s verdicts.
OURS, UNCLEAR, THEIRS = "ours", "unclear", "theirs"


@dataclass(frozen=True)
class Entry:
    """One line: a clone request of ``voice_id`` from the sample ``sha256`` on ``base_url``."""

    time: str
    voice_id: str
    sha256: str
    base_url: str
    outcome: str
    request: str  # one id per request, shared by its lines (sent, then made/refused/unknown)
    presets: str = ""  # the presets file the request was made for


class Ledger:
    """The ledger file at ``path`` (created on the first write)."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def record(
        self, *, request: str, voice_id: str, sha256: str, base_url: str, outcome: str, presets: str = ""
    ) -> None:
        """Append one line and make it durable; raises OSError when it cannot be written."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        entry = Entry(timestamp(utc_now()), voice_id, sha256, base_url, outcome, request, presets)
        line = (json.dumps(asdict(entry), ensure_ascii=True) + "\n").encode("ascii")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        try:
            size = os.fstat(handle).st_size
            if size and os.lseek(handle, size - 1, os.SEEK_SET) >= 0 and os.read(handle, 1) != b"\n":
                line = b"\n" + line  # a torn line (a full disk) must not swallow this one
            if os.write(handle, line) != len(line):
                raise OSError(errno.ENOSPC, "the ledger line was cut short", str(self.path))
            os.fsync(handle)
        finally:
            os.close(handle)

    def entries(self, voice_id: Optional[str] = None, base_url: Optional[str] = None) -> List[Entry]:
        """The readable lines, oldest first, for one voice_id and base URL if given."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        found = []
        for line in text.splitlines():
            try:
                entry = Entry(**json.loads(line))
            except (ValueError, TypeError):
                continue
            if (voice_id is None or entry.voice_id == voice_id) and (base_url is None or entry.base_url == base_url):
                found.append(entry)
        return found

    def outcome(self, request: str) -> Optional[str]:
        """The last word on one request: made, refused or unknown; ``sent`` when nothing followed."""
        words = [e.outcome for e in self.entries() if e.request == request]
        settled = [w for w in words if w != SENT]
        return settled[-1] if settled else (SENT if words else None)

    def first_possible(self, voice_id: str, sha256: str, base_url: str) -> Optional[str]:
        """When this sample's first request for ``voice_id`` that may have made it was sent."""
        for entries in _by_request(self.entries(voice_id, base_url)).values():
            if entries[0].sha256 == sha256 and _may_have_made(entries):
                return entries[0].time
        return None


def claim(ledger: Ledger, voice_id: str, sha256: str, base_url: str, *, without: Optional[str] = None) -> str:
    """Whose voice a ``voice_id`` found taken is, by the ledger.

    ``theirs`` when no request of this sample may have made it, or another sample's request had
    made it before this sample first asked (MiniMax makes a voice_id once); ``ours`` when a request
    of this sample may have made it and no other sample's ever may have; ``unclear`` otherwise.
    ``without`` leaves out one request (the one just refused with 2039, whose answer was not lost).
    """
    requests = [
        (entries[0].sha256, entries)
        for request, entries in _by_request(ledger.entries(voice_id, base_url)).items()
        if request != without
    ]
    mine = [index for index, (sha, entries) in enumerate(requests) if sha == sha256 and _may_have_made(entries)]
    if not mine:
        return THEIRS
    if any(sha != sha256 and any(e.outcome == MADE for e in entries) for sha, entries in requests[: mine[0]]):
        return THEIRS
    others = any(sha != sha256 and _may_have_made(entries) for sha, entries in requests)
    return UNCLEAR if others else OURS


def _by_request(entries: List[Entry]) -> dict:
    grouped: dict = {}
    for entry in entries:
        grouped.setdefault(entry.request, []).append(entry)
    return grouped


def _may_have_made(entries: List[Entry]) -> bool:
    """A request may have made its voice unless MiniMax refused it."""
    return not any(e.outcome == REFUSED for e in entries)
