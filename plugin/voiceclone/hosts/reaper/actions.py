"""The REAPER actions. Each thin script in ``scripts/VoiceClone/`` calls :func:`run` with its
action id and its ``__main__`` globals.

Dialogs are shown only before a job starts or after it ended, never while it runs; every error
becomes one plain message (:meth:`.api.Reaper.report`), in the action and in the job's callbacks.
"""

from datetime import datetime
from typing import Callable, Dict, List, Optional

from ... import rules
from ...errors import InputError
from .. import flows
from ..base import STOP, Captured, Flow, Work, suggest_voice_id
from .api import Reaper
from .host import ReaperHost
from .runner import SECTION, clear_stale_job, job_running, request_cancel

DEFAULT_PREVIEW = "Hello! This is a preview of my cloned voice, made right inside REAPER."


def run(action: str, namespace: Dict, python: str, package_path: str) -> None:
    """Run one action in a script's ``__main__`` namespace; turn every error into a message.

    ``python`` is the plugin's own interpreter and ``package_path`` the folder holding its package,
    both named by the install config (see :mod:`.install`).
    """
    rpr = Reaper(namespace, python, package_path)
    try:
        ACTIONS[action](rpr)
    except Exception as exc:  # noqa: BLE001 (every error, a bug too, becomes one plain message)
        rpr.report(exc)


def clone_from_selection(rpr: Reaper) -> None:
    """Capture the selection, ask for the voice's name, clone it, insert the preview below."""
    if _busy(rpr):
        return
    host = ReaperHost(rpr)

    def choose(captured: Captured) -> Optional[dict]:
        title = "Clone voice from selection"
        long = captured.length_s > rules.CLONE_MAX_S
        if long:
            title += f" ({rules.clock(captured.length_s)} selected: pick its best speech, or the first 5:00 are used)"
        answers = host.ask(
            title,
            [
                "Preset name",
                "Voice ID",
                "Preview text (empty: none)",
                "Model",
                "Language (empty or auto)",
                "Consent (who agreed; when)",
                "Pick the best speech (no | yes | m:ss of it)",
            ],
            [
                captured.name,
                suggest_voice_id(captured.name, datetime.now()),
                _remembered(rpr, "text", DEFAULT_PREVIEW),
                _remembered(rpr, "model", rules.DEFAULT_MODEL),
                _remembered(rpr, "language", ""),
                "",
                "yes" if long else "no",
            ],
        )
        if answers is None:
            return None
        preset, voice_id, typed_text, typed_model, typed_language, consent, pick = answers
        pick_s = _pick_length(pick)
        preset = rules.check_preset_name(preset)
        text, model, text_warnings = rules.check_preview(typed_text or None, typed_model or None)
        for warning in rules.check_voice_id(voice_id) + text_warnings:
            host.say(f"Voice clone: note: {warning}")
        language = rules.check_language(typed_language or None, model)
        _remember(rpr, text=text or "", model=model or "", language=language or "")
        return {
            "voice_id": voice_id,
            "name": preset,
            "consent": consent,
            "settings": {"text": text, "model": model, "language_boost": language},
            **({"pick_s": pick_s} if pick_s else {}),
        }

    flows.clone_selection(host, choose).start()


def speak_at_cursor(rpr: Reaper) -> None:
    """Pick a preset, type text, insert the speech at the edit cursor (or time selection start)."""
    if _busy(rpr):
        return
    host = ReaperHost(rpr)

    def choose(presets: dict) -> Optional[dict]:
        names = _preset_names(presets)
        answers = host.ask(
            "Speak text with voice preset",
            [_choices("Preset", names), "Text"],
            [_remembered(rpr, "preset", names[0]), ""],
        )
        if answers is None:
            return None
        preset, text = answers
        if preset not in presets:
            raise InputError(f"there is no preset named '{preset}'", fix=f"Use one of: {', '.join(names)}.")
        rules.check_text(text, what="text", limit=rules.SPEECH_TEXT_MAX)
        if not _first_speech_confirmed(host, presets[preset], "Speak?"):
            return None
        _remember(rpr, preset=preset)
        return {"preset": preset, "text": text}

    flows.speak_at_cursor(host, choose).start()


