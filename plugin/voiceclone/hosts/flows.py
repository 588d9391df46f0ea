"""The features every host offers, written once against :class:`~.base.Host`.

Each function builds a :class:`~.base.Flow`; the host starts it. What differs between hosts (a
dialog in REAPER, the command line's options for Audacity) comes in as a ``choose`` callback.
Standard library only: REAPER runs these flows on its UI thread.
"""

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional

if TYPE_CHECKING:  # a script's lines are read only by the commands that speak scripts
    from ..script_file import ScriptLine

from .base import PICK_NAME, STOP, Captured, Flow, Host, PatchHost, Place, ScriptHost, Work, track_name

#: ``choose(captured)``: the clone job's options (``voice_id``, ``name``, ``settings``...), or None to stop.
ChooseClone = Callable[[Captured], Optional[Dict[str, Any]]]
#: ``choose(presets)``: the speech job's fields (``preset``, ``text``, optionally ``model``), or None to stop.
ChooseSpeech = Callable[[Dict[str, dict]], Optional[Dict[str, Any]]]
#: ``choose(captured, presets)``: the patch job's fields (``text``, ``preset``...), or None to stop.
ChoosePatch = Callable[[Captured, Dict[str, dict]], Optional[Dict[str, Any]]]


def clone_selection(host: Host, choose: ChooseClone) -> Flow:
    """Capture the selection, clone it, and put the preview on a new track below the source, at
    the region's start. The flow's result is the clone's outcome, with the ``track`` made."""
    captured: Dict[str, Captured] = {}

    job: Dict[str, Any] = {}

    def ask(_: Any):
        captured["it"] = sample = host.capture()
        options = choose(sample)
        if options is None:
            return STOP
        preview = host.new_file(options.get("name") or sample.name, "preview", ".mp3")
        job.update({"kind": "clone", **sample.sample, "source": sample.source, **options})
        if preview is not None:
            job.setdefault("preview_out", str(preview))
        if job.get("pick_s"):  # first the picker, over the whole selection: the pieces are shown, then cloned
            pick = {"kind": "pick", **sample.sample, "pick_s": job.pop("pick_s")}
            return Work(pick, title="listening for the speaker's cleanest speech")
        return Work(job, title=f"cloning '{options['voice_id']}'")

    def picked(outcome: dict):
        if "at_s" not in outcome:
            return outcome  # no picking: this is the clone's outcome
        sample = captured["it"]  # (the pick job said what it chose, as a note)
        spans = [(sample.start_s + start, sample.start_s + end) for start, end in outcome["at_s"]]
        host.mark_pieces(spans)
        question = (
            f"Clone from these {len(spans)} pieces ({outcome['total_s']:.0f} s of speech, marked as {PICK_MARK})?"
        )
        if not host.confirm(question):
            return STOP
        for key in ("capture", "start", "end"):
            job.pop(key, None)
        job.update(audio=outcome["audio"], pieces=outcome["pieces"])
        return Work(job, title=f"cloning '{job['voice_id']}'")

    def insert(outcome: dict) -> dict:
        tell(
            host,
            f"cloned voice '{outcome['voice_id']}' as preset '{outcome['preset']}'"
            + (" (reused: this sample was cloned before)" if outcome.get("reused") else ""),
            outcome,
        )
        sample = captured["it"]
        if not outcome.get("preview_path"):
            host.say("Voice clone: no preview to insert (no preview text was given).")
            return {**outcome, "track": None}
        track = host.insert(
            Path(outcome["preview_path"]),
            Place(sample.start_s, track_name(outcome["preset"]), below=sample.track),
            undo="Voice clone: insert preview",
        )
        return {**outcome, "track": track}

    return Flow(host, [ask, picked, insert])


#: How the picked pieces are marked in a DAW before they are cloned.
PICK_MARK = f"'{PICK_NAME}' regions or labels"


def speak_at_cursor(host: Host, choose: ChooseSpeech, *, list_presets: bool = True) -> Flow:
    """Pick a preset and a text, speak it, and put the speech at the cursor on the preset's track
    (made below the selected track the first time). ``choose`` gets the presets listed (with
    ``list_presets``, for a dialog) or none (a command that already names its voice). The flow's
    result is the speech's outcome, with the ``track``."""
    where: Dict[str, Any] = {}

    def presets(_: Any):
        where.update(place=host.cursor())  # as the user stood when asking
        return Work({"kind": "presets"}, title="reading presets") if list_presets else {"presets": {}}

    def ask(listing: dict):
        for note in listing.get("notes") or []:
            host.say(f"Voice clone: warning: {note}")
        picked = choose(listing["presets"])
        if picked is None:
            return STOP
        name = picked.get("preset") or picked["voice_id"]
        where.update(name=name, text=picked["text"])
        out = host.new_file(name, "speech", ".wav")
        assert out is not None, "a host always names the speech's file"
        return Work({"kind": "speak", "out": str(out), **picked}, title=f"speaking with '{name}'")

    def insert(outcome: dict) -> dict:
        preset, cursor = where["name"], where["place"]
        tell(host, f"spoke {len(where['text'])} characters with '{preset}'", outcome)
        track = host.insert(
            Path(outcome["path"]),
            Place(cursor.position_s, track_name(preset), below=cursor.below, reuse_track=True),
            undo="Voice clone: insert speech",
        )
        return {**outcome, "track": track}

    return Flow(host, [presets, ask, insert])


