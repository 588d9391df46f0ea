"""What a killed run leaves behind, and its removal by the next run.

Every partial file the plugin writes is named ``.NAME.PID.part`` (or ``.tmp``) beside its target,
and every temporary folder ``voiceclone-PID-...`` in the system's temp folder, so that a later run
can tell a dead run's leftovers (its process is gone) from a live run's work in progress.
"""

import os
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

if TYPE_CHECKING:
    import tempfile

PARTIAL = re.compile(r"^\..+\.(\d+)\.(part|tmp)$")
TEMP_FOLDER = re.compile(r"^voiceclone-(\d+)-")
#: Where processes cannot be looked at (Windows), leftovers older than this count as dead.
OLD_S = 24 * 3600.0


def temp_folder(kind: str) -> "tempfile.TemporaryDirectory[str]":
    """A private temporary folder, removed when the block ends (and by the next run if this one dies)."""
    import tempfile  # (here: a clone's audio process, which only names partial files, never loads it)

    return tempfile.TemporaryDirectory(prefix=f"voiceclone-{os.getpid()}-{kind}-")


def partial_name(target: Path, suffix: str = "part") -> Path:
    """The partial file beside ``target`` that this process writes before it becomes ``target``."""
    target = Path(target)
    return target.with_name(f".{target.name}.{os.getpid()}.{suffix}")


def clean(folders: Iterable[Path]) -> int:
    """Remove dead runs' partial files in ``folders`` and temporary folders; return how many."""
    import tempfile

    removed = 0
    for folder in folders:
        removed += _sweep(Path(folder), PARTIAL, folders_too=False)
    return removed + _sweep(Path(tempfile.gettempdir()), TEMP_FOLDER, folders_too=True)


def running(pid: Optional[int]) -> bool:
    """Whether process ``pid`` still runs on this machine (always True on Windows, where it is not
    looked at: callers fall back on age there)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    if sys.platform == "win32":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sweep(folder: Path, pattern: "re.Pattern[str]", *, folders_too: bool) -> int:
    removed = 0
    try:
        entries = list(folder.iterdir())
    except OSError:
        return 0
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None or not _dead(int(match.group(1)), entry):
            continue
        try:
            if entry.is_dir() and folders_too:
                import shutil

                shutil.rmtree(entry)
            elif entry.is_file():
                entry.unlink()
            else:
                continue
            removed += 1
        except OSError:
            pass
    return removed


def _dead(pid: int, entry: Path) -> bool:
    if pid == os.getpid():
        return False
    if sys.platform == "win32":
        try:
            return time.time() - entry.stat().st_mtime > OLD_S
        except OSError:
            return False
    return not running(pid)
