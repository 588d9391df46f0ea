"""The one door to Audacity: its mod-script-pipe.

Linux and macOS: two FIFOs, ``/tmp/audacity_script_pipe.to.<uid>`` and ``.from.<uid>``; Windows:
``\\\\.\\pipe\\ToSrvPipe`` and ``\\\\.\\pipe\\FromSrvPipe``. The client opens *to* first, then *from*
(the other order deadlocks), never blocks forever on a FIFO nobody reads, sends one command line of
under 1 KiB, and reads the reply up to its ``BatchCommand finished:`` status line and the empty line
after it. A bare newline means Audacity is not ready yet. ``Failed!`` raises. One client at a time:
a connection holds this user's turn on the pipe (:mod:`voiceclone.locks`) from connect to close.
"""

import errno
import os
import select
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, BinaryIO, List, Optional

from ... import locks
from ...errors import HostCommandFailed, HostUnavailable, InputError

#: Said when Audacity's pipes are not there.
PIPE_MISSING_FIX = "Start Audacity; if it runs, run `voiceclone audacity doctor` to enable the module."

MAX_LINE = 1023  # the server reads lines with fgets into 1 KiB
STATUS = "BatchCommand finished: "
NOT_READY_WAIT_S = 0.25  # a lone newline with nothing after it for this long means "not ready"
NO_WRITER_S = 1.0  # Audacity holds its end open while it runs; none for this long: it left
LOCK_WAIT_S = 30.0  # how long a command waits for another one's turn on the pipe
WINDOWS = sys.platform == "win32"


class _Stale(Exception):
    """The FIFOs this connection opened are ones Audacity has already left."""


def default_paths():
    """This user's two pipes to Audacity: ``(to, from)``."""
    if WINDOWS:
        return Path(r"\\.\pipe\ToSrvPipe"), Path(r"\\.\pipe\FromSrvPipe")
    uid = os.getuid()
    return Path(f"/tmp/audacity_script_pipe.to.{uid}"), Path(f"/tmp/audacity_script_pipe.from.{uid}")


def lock_path_for(to_path: Path) -> Path:
    """The lock file that gives one client at a time its turn on the pipe ``to_path``."""
    if WINDOWS:
        return Path(tempfile.gettempdir()) / "voiceclone-audacity-pipe.lock"
    return to_path.with_name(to_path.name + ".voiceclone-lock")


