"""Exclusive locks between processes (and threads), on a file beside what they guard: ``flock`` on
POSIX, ``msvcrt.locking`` on Windows. The lock goes with the process, so a killed run never leaves
anything locked. Standard library only.

- Audacity's pipe (:mod:`.hosts.audacity.pipe`): Audacity serves one client at a time on one pair
  of FIFOs, and nothing stops a second client from opening them meanwhile (the two would
  interleave their lines and read each other's replies): a second command waits its turn.
- The presets file (:mod:`.presets`): every change is a read-modify-write under the lock.
"""

import sys
import time
from pathlib import Path
from typing import BinaryIO, Optional


def take(path: Path, wait_s: float) -> Optional[BinaryIO]:
    """An open file that holds the lock on ``path``; None if another process kept it for ``wait_s``."""
    handle = open(path, "a+b")  # noqa: SIM115 (held until give_back)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            _lock(handle)
            return handle
        except OSError:
            if time.monotonic() > deadline:
                handle.close()
                return None
            time.sleep(0.05)


def give_back(handle: BinaryIO) -> None:
    """End the turn :func:`take` gave (closing the file ends it too, as a killed process does)."""
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    handle.close()


def _lock(handle: BinaryIO) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
