"""Speaking a whole script: every line in its speaker's voice into a file of its own, never paying
twice for a line already spoken, and never over the account's per-minute limit.

- **The journal** (``voiceclone-journal.jsonl`` beside the lines' files) gets one JSON line per
  spoken line, written and synced as soon as its audio is on disk: its key (a hash of the text,
  the voice, the model and the speech settings), its file and its sentence timings. A rerun (after
  a crash, Ctrl-C, a kill, or edits to some lines) speaks only the lines whose key it does not
  hold (or, when sentence timings are asked for, that were spoken without them); a file named
  for its key but missing from the journal (a kill between the two writes) is taken as spoken.
- **The queue** keeps every request to MiniMax, retries included, inside ``rpm`` per minute (a
  sliding window: no 60 s ever holds more), runs up to ``parallel`` lines at once, and puts a line
  refused with 1002 (the limit, met anyway: another client on the account) back to wait its turn.
  Ctrl-C stops it after the lines in flight; their speech is kept.
"""

import hashlib
import json
import os
import threading
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Deque, Dict, List, Optional

from . import files, rules, speech
from .errors import ApiError, Cancelled, InputError, VoiceCloneError
from .events import Event, EventSink, ignore_events
from .presets import PresetStore
from .script_file import ScriptLine
from .settings import Settings

JOURNAL_NAME = "voiceclone-journal.jsonl"
#: MiniMax's T2A limit on the global platform (reference §9: 60 RPM; the mainland's paid tier is 20).
DEFAULT_RPM = 60
DEFAULT_PARALLEL = 2
MAX_PARALLEL = 8
#: A line refused with 1002 after the client's own waits goes back in the queue this often at most.
MAX_REQUEUES = 5


@dataclass
class LineResult:
    """What became of one line: ``spoken`` (paid now), ``reused`` (spoken before) or ``failed``."""

    number: int
    speaker: str
    status: str
    path: Optional[str] = None
    duration_s: Optional[float] = None
    start_s: Optional[float] = None
    subtitles: Optional[List[Dict[str, Any]]] = None
    reason: Optional[str] = None
    wall_s: float = 0.0  # this run's time on the line, waits for the limit excluded

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ScriptReport:
    """The whole run: each line's result in script order, and the counts."""

    lines: List[LineResult]
    journal: str
    cancelled: bool = False

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)

    def as_dict(self) -> dict:
        return {
            "spoken": self.count("spoken"),
            "reused": self.count("reused"),
            "failed": self.count("failed"),
            "cancelled": self.cancelled,
            "journal": self.journal,
            "lines": [line.as_dict() for line in self.lines],
            "summary": self.summary(),
            "failures": self.failures(),
        }

    def failures(self) -> List[str]:
        """A sentence for each line that failed, and why."""
        return [
            f"line {line.number} ({line.speaker}) failed: {line.reason}"
            for line in self.lines
            if line.status == "failed"
        ]

    def summary(self) -> str:
        said = (
            f"{self.count('spoken')} lines spoken, {self.count('reused')} already spoken, {self.count('failed')} failed"
        )
        return said + (f", {self.count('waiting')} not started (cancelled)" if self.cancelled else "")


class RateLimiter:
    """At most ``requests`` starts in any ``window_s`` seconds, shared by threads; :meth:`wait`
    blocks until a start is allowed (or ``stop`` is set: :class:`Cancelled`)."""

    def __init__(self, requests: int, window_s: float, stop: threading.Event):
        self.requests, self.window_s, self._stop = requests, window_s, stop
        self._starts: Deque[float] = deque()
        self._lock = threading.Lock()

    def wait(self) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                while self._starts and now - self._starts[0] >= self.window_s:
                    self._starts.popleft()
                if len(self._starts) < self.requests:
                    self._starts.append(now)
                    return
                delay = self.window_s - (now - self._starts[0]) + 0.001
            if self._stop.wait(delay):
                raise Cancelled("the script was cancelled")


def line_key(text: str, voice_id: str, model: Optional[str], style: Dict[str, Any]) -> str:
    """What makes a spoken line the same line: its text, voice, model and how the voice speaks."""
    said = json.dumps({"text": text, "voice_id": voice_id, "model": model, "style": style}, sort_keys=True)
    return hashlib.sha256(said.encode("utf-8")).hexdigest()


