"""The REAPER actions. Each thin script in ``scripts/VoiceClone/`` calls :func:`run` with its
action id and its ``__main__`` globals.

Dialogs are shown only before a job starts or after it ended, never while it runs; every error
becomes one plain message (:meth:`.api.Reaper.report`), in the action and in the job's callbacks.
"""
from datetime import datetime
from pathlib import Path
from typing import Callable, Dict, List, Optional

from ... import rules
from ...errors import Cancelled, InputError
from ..base import media_path, suggest_voice_id, track_name
from .api import Reaper, is_null
from .project import capture_selection, current_tab, insert_audio, media_folder, track_guid
from .runner import SECTION, BackgroundJob, clear_stale_job, job_running, request_cancel

DEFAULT_PREVIEW = "Hello! This is a preview of my cloned voice, made right inside REAPER."
#: GetUserInputs' buffer: the bridge allocates 4 MB but REAPER fills only the size it is told, so it
#: must hold the longest speech text in UTF-8 (up to 4 bytes a character) plus the other fields.
DIALOG_BUFFER = 4 * rules.SPEECH_TEXT_MAX + 4096


def run(action: str, namespace: Dict, python: str, package_path: str) -> None:
    """Run one action in a script's ``__main__`` namespace; turn every error into a message.

    ``python`` is the plugin's own interpreter and ``package_path`` the folder holding its package,
    both named by the install config (see :mod:`.install`).
    """
    rpr = Reaper(namespace, python, package_path)
    try:
        ACTIONS[action](rpr)
    except Exception as exc:        # noqa: BLE001 (every error, a bug too, becomes one plain message)
        rpr.report(exc)


def clone_from_selection(rpr: Reaper) -> None:
    """Capture the selection, ask for the voice's name, clone it, insert the preview below."""
    if _busy(rpr):
        return
    captured = capture_selection(rpr)
    name = captured.take_name or captured.track_name
    now = datetime.now()
    title = "Clone voice from selection"
    if captured.plan.length_s > rules.CLONE_MAX_S:
        title += f" ({captured.plan.length_s:.0f} s selected: the first {rules.clock(rules.CLONE_MAX_S)} are used)"
    answers = _ask(rpr, title, ["Preset name", "Voice ID", "Preview text (empty: none)", "Model",
                                "Language (empty or auto)", "Consent (who agreed; when)"],
                   [name, suggest_voice_id(name, now), _remembered(rpr, "text", DEFAULT_PREVIEW),
                    _remembered(rpr, "model", rules.DEFAULT_MODEL), _remembered(rpr, "language", ""), ""])
    if answers is None:
        return
    preset, voice_id, text, model, language, consent = answers
    preset = rules.check_preset_name(preset)
    text, model, text_warnings = rules.check_preview(text or None, model or None)
    for warning in rules.check_voice_id(voice_id) + text_warnings:
        rpr.console(f"Voice clone: note: {warning}")
    language = rules.check_language(language or None, model)
    _remember(rpr, text=text or "", model=model or "", language=language or "")
    preview = media_path(media_folder(rpr), preset, "preview", now, ".mp3")

    def inserted(data: dict) -> None:
        _report(rpr, f"cloned voice '{data['voice_id']}' as preset '{data['preset']}'"
                     + (" (reused: this sample was cloned before)" if data.get("reused") else ""), data)
        if data.get("preview_path"):
            insert_audio(rpr, Path(data["preview_path"]), tab=captured.tab, track_name=track_name(data["preset"]),
                         position_s=captured.start_s, below_guid=captured.track_guid,
                         undo="Voice clone: insert preview")
        else:
            rpr.console("Voice clone: no preview to insert (no preview text was given).")

    job = {"kind": "clone", "capture": captured.plan.as_dict(), "voice_id": voice_id, "name": preset,
           "settings": {"text": text, "model": model, "language_boost": language}, "preview_out": str(preview),
           "consent": consent}
    BackgroundJob(rpr, job, title=f"cloning '{voice_id}'", on_result=inserted,
                  on_error=_failed(rpr)).start()


def speak_at_cursor(rpr: Reaper) -> None:
    """Pick a preset, type text, insert the speech at the edit cursor (or time selection start)."""
    if _busy(rpr):
        return
    _, _, _, start, end, _ = rpr.GetSet_LoopTimeRange2(0, False, False, 0.0, 0.0, False)
    position = start if end > start else rpr.GetCursorPosition()
    selected = rpr.GetSelectedTrack(0, 0)
    below = None if is_null(selected) else track_guid(rpr, selected)
    tab, folder = current_tab(rpr), media_folder(rpr)      # the speech belongs to this tab's project

    def chosen(presets: dict) -> None:
        if not presets:
            raise InputError("there are no voice presets yet", fix="Clone a voice from a selection first.")
        names = sorted(presets)
        answers = _ask(rpr, "Speak text with voice preset", [f"Preset ({' | '.join(names)})"[:200].replace(",", ";"), "Text"],
                       [_remembered(rpr, "preset", names[0]), ""])
        if answers is None:
            return
        preset, text = answers
        if preset not in presets:
            raise InputError(f"there is no preset named '{preset}'", fix=f"Use one of: {', '.join(names)}.")
        rules.check_text(text, what="text", limit=rules.SPEECH_TEXT_MAX)
        if presets[preset]["lifetime"].startswith("temporary"):
            cost = rules.FIRST_SPEECH_COST.format(voice_id=presets[preset]["voice_id"])
            if rpr.message(cost[0].upper() + cost[1:] + ". Speak?", buttons=4) != 6:
                return
        _remember(rpr, preset=preset)
        out = media_path(folder, preset, "speech", datetime.now(), ".wav")

        def inserted(data: dict) -> None:
            _report(rpr, f"spoke {len(text)} characters with '{preset}'", data)
            insert_audio(rpr, Path(data["path"]), tab=tab, track_name=track_name(preset), position_s=position,
                         below_guid=below, undo="Voice clone: insert speech", reuse_track=True)

        job = {"kind": "speak", "text": text, "preset": preset, "out": str(out)}
        BackgroundJob(rpr, job, title=f"speaking with '{preset}'", on_result=inserted,
                      on_error=_failed(rpr)).start()

    _fetch_presets(rpr, chosen)


