"""Keeping voices alive: activation (the first real speech makes a clone permanent) and re-cloning
an expired or deleted voice from its archived sample with the same settings.

Both spend money on MiniMax (activation charges the clone fee, a re-clone a new clone), so the
command line and the DAW hosts ask before calling them.
"""

import re
from pathlib import Path
from typing import Set

from . import archive, jobs, rules, speech
from .errors import PresetError
from .events import EventSink, ignore_events
from .leftovers import temp_folder
from .options import CloneOptions, CloneSettings
from .presets import PresetStore, state
from .settings import Settings

ACTIVATION_TEXT = "Voice ready."


def activate(settings: Settings, name: str, *, on_event: EventSink = ignore_events) -> dict:
    """Make the preset's voice permanent with one short speech call; return what was done."""
    held = PresetStore(settings.presets_path).get(name)
    if held.get("deleted_at"):
        raise PresetError(
            f"the voice of preset '{name}' was deleted on MiniMax",
            fix=f'Clone it again with `voiceclone reclone "{name}"`.',
        )
    with temp_folder("activate") as tmp:
        spoken = speech.speak(settings, ACTIVATION_TEXT, Path(tmp) / "activation.wav", preset=name, on_event=on_event)
    return {"preset": name, "voice_id": spoken.voice_id, "activated": True, "warnings": spoken.warnings}


def reclone(settings: Settings, name: str, *, on_event: EventSink = ignore_events) -> jobs.CloneOutcome:
    """Clone the preset's archived sample again under a new voice_id, with the same settings; the
    preset keeps its name and records the old voice in its history."""
    store = PresetStore(settings.presets_path)
    held = store.get(name)
    sample = held.get("sample") or {}
    if not sample.get("archive"):
        raise PresetError(
            f"preset '{name}' has no archived sample to clone again",
            fix="Clone the voice again from its source audio with `voiceclone clone`.",
        )
    prompt = held.get("prompt") or {}
    preview = held.get("preview") or {}
    options = CloneOptions(
        audio=archive.locate(sample["archive"], store.folder),
        voice_id=derive_voice_id(held["voice_id"], _used_ids(store.voices())),
        name=name,
        settings=CloneSettings(
            text=preview.get("text"),
            model=held.get("model"),
            language_boost=held.get("language_boost"),
            noise_reduction=bool(held.get("noise_reduction")),
            volume_normalization=bool(held.get("volume_normalization")),
            watermark=bool(held.get("watermark")),
        ),
        prompt_audio=archive.locate(prompt["archive"], store.folder) if prompt.get("archive") else None,
        prompt_text=prompt.get("text") if prompt.get("archive") else None,
        source=sample.get("source"),
        replacing=held["voice_id"],
        **_consent_of(held, store),
    )
    return jobs.clone(settings, options, on_event=on_event)


def reclone_question(settings: Settings, name: str) -> str:
    """What a re-clone of ``name`` costs, as the question asked before it."""
    held = PresetStore(settings.presets_path).get(name)
    return (rules.RECLONE_ACTIVE_COST if state(held)[0] == "active" else rules.RECLONE_COST).format(name=name)


def _consent_of(held: dict, store: PresetStore) -> dict:
    """The consent recorded for the original clone, carried over to the re-clone of the same sample."""
    consent = (held.get("provenance") or {}).get("consent") or {}
    audio = archive.locate(consent["audio"], store.folder) if consent.get("audio") else None
    return {"consent": consent.get("text"), "consent_audio": audio}


def derive_voice_id(old: str, taken: Set[str]) -> str:
    """A new voice_id from an old one: ``HostVoice01`` -> ``HostVoice01-r2`` -> ``HostVoice01-r3``.

    A deleted or expired id can never be used again on MiniMax, so each re-clone needs a fresh one.
    """
    stem = re.sub(r"-r\d+$", "", old)
    for generation in range(2, 1000):
        suffix = f"-r{generation}"
        candidate = stem[: rules.VOICE_ID_MAX - len(suffix)] + suffix
        if candidate not in taken and candidate != old:
            return candidate
    raise PresetError(f"no free voice_id is left for {old}", fix="Clone the voice under a new --voice-id.")


def _used_ids(voices: dict) -> Set[str]:
    used = set()
    for preset in voices.values():
        used.add(preset.get("voice_id"))
        used.update(entry.get("voice_id") for entry in preset.get("history") or [])
    return used