class Journal:
    """The journal file of a script's folder: key -> what was spoken. Appends are synced."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self.entries: Dict[str, dict] = {}
        if path.exists():
            for row in path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(row)
                except ValueError:
                    continue  # a line torn by a kill mid-write
                if isinstance(entry, dict) and isinstance(entry.get("key"), str):
                    self.entries[entry["key"]] = entry

    def spoken(self, key: str) -> Optional[dict]:
        """The journal's entry for ``key`` whose file is still there, or None."""
        entry = self.entries.get(key)
        if entry is None or not (self.path.parent / entry.get("file", "")).is_file():
            return None
        return entry

    def record(self, entry: dict) -> None:
        with self._lock:
            self.entries[entry["key"]] = entry
            with open(self.path, "a", encoding="utf-8") as out:
                out.write(json.dumps(entry, sort_keys=True) + "\n")
                out.flush()
                os.fsync(out.fileno())


def speak_script(
    settings: Settings,
    lines: List[ScriptLine],
    out_dir: Path,
    *,
    preset: Optional[str] = None,
    model: Optional[str] = None,
    rpm: int = DEFAULT_RPM,
    parallel: int = DEFAULT_PARALLEL,
    subtitles: bool = False,
    on_event: EventSink = ignore_events,
    stop: Optional[threading.Event] = None,
) -> ScriptReport:
    """Speak ``lines`` into ``out_dir`` (one wav a line, named ``NNNN-speaker-key.wav``), each in
    its speaker's preset (``preset`` for lines that name none). Raises :class:`InputError` before
    anything is sent for an unknown speaker, a bad limit or a folder that cannot be written.
    ``stop`` (or Ctrl-C) ends the run after the lines in flight."""
    if not 1 <= rpm <= 10000:
        raise InputError(f"--rpm {rpm} is not a number of requests a minute", fix="Give --rpm 1 or more (MiniMax: 60).")
    if not 1 <= parallel <= MAX_PARALLEL:
        raise InputError(f"--parallel {parallel} is outside 1-{MAX_PARALLEL}", fix="Run 1 to 8 lines at once.")
    plans = _plan(settings, lines, preset, model, subtitles)
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        files.check_writable(out_dir, "--out")
    out_dir.mkdir(exist_ok=True)
    files.check_writable(out_dir / JOURNAL_NAME, "--out")
    for speaker in sorted({plan.speaker for plan in plans}):
        cost = speech.first_speech_note(settings, speaker)
        if cost:
            on_event(Event("note", cost))
    journal = Journal(out_dir / JOURNAL_NAME)
    stop = stop or threading.Event()
    # a little wider than the server's window: a request's trip there varies by milliseconds
    limiter = RateLimiter(rpm, settings.rate_window_s * 1.02 + 0.05, stop)
    results: Dict[int, LineResult] = {}
    todo: Deque[_Plan] = deque()
    for plan in plans:
        done = journal.spoken(plan.key) or _adopted(journal, plan, out_dir)
        if done is not None and subtitles and done.get("subtitles") is None:
            done = None  # spoken without its sentences' timings, which only a new speech gives
        if done is not None:
            results[plan.index] = plan.result("reused", done)
        else:
            todo.append(plan)
    total, started = len(todo), time.monotonic()
    on_event(Event("script", f"{len(plans) - total} of {len(plans)} lines already spoken; {total} to speak", 0, total))
    requeued: Dict[int, int] = {}
    cancelled = False
    with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="voiceclone-line") as pool:
        running: Dict[Future, _Plan] = {}
        try:
            while todo or running:
                while todo and len(running) < parallel and not stop.is_set():
                    plan = todo.popleft()
                    running[pool.submit(_speak_line, settings, plan, out_dir, journal, limiter, on_event)] = plan
                if not running:
                    break
                finished, _ = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
                for future in finished:
                    plan = running.pop(future)
                    result = future.result()
                    if (
                        result.reason == "rate limit"
                        and requeued.get(plan.index, 0) < MAX_REQUEUES
                        and not stop.is_set()
                    ):
                        requeued[plan.index] = requeued.get(plan.index, 0) + 1
                        todo.append(plan)  # its turn comes again: the run goes on
                        continue
                    results[plan.index] = result
                    done_count = sum(1 for r in results.values() if r.status != "reused")
                    on_event(Event("script", _progress(result, done_count, total, started), done_count, total))
        except KeyboardInterrupt:
            stop.set()
            cancelled = True
            on_event(Event("script", "Cancelling: waiting for the lines in flight"))
            for future, plan in running.items():
                results[plan.index] = future.result()
        cancelled = cancelled or stop.is_set()
    ordered = [results.get(plan.index) or plan.result("waiting") for plan in plans]
    return ScriptReport(ordered, str(journal.path), cancelled)