def patch_phrase(rpr: Reaper) -> None:
    """Replace the phrase in the time selection with the same words in the track's voice: the
    patched item becomes a new take of it (flip back with REAPER's take switching)."""
    if _busy(rpr):
        return
    host = ReaperHost(rpr)

    def choose(captured: Captured, presets: dict) -> Optional[dict]:
        names = _preset_names(presets)
        track = host.track(captured.track)
        remembered = rpr.GetSetMediaTrackInfo_String(track, VOICE_KEY, "", False)[3]
        answers = host.ask(
            "Patch the selected phrase",
            [
                "What it should say",
                _choices("Voice preset", names),
                f"Takes to pick from (1-{rules.PATCH_VARIANTS_MAX})",
            ],
            [
                "",
                remembered if remembered in presets else _remembered(rpr, "preset", captured.name),
                _remembered(rpr, "variants", "1"),
            ],
        )
        if answers is None:
            return None
        text, preset, typed_variants = answers
        rules.check_text(text, what="text", limit=rules.SPEECH_TEXT_MAX)
        if preset not in presets:
            raise InputError(
                f"there is no preset named '{preset}'" if preset else "no voice preset was given",
                fix=f"Type the preset of the voice that speaks on this track: one of {', '.join(names)}.",
            )
        variants = rules.check_variants(typed_variants or "1")
        if not _first_speech_confirmed(host, presets[preset], "Patch?"):
            return None
        rpr.GetSetMediaTrackInfo_String(track, VOICE_KEY, preset, True)  # the track's voice, kept in the project
        _remember(rpr, variants=str(variants))
        out = host.new_file(preset, "patch", ".wav")
        return {"text": text, "preset": preset, "variants": variants, "out": str(out)}

    flows.patch_take(host, choose, list_presets=True).start()


def speak_script(rpr: Reaper) -> None:
    """Speak the project's regions and markers as a script: each name is a line (``[Preset]``
    prefix: its speaker), spoken at its start on the speaker's track; lines spoken before (the
    journal in the project's media folder) are not paid again."""
    if _busy(rpr):
        return
    host = ReaperHost(rpr)

    def choose(lines: list, presets: dict) -> Optional[dict]:
        names = _preset_names(presets)
        unnamed = sum(1 for line in lines if not line.speaker)
        answers = host.ask(
            f"Speak {len(lines)} lines from regions ({unnamed} without [Preset])",
            [
                _choices("Voice for lines without [Preset]", names),
                "Sentence markers (yes/no)",
            ],
            [_remembered(rpr, "preset", names[0]), _remembered(rpr, "script_markers", "yes")],
        )
        if answers is None:
            return None
        preset, markers = answers
        speakers = {line.speaker or preset for line in lines}
        missing = sorted(name for name in speakers if name not in presets)
        if missing:
            raise InputError(
                f"no preset named {', '.join(repr(name) for name in missing)}",
                fix=f"Name the lines' speakers with one of: {', '.join(names)}.",
            )
        for speaker in sorted(speakers):
            if not _first_speech_confirmed(host, presets[speaker], "Speak the script?"):
                return None
        _remember(rpr, preset=preset, script_markers=markers)
        return {"preset": preset, "subtitles": markers.lower().startswith("y")}

    flows.speak_script(host, choose).start()


#: Where a track keeps the preset of the voice that speaks on it (project ExtState, saved with the project).
VOICE_KEY = "P_EXT:voiceclone_preset"


def voice_presets(rpr: Reaper) -> None:
    """List presets with their time left; remove a preset or delete its voice on MiniMax."""
    if _busy(rpr):
        return
    host = ReaperHost(rpr)
    chosen: Dict[str, str] = {}

    def pick(listing: dict):
        for note in listing.get("notes") or []:
            host.say(f"Voice clone: warning: {note}")
        presets = listing["presets"]
        lines = [f"{name}: {p['voice_id']}, {p['lifetime']}" for name, p in sorted(presets.items())]
        answers = host.ask(
            "Voice presets",
            ["Preset", f"Action ({' | '.join(PRESET_ACTIONS)})"],
            ["", "activate"],
            note="\n".join(lines) or "No presets yet.",
        )
        if answers is None or not answers[0]:
            return STOP
        name, action = answers
        if name not in presets:
            raise InputError(f"there is no preset named '{name}'", fix="Type a name from the list.")
        if action not in PRESET_ACTIONS:
            raise InputError(f"unknown action '{action}'", fix=f"Type one of: {', '.join(PRESET_ACTIONS)}.")
        kind, question = PRESET_ACTIONS[action]
        if kind == "reclone" and presets[name]["lifetime"] == "active":
            question = rules.RECLONE_ACTIVE_COST
        if question and not host.confirm(question.format(name=name, voice_id=presets[name]["voice_id"])):
            return STOP
        chosen["action"] = action
        if kind == "set_speech":
            job = _speech_settings(host, name, presets[name])
            return STOP if job is None else Work(job, title=f"setting how '{name}' speaks")
        return Work({"kind": kind, "name": name, "voice_id": presets[name]["voice_id"]}, title=f"{action} '{name}'")

    Flow(
        host,
        [
            lambda _: Work({"kind": "presets"}, title="reading presets"),
            pick,
            lambda outcome: flows.tell(host, f"{chosen['action']}: done", outcome),
        ],
    ).start()