def voice_presets(rpr: Reaper) -> None:
    """List presets with their time left; remove a preset or delete its voice on MiniMax."""
    if _busy(rpr):
        return

    def listed(presets: dict) -> None:
        lines = [f"{name}: {p['voice_id']}, {p['lifetime']}" for name, p in sorted(presets.items())]
        answers = _ask(rpr, "Voice presets", ["Preset", f"Action ({' | '.join(PRESET_ACTIONS)})"], ["", "activate"],
                       note="\n".join(lines) or "No presets yet.")
        if answers is None or not answers[0]:
            return
        name, action = answers
        if name not in presets:
            raise InputError(f"there is no preset named '{name}'", fix="Type a name from the list.")
        if action not in PRESET_ACTIONS:
            raise InputError(f"unknown action '{action}'", fix=f"Type one of: {', '.join(PRESET_ACTIONS)}.")
        kind, question = PRESET_ACTIONS[action]
        if kind == "reclone" and presets[name]["lifetime"] == "active":
            question = rules.RECLONE_ACTIVE_COST
        if question and rpr.message(question.format(name=name, voice_id=presets[name]["voice_id"]), buttons=4) != 6:
            return
        job = {"kind": kind, "name": name, "voice_id": presets[name]["voice_id"]}
        BackgroundJob(rpr, job, title=f"{action} '{name}'", on_result=lambda data: _report(rpr, f"{action}: done", data),
                      on_error=_failed(rpr)).start()

    _fetch_presets(rpr, listed)


#: What the Voice presets action offers: typed word -> (job kind, question asked first or None).
PRESET_ACTIONS = {
    "activate": ("activate", "Activate preset '{name}'? MiniMax makes the voice permanent and charges the clone "
                             "fee on this first speech."),
    "re-clone": ("reclone", rules.RECLONE_COST),
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
    "cancel_job": cancel_job,
}


# -- helpers ---------------------------------------------------------------------------------

def _busy(rpr: Reaper) -> bool:
    clear_stale_job(rpr)
    if job_running(rpr):
        rpr.console("Voice clone: a voice job is already running; wait for it, or run "
                    "'Voice clone: Cancel running voice job'.")
        return True
    return False


def _fetch_presets(rpr: Reaper, then: Callable[[dict], None]) -> None:
    """Read the presets in the background, then call ``then(presets)``; voices that may exist but
    are unconfirmed are named in the console first."""
    def read(data: dict) -> None:
        for note in data.get("notes") or []:
            rpr.console(f"Voice clone: warning: {note}")
        then(data["presets"])

    BackgroundJob(rpr, {"kind": "presets"}, title="reading presets", on_result=read, on_error=_failed(rpr)).start()


def _failed(rpr: Reaper) -> Callable[[dict], None]:
    def show(event: dict) -> None:
        lines = [f"error: {event.get('message')}"] + ([f"fix: {event['fix']}"] if event.get("fix") else [])
        if event.get("exit_code") == Cancelled.exit_code:
            rpr.console("\n".join(["Voice clone: " + event.get("message", "cancelled")] + lines[1:]))
        else:
            rpr.message("\n".join(lines))
    return show


def _report(rpr: Reaper, what: str, data: dict) -> None:
    rpr.console(f"Voice clone: {what}.")
    for warning in data.get("warnings") or []:
        rpr.console(f"  warning: {warning}")


def _ask(rpr: Reaper, title: str, captions: List[str], defaults: List[str], note: str = "") -> Optional[List[str]]:
    """One GetUserInputs dialog (values may hold commas); None when the user cancels."""
    if note:
        rpr.console(note)
    ok, _, _, _, values, _ = rpr.GetUserInputs(title, len(captions), ",".join(captions) + ",extrawidth=320,separator=\n",
                                               "\n".join(defaults), DIALOG_BUFFER)
    if not ok:
        return None
    answers = values.split("\n")
    return [a.strip() for a in answers + [""] * (len(captions) - len(answers))]


def _remembered(rpr: Reaper, key: str, default: str) -> str:
    return rpr.GetExtState(SECTION, key) if rpr.HasExtState(SECTION, key) else default


def _remember(rpr: Reaper, **values: str) -> None:
    for key, value in values.items():
        rpr.SetExtState(SECTION, key, value, True)
