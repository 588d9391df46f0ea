"""Failures the sandbox injects into its next matching /v1 requests, so tests can provoke them."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import List, Optional

#: Faults that answer at once without doing the request's work.
INSTEAD_OF_WORK = ("rate_limit", "server_error", "code", "http_status")
#: Faults that do the work (a voice is made, a file stored) and then fail to say so.
AFTER_WORK = ("drop", "late", "after_work", "cut")
KINDS = INSTEAD_OF_WORK + AFTER_WORK + ("slow", "damaged_audio")
#: The served audio (previews, speech by URL) takes the faults that slow or drop a download.
AUDIO_PATH = "/sandbox/audio/"
AUDIO_KINDS = ("slow", "drop")


@dataclass
class Fault:
    """One injected failure; ``times`` counts the requests it still applies to."""

    kind: str
    path: Optional[str] = None
    times: int = 1
    seconds: float = 0.0
    code: Optional[int] = None
    #: Matching requests let through untouched before this fault applies.
    after: int = 0

    def matches(self, path: str) -> bool:
        return self.path is None or self.path == path


def make_fault(
    kind: str,
    *,
    path: Optional[str] = None,
    times: int = 1,
    seconds: float = 0.0,
    code: Optional[int] = None,
    after: int = 0,
) -> Fault:
    """A checked :class:`Fault`; raise ValueError naming what is wrong."""
    if kind not in KINDS:
        raise ValueError(f"fault kind {kind!r} is not one of {', '.join(KINDS)}")
    if not isinstance(times, int) or isinstance(times, bool) or times < 1:
        raise ValueError("times must be a whole number of requests, 1 or more")
    if not isinstance(seconds, (int, float)) or seconds < 0:
        raise ValueError("seconds must be 0 or more")
    if kind in ("code", "http_status", "after_work"):
        if not isinstance(code, int) or isinstance(code, bool):
            raise ValueError(f"a {kind!r} fault needs an integer code")
        if kind == "http_status" and not 400 <= code <= 599:
            raise ValueError("an 'http_status' fault needs an HTTP error status, 400 to 599")
    if kind == "server_error" and code is not None and code not in range(500, 600):
        raise ValueError("a 'server_error' fault's code must be an HTTP 5xx status")
    if path is not None and not path.startswith("/"):
        raise ValueError(f"path {path!r} must be a URL path such as /v1/voice_clone")
    if path == AUDIO_PATH and kind not in AUDIO_KINDS:
        raise ValueError(f"the served audio takes only {' or '.join(AUDIO_KINDS)} faults")
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise ValueError("after must be a whole number of requests, 0 or more")
    return Fault(kind, path, times, float(seconds), code, after)


class Faults:
    """The pending faults, used first come, first served; safe to share between threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pending: List[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._pending.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

    def take(self, path: str) -> Optional[Fault]:
        """The first pending fault for ``path``, counted as used once; None if there is none."""
        with self._lock:
            waiting = [fault for fault in self._pending if fault.matches(path) and fault.after]
            for fault in waiting:
                fault.after -= 1
            for fault in self._pending:
                if fault.matches(path) and fault not in waiting:
                    fault.times -= 1
                    if fault.times == 0:
                        self._pending.remove(fault)
                    return fault
        return None


class RateLimit:
    """At most ``requests`` admitted in any ``window_s`` seconds (a sliding window, as a per-minute
    limit that any 60 s must keep to); the rest are refused and counted."""

    def __init__(self, requests: int, window_s: float):
        self.requests, self.window_s = requests, window_s
        self.refused = 0
        self._admitted: List[float] = []
        self._lock = threading.Lock()

    def admit(self, now: float) -> bool:
        with self._lock:
            self._admitted = [moment for moment in self._admitted if now - moment < self.window_s]
            if len(self._admitted) >= self.requests:
                self.refused += 1
                return False
            self._admitted.append(now)
            return True