def _speech_settings(host: ReaperHost, name: str, preset: dict) -> Optional[dict]:
    """Ask how preset ``name``'s voice speaks (its current settings filled in); the job that sets
    them, or None when the user cancels. An empty field is MiniMax's default."""
    held = preset.get("speech") or {}
    shown = [held.get(key) for key in ("speed", "vol", "pitch", "emotion")]
    answers = host.ask(
        f"How '{name}' speaks (empty: MiniMax's default)",
        [
            "Speed (0.5-2)",
            "Volume (0-10)",
            "Pitch (-12..12)",
            f"Emotion ({' | '.join(rules.EMOTIONS)})",
            "Say (WORD=HOW; WORD=HOW)",
        ],
        ["" if value is None else str(value) for value in shown] + ["; ".join(held.get("pronunciation") or [])],
    )
    if answers is None:
        return None
    speed, vol, pitch, emotion, say = answers
    try:
        changes = {
            "speed": float(speed) if speed else None,
            "vol": float(vol) if vol else None,
            "pitch": int(pitch) if pitch else None,
            "emotion": emotion or None,
        }
    except ValueError as exc:
        raise InputError(
            f"a speech setting is not a number ({exc})", fix="Type numbers, or leave a field empty."
        ) from exc
    entries = [entry.strip() for entry in say.split(";") if entry.strip()]
    return {"kind": "set_speech", "name": name, "changes": changes, "say": entries, "clear": True}


#: What the Voice presets action offers: typed word -> (job kind, question asked first or None).
PRESET_ACTIONS = {
    "activate": (
        "activate",
        "Activate preset '{name}'? MiniMax makes the voice permanent and charges the clone fee on this first speech.",
    ),
    "re-clone": ("reclone", rules.RECLONE_COST),
    "speech": ("set_speech", None),
    "remove": ("remove_preset", None),
    "delete voice": ("delete_voice", "Delete voice '{voice_id}' on MiniMax for good? Its id can never be used again."),
}


def cancel_job(rpr: Reaper) -> None:
    """Ask the running job to stop; it ends its child and leaves the project as it was. A "job
    running" mark that no live job keeps fresh is cleared."""
    if job_running(rpr):
        request_cancel(rpr)
    elif clear_stale_job(rpr):
        rpr.console("Voice clone: no voice job is running; cleared a stale 'job running' mark.")
    else:
        rpr.console("Voice clone: no voice job is running.")


ACTIONS: Dict[str, Callable[[Reaper], None]] = {
    "clone_from_selection": clone_from_selection,
    "speak_at_cursor": speak_at_cursor,
    "voice_presets": voice_presets,
    "patch_phrase": patch_phrase,
    "speak_script": speak_script,
    "cancel_job": cancel_job,
}


# -- helpers ---------------------------------------------------------------------------------


def _preset_names(presets: dict) -> List[str]:
    """The presets' names, sorted; :class:`InputError` when there are none yet."""
    if not presets:
        raise InputError("there are no voice presets yet", fix="Clone a voice from a selection first.")
    return sorted(presets)


def _choices(label: str, names: List[str]) -> str:
    """A dialog field's caption listing the choices: GetUserInputs splits captions at commas."""
    return f"{label} ({' | '.join(names)})"[:200].replace(",", ";")


def _first_speech_confirmed(host: ReaperHost, preset: dict, question: str) -> bool:
    """True for a voice already paid for; for a temporary one, the user's yes to its first speech's fee."""
    if not preset["lifetime"].startswith("temporary"):
        return True
    cost = rules.FIRST_SPEECH_COST.format(voice_id=preset["voice_id"])
    return host.confirm(f"{cost[0].upper()}{cost[1:]}. {question}")


def _pick_length(typed: str) -> Optional[float]:
    """The dialog's pick field: no (or empty) -> None, yes -> about 2:00, a time -> that much."""
    answer = typed.strip().lower()
    if answer in ("", "no", "n"):
        return None
    if answer in ("yes", "y"):
        return rules.PICK_TARGET_S
    try:
        return rules.check_pick_length(rules.parse_time(answer))
    except ValueError as exc:
        raise InputError(
            f"'{typed}' is not yes, no or a length", fix="Type yes, no, or a length such as 2:00."
        ) from exc


def _busy(rpr: Reaper) -> bool:
    clear_stale_job(rpr)
    if job_running(rpr):
        rpr.console(
            "Voice clone: a voice job is already running; wait for it, or run 'Voice clone: Cancel running voice job'."
        )
        return True
    return False


def _remembered(rpr: Reaper, key: str, default: str) -> str:
    return rpr.GetExtState(SECTION, key) if rpr.HasExtState(SECTION, key) else default


def _remember(rpr: Reaper, **values: str) -> None:
    for key, value in values.items():
        rpr.SetExtState(SECTION, key, value, True)