def patch_take(host: PatchHost, choose: ChoosePatch, *, list_presets: bool = False) -> Flow:
    """Capture the flubbed phrase, speak its words in the voice fitted and blended into the take,
    and put the patch on a track below the take, at the phrase. ``choose`` gets the presets listed
    (with ``list_presets``, for a dialog) or none. The flow's result is the patch's outcome, with
    the ``track``."""
    captured: Dict[str, Captured] = {}

    def presets(_: Any):
        captured["it"] = host.capture_around(CONTEXT_S)  # a wrong selection is said before anything else
        return Work({"kind": "presets"}, title="reading presets") if list_presets else {"presets": {}}

    def ask(listing: dict):
        for note in listing.get("notes") or []:
            host.say(f"Voice clone: warning: {note}")
        take = captured["it"]
        options = choose(take, listing["presets"])
        if options is None:
            return STOP
        return Work({"kind": "patch", **take.sample, **options}, title="patching the take")

    def insert(outcome: dict) -> dict:
        name = outcome.get("preset") or outcome["voice_id"]
        tell(host, f"patched {outcome['selection_s']:.2f} s with '{name}' at speed {outcome['speed']:.2f}", outcome)
        take = captured["it"]
        # The first take of the line plays over the phrase; each variant lies muted below it, to pick by ear.
        takes = []
        for number, spoken in enumerate([outcome, *outcome.get("variants", [])]):
            # the patch alone goes where it starts; a whole patched take, where the take starts
            alone = spoken.get("patch_path")
            made = Path(str(alone or spoken["path"]))
            label = PATCH_PREFIX + name + (f" ({spoken['emotion']})" if spoken.get("emotion") else "")
            at = take.offset_s + (spoken["patch_start_s"] if alone else 0.0)
            takes.append((made, Place(at, label, below=take.track, over=number == 0, muted=number > 0)))
        tracks = host.insert_takes(takes, undo="Voice clone: patch")
        return {**outcome, "track": tracks[0], "variant_tracks": tracks[1:]}

    return Flow(host, [presets, ask, insert])


#: ``choose(lines, presets)``: the script job's fields (``preset`` for lines naming none, ``subtitles``...), or None.
ChooseScript = Callable[[List["ScriptLine"], Dict[str, dict]], Optional[Dict[str, Any]]]


def speak_script(host: ScriptHost, choose: ChooseScript) -> Flow:
    """Speak the script laid out in the project: each line in its speaker's voice, at its start,
    on one track per speaker, all in one undo point. Lines spoken before (the journal in the
    host's script folder) are not paid again. The flow's result is the run's report, with the
    ``placed`` lines."""
    script: Dict[str, Any] = {}

    def presets(_: Any):
        script.update(lines=host.script_lines())
        return Work({"kind": "presets"}, title="reading presets")

    def ask(listing: dict):
        for note in listing.get("notes") or []:
            host.say(f"Voice clone: warning: {note}")
        lines: List[ScriptLine] = script["lines"]
        options = choose(lines, listing["presets"])
        if options is None:
            return STOP
        job = {
            "kind": "script",
            "lines": [asdict(line) for line in lines],
            "out": str(host.script_folder()),
            **options,
        }
        return Work(job, title=f"speaking {len(lines)} lines")

    def insert(report: dict) -> dict:
        folder = host.script_folder()
        done = [line for line in report["lines"] if line.get("path")]
        placed = host.insert_lines(
            [
                (
                    folder / line["path"],
                    Place(line["start_s"] or 0.0, track_name(line["speaker"]), reuse_track=True),
                    line.get("subtitles") or [],
                )
                for line in done
            ],
            undo="Voice clone: speak script",
        )
        host.say(f"Voice clone: {report['summary']}.")
        for failure in report["failures"]:
            host.say(f"  {failure}")
        return {**report, "placed": placed}

    return Flow(host, [presets, ask, insert])


#: Where a patch goes: a track of its own, named after the voice.
PATCH_PREFIX = "Voice clone patch: "
#: The take around a phrase a patch is blended against (speech, spectrum, room tone), on each side.
CONTEXT_S = 10.0


def tell(host: Host, what: str, outcome: dict) -> None:
    """Say what a job did, and its warnings."""
    host.say(f"Voice clone: {what}.")
    for warning in outcome.get("warnings") or []:
        host.say(f"  warning: {warning}")
