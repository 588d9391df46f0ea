"""A clone's audio work (the sample's check and preparation, the preview's decoding), done in this
process or in one forked at the start of the command.

Loading numpy and the audio stack, then checking the sample, is most of a clone's own time on a
fast connection. The ``voiceclone clone`` command forks first (:func:`start`), so that work runs in
the second process while this one reads the presets, loads its HTTP client and connects to MiniMax
(``while_waiting``). The functions here
run the work there when it was started, else here, and what they return is plain data
(:class:`Prepared`, :class:`Recording`): this process never loads numpy for a clone. Only a process
that is the command's own forks; a DAW's never does.

The forked process only reads audio and writes into the clone's temporary folder (and the preview
where it is asked for). It ignores Ctrl-C (the command stops it), and ends when the command does,
however the command ends: on Linux the kernel kills it with the command, elsewhere it ends at its
next request, read from a pipe only the command holds open.
"""

import os
import pickle
import signal
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

from .errors import VoiceCloneError

_HEADER = struct.Struct("<I")


@dataclass(frozen=True)
class Prepared:
    """What a clone keeps of a prepared sample (:class:`voiceclone.audio.PreparedAudio`)."""

    path: Path
    filename: str
    format: str
    sha256: str
    duration_s: float
    sample_rate: int
    num_channels: int
    size_bytes: int
    fixes: Tuple[str, ...]
    warnings: Tuple[str, ...]


@dataclass(frozen=True)
class Recording:
    """An audio file that was probed: where it is, its format by content, and its length."""

    path: Path
    format: str
    duration_s: float


def prepare(
    path,
    workdir,
    *,
    purpose: str = "voice_clone",
    start=None,
    end=None,
    while_waiting: Optional[Callable[[], Any]] = None,
) -> Prepared:
    """:func:`voiceclone.audio.prepare`: the sample checked, and the file to upload. ``while_waiting``
    is called while the forked process does the work (and not at all when this one does it)."""
    return _run("prepare", path, workdir, purpose=purpose, start=start, end=end, while_waiting=while_waiting)


def assemble(path, pieces: tuple, out) -> Path:
    """:func:`voiceclone.picker.assemble`: the picked pieces of ``path`` joined at ``out``."""
    return _run("assemble", path, pieces, out)


def probe(path) -> Recording:
    """:func:`voiceclone.audio.probe`: an audio file's format, or the AudioError it is not one."""
    return _run("probe", path)


def check_decodes(path) -> None:
    """:func:`voiceclone.audio.check_decodes`: the file decodes whole into sound."""
    return _run("check_decodes", path)


def convert(source, target) -> Path:
    """:func:`voiceclone.audio.convert`: ``source`` moved to ``target``, re-encoded if it names another format."""
    return _run("convert", source, target)


def _prepare(path, workdir, **where) -> Prepared:
    from . import audio

    made = audio.prepare(path, workdir, **where)
    facts = (made.path, made.filename, made.format, made.sha256, float(made.duration_s), int(made.sample_rate))
    rest = (int(made.num_channels), int(made.size_bytes), tuple(made.fixes), tuple(made.report.warnings))
    return Prepared(*facts, *rest)


def _assemble(path, pieces: tuple, out) -> Path:
    from . import picker

    return picker.assemble(path, tuple(picker.Piece(*piece) for piece in pieces), out)


def _probe(path) -> Recording:
    from . import audio

    info = audio.probe(path)
    return Recording(info.path, info.format, float(info.duration_s))


def _check_decodes(path) -> None:
    from . import audio

    audio.check_decodes(path)


def _convert(source, target) -> Path:
    from . import audio

    return audio.convert(source, target)


_WORK: Dict[str, Callable[..., Any]] = {
    "prepare": _prepare,
    "assemble": _assemble,
    "probe": _probe,
    "check_decodes": _check_decodes,
    "convert": _convert,
}


