"""Background jobs for DAW hosts: ``python -m voiceclone.worker JOBFILE --events FILE``.

A host writes a job file (JSON) and starts this module as a child process, so the DAW's UI thread
does no network or audio work. The child reports through an events file, one JSON object per line,
which the host reads a little at a time (:class:`voiceclone.events_file.EventsFileReader`):

``{"event": "progress", "stage": ..., "message": ..., "done": ..., "total": ...}``
``{"event": "result", "data": {...}}``  (the job's outcome, as ``--json`` prints it)
``{"event": "error", "message": ..., "fix": ..., "exit_code": ...}``

Job files (each may add ``"presets"`` and ``"base_url"``):
``{"kind": "clone", "capture": <CapturePlan> | "audio": <file>, "voice_id": ..., "name": ..., "settings":
{<CloneSettings>}, "preview_out": ...}`` (and any other :class:`~voiceclone.options.CloneOptions` field);
``{"kind": "speak", "text": ..., "preset" | "voice_id": ..., "out": ..., "model": ..., "format": ..., "force": ...,
"style": {"speed", "vol", "pitch", "emotion", "pronunciation"}}``;
``{"kind": "presets"}`` (``presets``: every preset with its ``lifetime``; ``notes``: a line for
each voice that may exist but is unconfirmed); ``{"kind": "remove_preset", "name": ...}``;
``{"kind": "delete_voice", "voice_id": ...}``; ``{"kind": "activate" | "reclone", "name": ...}``.
``{"kind": "set_speech", "name": ..., "changes": {...}, "say": [...]}``;

Listing presets for a host's dialog imports neither the audio nor the HTTP modules, so it starts
in less than half the time.
"""

import argparse
import json
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional

from . import capture, leftovers, reconcile
from .errors import InputError, VoiceCloneError, plain
from .events_file import EventsFileWriter
from .leftovers import temp_folder
from .presets import PresetStore, listed
from .settings import Settings


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m voiceclone.worker JOBFILE --events FILE``: run one job; return its exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m voiceclone.worker", description="Run a DAW host's job, reporting to an events file."
    )
    parser.add_argument("job_file", type=Path, help="the job (JSON) written by the host")
    parser.add_argument("--events", type=Path, required=True, help="where to append progress and the result")
    args = parser.parse_args(argv)
    return run_job(args.job_file, args.events, os.environ)


