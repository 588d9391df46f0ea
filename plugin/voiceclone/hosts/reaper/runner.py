"""Running a background job from REAPER without ever blocking it.

The job is a child process (the module :mod:`voiceclone.worker`) of the plugin's own interpreter;
inside REAPER ``sys.executable`` is REAPER itself, so the interpreter comes from the config file
that ``voiceclone reaper install`` writes. The child appends the package's folder to the end of its
``sys.path``, so it finds the plugin even where it is not installed into that interpreter, while
the interpreter's own standard library and packages come first; it runs in its job folder, so
REAPER's working directory shadows nothing. Each defer tick reads the new lines of the events
file and checks the child with ``poll()``: no tick waits for anything.

A running job keeps two ExtState values: the "running" mark, holding the job's own token, and a
heartbeat it refreshes every second. A mark whose heartbeat stopped (REAPER ended the script
without its atexit code) is stale, and the next action or Cancel clears it; a job clears only its
own mark. An error in a tick ends the job cleanly: the child is stopped, the marks cleared, and the
error shown as one message.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, List, Optional

from ...errors import Cancelled, InputError
from ...events_file import EventsFileReader
from .api import Reaper

SECTION = "VoiceClone"  # ExtState section
RUNNING_KEY = "job_running"  # the running job's token (read by the Cancel action)
CANCEL_KEY = "cancel"  # set to "1" by the Cancel action
BEAT_KEY = "job_heartbeat"  # time.time() of the running job's last tick, every BEAT_S
BEAT_S = 1.0
#: A "running" mark whose heartbeat is older than this has no live job behind it. Long enough for
#: REAPER to be busy elsewhere (a render, another script's dialog) without the job counting as gone.
STALE_AFTER_S = 30.0
#: The child's command after the interpreter: the package folder goes LAST on sys.path, then the worker runs.
WORKER = [
    "-c",
    "import runpy, sys; sys.path.append(sys.argv.pop(1)); "
    "runpy.run_module('voiceclone.worker', run_name='__main__', alter_sys=True)",
]


def interpreter(rpr: Reaper) -> str:
    """The plugin's Python; raises with what to do when it is gone."""
    python = rpr.python
    if not Path(python).exists():
        raise InputError(
            f"the plugin's Python {python} no longer exists",
            fix="Reinstall the plugin, then run `voiceclone reaper install` again.",
        )
    return python


def job_running(rpr: Reaper) -> bool:
    """True while a live job holds the "running" mark."""
    return rpr.GetExtState(SECTION, RUNNING_KEY) != "" and not _stale(rpr)


def _stale(rpr: Reaper) -> bool:
    try:
        beat = float(rpr.GetExtState(SECTION, BEAT_KEY))
    except ValueError:
        return True
    return time.time() - beat > STALE_AFTER_S


def clear_stale_job(rpr: Reaper) -> bool:
    """Clear a "running" mark no live job keeps fresh; True if there was one."""
    if rpr.GetExtState(SECTION, RUNNING_KEY) == "" or not _stale(rpr):
        return False
    _clear_marks(rpr)
    return True


def request_cancel(rpr: Reaper) -> None:
    """Ask the running job to stop (from the Cancel action, a script of its own)."""
    rpr.SetExtState(SECTION, CANCEL_KEY, "1", False)


def _clear_marks(rpr: Reaper) -> None:
    for key in (RUNNING_KEY, CANCEL_KEY, BEAT_KEY):
        rpr.SetExtState(SECTION, key, "", False)


#: Stages whose every event is said (each is a step the user follows: a script's lines).
LINE_BY_LINE = ("script",)