class _Helper:
    """The forked process, from this side: requests out, answers back, one at a time."""

    def __init__(self, pid: int, requests: int, answers: int):
        self.pid, self.requests, self.answers = pid, requests, answers

    def call(self, name: str, args: tuple, kwargs: dict, while_waiting: Optional[Callable[[], Any]]) -> Any:
        try:
            _send(self.requests, (name, args, kwargs))
            if while_waiting is not None:
                while_waiting()
            answer = _receive(self.answers)
        except BrokenPipeError:  # it had ended before it was asked
            answer = None
        except BaseException:  # Ctrl-C: it must not work on in a folder that is being removed
            self.stop()
            raise
        if answer is None:  # it closed its end: it has ended
            how = self.stop(kill=False)
            raise VoiceCloneError(
                f"the audio check stopped before it finished ({how}); nothing was sent",
                fix="Run the command again; if it stops again, run it with --debug and report the output.",
            )
        outcome, value, trace = answer
        if outcome == "error":
            value.__cause__ = _Traceback(trace)
            raise value
        return value

    def stop(self, *, kill: bool = True) -> str:
        """End the helper (the rest of the command's audio work is done here) and say how it ended."""
        global _helper
        _helper = None
        for fd in (self.requests, self.answers):
            os.close(fd)
        if kill:
            os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        if os.WIFSIGNALED(status):
            return f"it was killed by signal {os.WTERMSIG(status)}"
        return f"it ended with code {os.WEXITSTATUS(status)}"


class _Traceback(Exception):
    """The forked process's traceback of an error it sent back (shown by ``--debug``)."""

    def __str__(self) -> str:
        return "\n" + self.args[0]


_helper: Optional[_Helper] = None


def start() -> None:
    """Fork the process that does this command's audio work, if this system can, and load the audio
    stack there. Call it before anything else is loaded: only from the command's own process."""
    global _helper
    if _helper is not None or not hasattr(os, "fork") or "numpy" in sys.modules:
        return
    requests_read, requests_write = os.pipe()
    answers_read, answers_write = os.pipe()
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:  # no room for a second process: the work is done here
        for fd in (requests_read, requests_write, answers_read, answers_write):
            os.close(fd)
        return
    if pid == 0:
        code = 1
        try:
            os.close(requests_write)
            os.close(answers_read)
            _serve(requests_read, answers_write, parent)
            code = 0
        finally:
            os._exit(code)
    os.close(requests_read)
    os.close(answers_write)
    _helper = _Helper(pid, requests_write, answers_read)


def _serve(requests: int, answers: int, command: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the command's to answer; it stops this
    _die_with(command)
    quiet = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):  # the command's input and output are its own: a reader of them waits for no one else
        os.dup2(quiet, fd)
    try:  # loaded while the command loads the rest: the audio stack, and the sample's check
        from . import audio, sample_doctor  # noqa: F401
    except BaseException:  # noqa: BLE001 - said when the first request fails the same way
        pass
    while True:
        request = _receive(requests)
        if request is None:  # the command has ended
            return
        name, args, kwargs = request
        try:
            answer: tuple = ("ok", _WORK[name](*args, **kwargs), None)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the command
            import traceback

            answer = ("error", exc, traceback.format_exc())
        _write_all(answers, _framed(_carried(answer)))
        if name == "prepare":  # the preview's decoder loads while MiniMax makes the voice
            import soundfile  # noqa: F401


def _die_with(command: int) -> None:
    """On Linux, be killed when ``command`` ends, so that no work goes on in a dead run's folder."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # (numpy loads it anyway)

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != command:  # it ended before that was set
        os._exit(0)


def _run(name: str, *args, while_waiting: Optional[Callable[[], Any]] = None, **kwargs) -> Any:
    if _helper is None:
        return _WORK[name](*args, **kwargs)
    return _helper.call(name, args, kwargs, while_waiting)


def _carried(answer: tuple) -> bytes:
    """``answer`` as it crosses to the command; an error that would not arrive whole (one that cannot
    be pickled, or not rebuilt from its pickle) crosses as a RuntimeError that names it."""
    try:
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        if answer[0] == "error":
            pickle.loads(data)  # noqa: S301 - our own
        return data
    except Exception:  # noqa: BLE001 - whatever stops it crossing
        failure = RuntimeError(f"{type(answer[1]).__name__}: {answer[1]}")
        return pickle.dumps(("error", failure, answer[2] or ""), protocol=pickle.HIGHEST_PROTOCOL)


def _send(fd: int, message: Any) -> None:
    _write_all(fd, _framed(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)))


def _framed(data: bytes) -> bytes:
    return _HEADER.pack(len(data)) + data


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _receive(fd: int) -> Any:
    """The next message, or None once the other end is closed."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    body = _read_exactly(fd, _HEADER.unpack(header)[0])
    return None if body is None else pickle.loads(body)  # noqa: S301 - from our own forked process


def _read_exactly(fd: int, size: int) -> Optional[bytes]:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