def run_job(job_file: Path, events_file: Path, env: Mapping[str, str]) -> int:
    """Run one job, reporting to ``events_file``; return the exit code."""
    log = EventsFileWriter(events_file)
    previous = signal.signal(signal.SIGTERM, _cancel)
    try:
        try:
            job = json.loads(Path(job_file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read the job file {job_file}: {exc}") from exc
        settings = Settings.from_env(env, base_url=job.get("base_url"), presets=job.get("presets"))
        folder = settings.presets_path.parent
        leftovers.clean([folder, folder / "previews", folder / "samples"])
        try:  # what a killed or cancelled job left is settled here too
            reconcile.settle(settings)
        except (VoiceCloneError, OSError):
            pass
        log.write("result", data=perform(job, settings, log.progress))
        return 0
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 (every failure: one plain error event)
        if not isinstance(exc, (VoiceCloneError, KeyboardInterrupt)):
            traceback.print_exc()  # a bug: its traceback goes to the job's log
        return _report(log, plain(exc, bug_fix="Run the action again; if it happens again, report this message."))
    finally:
        signal.signal(signal.SIGTERM, previous)
        log.close()


def perform(job: dict, settings: Settings, on_event: Callable) -> dict:
    """Do one job and return its outcome as ``--json`` prints it. The one place a host's job is
    carried out: in this child process for REAPER, in the command's own process for the others."""
    kind = job.get("kind")  # each kind imports what it needs: a speech needs no audio stack
    if kind == "presets":  # fills a host's dialog: kept light, without the audio and HTTP modules
        store = PresetStore(settings.presets_path)
        return {
            "presets": {name: listed(preset) for name, preset in store.voices().items()},
            "notes": reconcile.describe(reconcile.unconfirmed(store)),
        }
    if kind == "clone":
        return _clone(job, settings, on_event).as_dict()
    if kind == "speak":
        from . import speech

        return speech.speak(
            settings,
            job["text"],
            Path(job["out"]),
            preset=job.get("preset"),
            voice_id=job.get("voice_id"),
            model=job.get("model"),
            fmt=job.get("format"),
            force=bool(job.get("force")),
            style=job.get("style"),
            on_event=on_event,
        ).as_dict()
    if kind == "patch":
        return _patch(job, settings, on_event)
    if kind == "pick":
        return _pick(job, on_event)
    if kind == "script":
        from . import script_run
        from .script_file import ScriptLine, check_lines

        lines = check_lines([ScriptLine(**line) for line in job["lines"]], job.get("where") or "the script")
        return script_run.speak_script(
            settings,
            lines,
            Path(job["out"]),
            preset=job.get("preset"),
            model=job.get("model"),
            rpm=int(job.get("rpm") or script_run.DEFAULT_RPM),
            parallel=int(job.get("parallel") or script_run.DEFAULT_PARALLEL),
            subtitles=bool(job.get("subtitles")),
            on_event=on_event,
        ).as_dict()
    if kind in ("set_speech", "remove_preset", "delete_voice"):
        return _account(kind, job, settings)
    if kind == "activate":
        from . import lifecycle

        return lifecycle.activate(settings, job["name"], on_event=on_event)
    if kind == "reclone":
        from . import lifecycle

        return lifecycle.reclone(settings, job["name"], on_event=on_event).as_dict()
    raise InputError(f"unknown job kind {kind!r}")


def _account(kind: str, job: dict, settings: Settings) -> dict:
    """The preset and voice jobs of :mod:`.account`."""
    from . import account

    if kind == "set_speech":
        return account.set_speech(
            settings,
            job["name"],
            changes=job.get("changes") or {},
            say=job.get("say") or (),
            clear=bool(job.get("clear")),
        )
    if kind == "remove_preset":
        return {"removed": job["name"], "preset": account.remove_preset(settings, job["name"])}
    return {"deleted": job["voice_id"], "presets": account.delete_voice(settings, job["voice_id"])}


def _patch(job: dict, settings: Settings, on_event: Callable) -> dict:
    """A patch of ``job["audio"]`` (a file) or of ``job["capture"]`` (a plan to render first)."""
    from . import patch
    from .events import Event

    with temp_folder("capture") as tmp:
        if job.get("capture"):
            on_event(Event("capture", "Reading the take"))
            plan = capture.CapturePlan.from_dict(job["capture"])
            take = capture.render(plan, Path(tmp) / "take.wav", max_s=None)
        else:
            take = Path(job["audio"])
        return patch.patch(
            settings,
            take,
            start=job["start"],
            end=job.get("end"),
            text=job["text"],
            out=Path(job["out"]) if job.get("out") else None,
            patch_out=Path(job["patch_out"]) if job.get("patch_out") else None,
            preset=job.get("preset"),
            voice_id=job.get("voice_id"),
            model=job.get("model"),
            force=bool(job.get("force")),
            variants=int(job.get("variants") or 1),
            on_event=on_event,
        ).as_dict()


def _pick(job: dict, on_event: Callable) -> dict:
    """The speaker's cleanest speech in ``job["audio"]`` (its ``start``..``end``), or in a host's
    capture of one stretch of one file: its ``pieces`` in that file's seconds, ``at_s`` where each
    lies from the capture's start, the ``audio`` file, the summary and the doctor's checks."""
    from . import picker, rules
    from .capture import CapturePlan
    from .events import Event

    start, end, offset = job.get("start"), job.get("end"), 0.0
    if job.get("capture"):
        plan = CapturePlan.from_dict(job["capture"])
        if len(plan.segments) != 1 or abs(plan.segments[0].playrate - 1.0) > 1e-9:
            raise InputError(
                "picking works on one item of one file, and the selection plays several or a stretched one",
                fix="Glue the items (Item > Glue items), or select one item, then run it again.",
            )
        segment = plan.segments[0]
        audio, start, end = segment.source, segment.source_start_s, segment.source_start_s + segment.length_s
        offset = segment.position_s - segment.source_start_s
    else:
        audio = job["audio"]
    found = picker.pick(
        Path(audio), target_s=float(job.get("pick_s") or rules.PICK_TARGET_S), start=start, end=end, on_event=on_event
    )
    on_event(Event("note", found.summary()))
    return {
        **found.as_dict(),
        "audio": str(audio),
        "at_s": [[p.start_s + offset, p.end_s + offset] for p in found.pieces],
        "summary": found.summary(),
    }


def _clone(job: dict, settings: Settings, on_event: Callable):
    """A clone of ``job["capture"]`` (a plan to render) or of ``job["audio"]`` (a file); the other
    keys are :class:`~voiceclone.options.CloneOptions` fields, paths as strings."""
    from . import jobs, rules
    from .events import Event
    from .options import CloneOptions, CloneSettings

    paths = ("audio", "preview_out", "prompt_audio", "consent_audio")
    given: Dict[str, Any] = {
        key: (Path(value) if key in paths and value else value)
        for key, value in job.items()
        if key not in ("kind", "capture", "settings", "presets", "base_url")
    }
    given["consent"] = given.get("consent") or None
    plan = capture.CapturePlan.from_dict(job["capture"]) if job.get("capture") else None
    with temp_folder("capture") as tmp:
        if plan is not None:
            on_event(Event("capture", "Reading the selected audio"))
            given.update(
                audio=capture.render(plan, Path(tmp) / "capture.wav"), source=given.get("source") or plan.description
            )
        outcome = jobs.clone(
            settings, CloneOptions(settings=CloneSettings(**job.get("settings", {})), **given), on_event=on_event
        )
    if plan is not None and plan.length_s > rules.CLONE_MAX_S:
        outcome.warnings.append(
            f"the selection is {plan.length_s:.1f} s; its first {rules.clock(rules.CLONE_MAX_S)} were used"
        )
    return outcome


def _report(log: EventsFileWriter, error: VoiceCloneError) -> int:
    log.write(
        "error",
        message=str(error),
        fix=error.fix or None,
        exit_code=error.exit_code,
        code=getattr(error, "code", None),
        trace_id=getattr(error, "trace_id", None),
    )
    return error.exit_code


def _cancel(signum, frame) -> None:
    """The host's Cancel ends the child with SIGTERM: unwind like Ctrl-C, so temp files go."""
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