class BackgroundJob:
    """One job in a child process, followed from REAPER's defer loop.

    ``on_result(data)`` runs on the UI thread when the job succeeded; ``on_error(event)`` when it
    failed or was cancelled. Progress goes to the REAPER console.
    """

    def __init__(
        self, rpr: Reaper, job: dict, *, title: str, on_result: Callable[[dict], None], on_error: Callable[[dict], None]
    ):
        self.rpr = rpr
        self.job = job
        self.title = title
        self.on_result = on_result
        self.on_error = on_error
        self.folder: Optional[Path] = None
        self.child: Optional[subprocess.Popen] = None
        self.reader: Optional[EventsFileReader] = None
        self.outcome: Optional[dict] = None
        self.cancelled = False
        self._stage = None
        self._said: List[str] = []
        self._beat = 0.0
        self.token = f"{os.getpid()}-{time.time_ns()}"

    def start(self) -> None:
        """Write the job file, start the child, and return at once; ticks follow."""
        python = interpreter(self.rpr)
        self.folder = Path(tempfile.mkdtemp(prefix="voiceclone-reaper-"))
        job_file, events = self.folder / "job.json", self.folder / "events.jsonl"
        job_file.write_text(json.dumps(self.job), encoding="utf-8")
        self.reader = EventsFileReader(events)
        with open(self.folder / "child.log", "wb") as log:
            self.child = subprocess.Popen(
                [python, *WORKER, self.rpr.package_path, str(job_file), "--events", str(events)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                close_fds=True,
                cwd=self.folder,
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0,
            )
        self.rpr.SetExtState(SECTION, CANCEL_KEY, "", False)
        self.rpr.SetExtState(SECTION, RUNNING_KEY, self.token, False)
        self._heartbeat()
        self.rpr.console(f"Voice clone: {self.title}...")
        self.rpr.at_exit("_voiceclone_at_exit", self.stop)
        self.rpr.defer("_voiceclone_tick", self.tick)

    def tick(self) -> None:
        """One defer tick: read new events, honour Cancel, finish when the child has exited. Any
        error, in the job's callbacks too, ends the job cleanly and becomes one message."""
        try:
            self._tick()
        except Exception as exc:  # noqa: BLE001 (a stuck "running" mark would block every action)
            self.stop()
            self.rpr.report(exc)

    def _tick(self) -> None:
        assert self.reader is not None and self.child is not None, "ticks come only after start()"
        self._heartbeat()
        for event in self.reader.poll():
            self._read_event(event)
        if not self.cancelled and self.rpr.GetExtState(SECTION, CANCEL_KEY) == "1":
            self.cancelled = True
            self.child.terminate()
            self.rpr.console("Voice clone: cancelling...")
        if self.child.poll() is None:
            self.rpr.defer("_voiceclone_tick", self.tick)
            return
        for event in self.reader.poll():
            self._read_event(event)
        self._finish()

    def stop(self) -> None:
        """The script is ending (or the user stopped it): never leave a child behind."""
        if self.child is not None and self.child.poll() is None:
            self.child.terminate()
            try:
                self.child.wait(2)
            except subprocess.TimeoutExpired:
                self.child.kill()
        self._clean_up()

    def _heartbeat(self) -> None:
        now = time.time()
        if now - self._beat >= BEAT_S:
            self._beat = now
            if self.rpr.GetExtState(SECTION, RUNNING_KEY) == "":  # cleared as stale while REAPER was busy
                self.rpr.SetExtState(SECTION, RUNNING_KEY, self.token, False)
            self.rpr.SetExtState(SECTION, BEAT_KEY, repr(now), False)

    def _read_event(self, event: dict) -> None:
        """A progress event in the console: a stage's first words, its end (bytes), and each step of
        a stage told line by line (a script's lines, with the time left)."""
        kind = event.get("event")
        if kind == "progress":
            message, done, total = event.get("message"), event.get("done"), event.get("total")
            if event.get("stage") in ("warning", "note"):  # said at once, and not again with the result
                self._said.append(str(message))
                self.rpr.console(f"  {event.get('stage')}: {message}")
            elif event.get("stage") in LINE_BY_LINE:
                self.rpr.console(f"  {message}")
            elif event.get("stage") != self._stage:
                self._stage = event.get("stage")
                self.rpr.console(f"  {message}")
            elif total and done == total:
                self.rpr.console(f"  {message}: done ({total / 1e6:.1f} MB)")
        elif kind in ("result", "error"):
            self.outcome = event

    def _finish(self) -> None:
        assert self.child is not None
        outcome = self.outcome or {
            "event": "error",
            "exit_code": self.child.returncode,
            "message": self._child_log() or "the background job ended without a word",
            "fix": "Run the action again; if it repeats, run the same clone with the "
            "voiceclone command line to see the full error.",
        }
        self._clean_up()
        if outcome["event"] == "result":
            data = outcome["data"]
            if isinstance(data, dict) and data.get("warnings"):
                data = {**data, "warnings": [w for w in data["warnings"] if w not in self._said]}
            self.on_result(data)
        else:
            if self.cancelled and outcome.get("exit_code") != Cancelled.exit_code:
                # the child was ended before it could say what it left: it had sent nothing yet
                outcome = {
                    **outcome,
                    "exit_code": Cancelled.exit_code,
                    "fix": None,
                    "message": "cancelled; nothing was inserted or saved",
                }
            self.on_error(outcome)

    def _child_log(self) -> str:
        if self.folder is None:
            return ""
        try:
            return (self.folder / "child.log").read_text(encoding="utf-8", errors="replace").strip()[-500:]
        except OSError:
            return ""

    def _clean_up(self) -> None:
        if self.rpr.GetExtState(SECTION, RUNNING_KEY) == self.token:
            _clear_marks(self.rpr)
        if self.folder is not None and os.path.isdir(self.folder):
            shutil.rmtree(self.folder, ignore_errors=True)