def quote(value) -> str:
    """A command value: numbers as they are, text in double quotes (which it must not contain)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(float(value)) if isinstance(value, float) else str(value)
    text = str(value)
    if '"' in text or "\n" in text or "\r" in text:
        raise InputError(
            f"{text!r} cannot be sent to Audacity (it holds a quote or a line break)",
            fix="Rename the file or folder without quotes or line breaks.",
        )
    return f'"{text}"'


class Pipe:
    """A connection to a running Audacity. Use as a context manager."""

    def __init__(self, *, to_path: Optional[Path] = None, from_path: Optional[Path] = None, timeout: float = 10.0):
        default_to, default_from = default_paths()
        self.to_path = Path(to_path or default_to)
        self.from_path = Path(from_path or default_from)
        self.timeout = timeout
        self.lock_path = lock_path_for(self.to_path)
        self._turn: Optional[BinaryIO] = None
        #: The two ends: file descriptors on Linux and macOS, files on Windows; None while closed.
        self._to: Any = None
        self._from: Any = None
        self._buffer = b""

    def __enter__(self) -> "Pipe":
        self.connect()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def connect(self) -> None:
        """Take this user's turn on the pipe, then open it and wait until Audacity answers.

        After a client leaves, Audacity closes, deletes and remakes both FIFOs: a connection made in
        that moment reaches the old ones (nobody writes back, or the write fails), so it is made again.
        """
        try:
            self._turn = locks.take(self.lock_path, LOCK_WAIT_S)
        except OSError as exc:
            raise HostUnavailable(
                f"cannot use the lock file {self.lock_path} ({exc.strerror})",
                fix=f"Make {self.lock_path.parent} writable for this user, then run the command again.",
            ) from exc
        if self._turn is None:
            raise HostUnavailable(
                f"another voiceclone command kept Audacity busy for {LOCK_WAIT_S:.0f} s",
                fix="Wait for it to finish (close any dialog open in Audacity), then run the command again.",
            )
        try:
            deadline = time.monotonic() + self.timeout
            while True:
                self._open(deadline)
                try:
                    self._synchronise()
                    return
                except _Stale as exc:
                    self._close_fifos()
                    if time.monotonic() > deadline:
                        raise HostUnavailable(
                            "Audacity's script pipe closes as soon as it is opened",
                            fix="Start Audacity again, then run the command again.",
                        ) from exc
                    time.sleep(0.05)
        except BaseException:
            self.close()
            raise

    def _open(self, deadline: float) -> None:
        if WINDOWS:
            self._wait_for_files(deadline)
            self._to = open(self.to_path, "wb", buffering=0)  # noqa: SIM115 (closed by close())
            self._from = open(self.from_path, "rb", buffering=0)  # noqa: SIM115 (closed by close())
            return
        appear_by = time.monotonic() + min(self.timeout, 3.0)
        while True:
            try:
                self._to = os.open(self.to_path, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError as exc:
                if exc.errno == errno.ENOENT and time.monotonic() > appear_by:
                    raise HostUnavailable(
                        "Audacity is not running, or its mod-script-pipe module is off", fix=PIPE_MISSING_FIX
                    ) from exc
                if exc.errno not in (errno.ENOENT, errno.ENXIO) or time.monotonic() > deadline:
                    raise HostUnavailable(
                        "Audacity's script pipe exists but nobody reads it (Audacity was closed or is stuck)",
                        fix="Start Audacity again, then run the command again.",
                    ) from exc
                time.sleep(0.05)
        os.set_blocking(self._to, True)
        try:
            self._from = os.open(self.from_path, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError as exc:
            raise _Stale() from exc

    def _wait_for_files(self, deadline: float) -> None:
        appear_by = min(deadline, time.monotonic() + 3.0)
        while not (self.to_path.exists() and self.from_path.exists()):
            if time.monotonic() > appear_by:
                raise HostUnavailable(
                    "Audacity is not running, or its mod-script-pipe module is off", fix=PIPE_MISSING_FIX
                )
            time.sleep(0.05)

    def close(self) -> None:
        self._close_fifos()
        if self._turn is not None:
            locks.give_back(self._turn)
            self._turn = None

    def _close_fifos(self) -> None:
        for handle in (self._to, self._from):
            if handle is None:
                continue
            if WINDOWS:
                handle.close()
            else:
                os.close(handle)
        self._to = self._from = None
        self._buffer = b""

    def send(self, command: str, **values) -> List[str]:
        """Run ``command`` with ``values``; return the reply's body lines. Raises on ``Failed!``."""
        line = command + ":" + "".join(f" {key}={quote(value)}" for key, value in values.items())
        try:
            status, body = self._exchange(line)
        except _Stale as exc:
            raise HostUnavailable(
                "Audacity closed its script pipe (it quit or crashed)",
                fix="Start Audacity again, then run the command again.",
            ) from exc
        if status is None:
            raise HostUnavailable("Audacity is not ready for commands yet", fix="Wait a moment and run it again.")
        if status != "OK":
            raise HostCommandFailed(
                f"Audacity could not run {command}: {' '.join(body) or status}",
                fix="Close any open Audacity dialog, then run the command again.",
            )
        return body

    def _synchronise(self) -> None:
        """Wait until Audacity runs commands, and skip replies meant for an earlier client.

        A bare newline means "not ready yet". A client that gave up during a dialog leaves its
        replies behind, to be written once the dialog closes: they are read and dropped until the
        echo of this connection's own token comes back.
        """
        token = f"voiceclone-{uuid.uuid4().hex}"
        deadline = time.monotonic() + self.timeout
        while True:
            status, body = self._exchange(f'Message: Text="{token}"')
            if status is not None:
                break
            if time.monotonic() > deadline:
                raise HostUnavailable(
                    "Audacity did not become ready in time",
                    fix="Close any open Audacity dialog and run the command again.",
                )
            time.sleep(0.1)
        while not any(token in line for line in body):
            status, body = self._read_reply()

    def _exchange(self, line: str):
        data = (line + ("\r\n\0" if WINDOWS else "\n")).encode("utf-8")
        if len(data) > MAX_LINE:
            raise InputError(
                f"the Audacity command is {len(data)} bytes; the pipe takes under 1 KiB", fix="Use shorter file paths."
            )
        self._write(data)
        return self._read_reply()

    def _write(self, data: bytes) -> None:
        if WINDOWS:
            self._to.write(data)
            return
        try:
            os.write(self._to, data)
        except BrokenPipeError as exc:
            raise _Stale() from exc

    def _read_reply(self):
        """``(status, body)``; ``(None, [])`` for the bare newline of a not-ready Audacity."""
        deadline = time.monotonic() + self.timeout
        while True:
            text = self._buffer.decode("utf-8", errors="replace")
            if text == "\n":
                # Either a reply whose body starts with a newline, or Audacity's bare "not ready".
                self._buffer += self._read_some(NOT_READY_WAIT_S)
                if self._buffer == b"\n":
                    self._buffer = b""
                    return None, []
                continue
            marker = text.find(STATUS)
            if marker >= 0:
                end = text.find("\n\n", marker)
                if end >= 0:
                    self._buffer = text[end + 2 :].encode("utf-8")
                    status = text[marker + len(STATUS) : end].strip()
                    body = [line for line in text[:marker].splitlines() if line.strip()]
                    return status, body
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise HostUnavailable(
                    "Audacity did not answer in time (a dialog may be open in Audacity)",
                    fix="Close the open dialog in Audacity, then run the command again.",
                )
            self._buffer += self._read_some(remaining)

    def _read_some(self, timeout: float) -> bytes:
        """What arrives within ``timeout`` seconds (possibly nothing)."""
        if WINDOWS:
            return self._from.read(4096) or b""
        deadline = time.monotonic() + timeout
        no_writer_since = None
        while True:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self._from], [], [], max(0.0, min(remaining, 0.5)))
            chunk = os.read(self._from, 65536) if ready else b""
            if chunk or remaining <= 0:
                return chunk
            if ready:  # end of file: nobody holds the other end (yet, or any more)
                no_writer_since = no_writer_since or time.monotonic()
                if time.monotonic() - no_writer_since > NO_WRITER_S:
                    raise _Stale()
                time.sleep(0.01)