def _progress(result: LineResult, done: int, total: int, started: float) -> str:
    elapsed = time.monotonic() - started
    left = elapsed / done * (total - done) if done else 0.0
    what = f"line {result.number} ({result.speaker}) {result.status}"
    if result.reason:
        what += f": {result.reason}"
    return f"{what}; {done} of {total}, about {rules.clock(left)} left"


@dataclass
class _Plan:
    """A line made ready: its speaker's voice and settings, its key and its file's name."""

    index: int
    line: ScriptLine
    speaker: str
    model: Optional[str]
    key: str
    file: str
    subtitles: bool

    def result(self, status: str, entry: Optional[dict] = None, **more) -> LineResult:
        entry = entry or {}
        return LineResult(
            self.line.number,
            self.speaker,
            status,
            path=entry.get("file"),
            duration_s=entry.get("duration_s"),
            start_s=self.line.start_s,
            subtitles=entry.get("subtitles"),
            **more,
        )


def _plan(
    settings: Settings, lines: List[ScriptLine], preset: Optional[str], model: Optional[str], subtitles: bool
) -> List[_Plan]:
    voices = PresetStore(settings.presets_path).voices()
    missing = sorted({line.speaker or preset or "" for line in lines} - set(voices))
    if "" in missing:
        raise InputError(
            "some lines name no speaker and no --preset was given",
            fix="Give --preset NAME for them, or start each line with [Preset].",
        )
    if missing:
        raise InputError(
            f"no preset named {', '.join(repr(name) for name in missing)}",
            fix=f"Use one of: {', '.join(sorted(voices)) or '(none yet: clone a voice first)'}.",
        )
    plans = []
    for index, line in enumerate(lines):
        speaker = line.speaker or preset or ""
        held = voices[speaker]
        chosen_model = model or held.get("model")
        style = dict(held.get("speech") or {})
        style.pop("chars_per_s", None)  # a measurement, not how the voice speaks
        key = line_key(line.text, str(held["voice_id"]), chosen_model, style)
        name = f"{line.number:04d}-{files.safe_stem(speaker, 'voice')}-{key[:10]}.wav"
        plans.append(_Plan(index, line, speaker, chosen_model, key, name, subtitles))
    return plans


def _adopted(journal: Journal, plan: _Plan, out_dir: Path) -> Optional[dict]:
    """A line's file written by a run that died before its journal line: taken as spoken."""
    path = out_dir / plan.file
    if not path.is_file() or not path.stat().st_size:
        return None
    entry = {"key": plan.key, "file": plan.file, "number": plan.line.number, "speaker": plan.speaker, "adopted": True}
    journal.record(entry)
    return entry


def _speak_line(
    settings: Settings, plan: _Plan, out_dir: Path, journal: Journal, limiter: RateLimiter, on_event: Callable
) -> LineResult:
    """Speak one line (its requests through ``limiter``), then journal it. Never raises."""
    waited = [0.0]

    def gate() -> None:
        began = time.monotonic()
        limiter.wait()
        waited[0] += time.monotonic() - began

    began = time.monotonic()
    try:
        said = speech.speak(
            settings,
            plan.line.text,
            out_dir / plan.file,
            preset=plan.speaker,
            model=plan.model,
            subtitles=plan.subtitles,
            force=True,  # the folder's own file for this key: a line spoken again for its timings
            gate=gate,
            on_event=lambda event: on_event(event) if event.stage == "warning" else None,
        )
    except ApiError as exc:
        reason = "rate limit" if exc.code == 1002 else str(exc)
        return plan.result("failed", reason=reason, wall_s=time.monotonic() - began - waited[0])
    except Cancelled:
        return plan.result("waiting")
    except VoiceCloneError as exc:
        return plan.result("failed", reason=str(exc), wall_s=time.monotonic() - began - waited[0])
    entry = {
        "key": plan.key,
        "file": plan.file,
        "number": plan.line.number,
        "speaker": plan.speaker,
        "voice_id": said.voice_id,
        "duration_s": said.duration_s,
        "subtitles": said.subtitles,
        "trace_id": said.trace_id,
    }
    try:
        journal.record(entry)
    except OSError as exc:  # the speech is on disk: the next run takes its file as spoken
        reason = (
            f"the journal could not be written ({exc.strerror or exc}); the line is kept as {out_dir / plan.file}, "
            "which the next run takes as spoken"
        )
        return plan.result("failed", entry, reason=reason, wall_s=time.monotonic() - began - waited[0])
    return plan.result("spoken", entry, wall_s=time.monotonic() - began - waited[0])
