"""Writing the user's files so that nothing is lost: never over a file they have, and a result
appears only when it is complete (a failure leaves no half-written file behind)."""

import hashlib
import os
import re
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator, Optional

from .errors import InputError
from .leftovers import partial_name


def check_new(path: Optional[Path], what: str = "", *, force: str = "") -> None:
    """Refuse, before anything is done, to write over an existing file."""
    if path is not None and Path(path).exists():
        raise InputError(
            f"{what + ' ' if what else ''}{path} already exists and would be overwritten",
            fix="Choose a new file name, or move the existing file away"
            + (f" (or add {force} to replace it)." if force else "."),
        )


def check_writable(path: Path, what: str) -> None:
    """Refuse, before anything is done, a file whose folder is missing or cannot be written."""
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        raise InputError(
            f"the folder of {what} {path} does not exist", fix=f"Create {folder} or choose another {what}."
        )
    if not os.access(folder, os.W_OK):
        raise InputError(f"the folder {folder} of {what} cannot be written", fix=f"Choose another {what}.")


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a partial file beside ``path`` to write; when the block ends it becomes ``path``, and
    when the block fails it is removed."""
    path = Path(path)
    partial = partial_name(path)
    try:
        yield partial
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` in one step."""
    with replacing(path) as partial:
        partial.write_bytes(data)


def safe_stem(text: str, fallback: str) -> str:
    """``text`` as a file-name stem any system and any upload takes: ASCII letters, digits, ``-`` and
    ``_``, every other run of characters one ``-``, at most 60 characters; ``fallback`` if nothing is left."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:60] or fallback


def media_path(folder: Path, preset: str, what: str, moment: datetime, extension: str) -> Path:
    """A descriptive file in ``folder`` that does not exist yet, such as
    ``Voice clone - Host - speech 2026-11-25 101500.wav``; a second one in the same second gets `` (2)``."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", preset).strip(" .") or "voice"
    stem = f"Voice clone - {safe} - {what} {moment.strftime('%Y-%m-%d %H%M%S')}"
    path, number = folder / f"{stem}{extension}", 1
    while path.exists():
        number += 1
        path = folder / f"{stem} ({number}){extension}"
    return path


def sha256_file(path: Path) -> str:
    """The file's SHA-256, hex; read in blocks (a sample's identity in the presets and the ledger)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
