"""The voices on the MiniMax account, and the presets that name them: list, sync, delete, remove."""

from typing import Any, Dict, List, Sequence

from . import rules
from .errors import PresetError
from .presets import PresetStore, timestamp, utc_now
from .presets import state as presets_state
from .settings import Settings


def list_voices(settings: Settings, voice_type: str = "voice_cloning") -> dict:
    """The account's voices, by kind, as MiniMax lists them."""
    settings.require_key()
    from .minimax import MiniMaxClient  # HTTP, only for what asks MiniMax

    with MiniMaxClient(settings) as client:
        return client.voices(voice_type)


def delete_voice(settings: Settings, voice_id: str) -> List[str]:
    """Delete a cloned voice on MiniMax (its id is burned); mark presets holding it. Returns their names."""
    rules.check_voice_id(voice_id)
    settings.require_key()
    from .minimax import MiniMaxClient  # HTTP, only for what asks MiniMax

    with MiniMaxClient(settings) as client:
        client.delete_voice(voice_id)

    def mark(voices: dict) -> List[str]:
        names = [name for name, p in voices.items() if p.get("voice_id") == voice_id]
        for name in names:
            voices[name]["deleted_at"] = timestamp(utc_now())
        return names

    return PresetStore(settings.presets_path).change(mark)


def sync_voices(settings: Settings) -> dict:
    """Compare the account's cloned voices with the presets made on this host; update their states.

    MiniMax lists a clone only once it was used for speech, so a listed voice is active; an active
    voice no longer listed is missing. Temporary voices cannot be told apart and stay as they are.
    No preset is ever removed. Returns ``{name: (state before, state after)}`` for the changed ones.
    """
    listed = {v.get("voice_id") for v in list_voices(settings, "voice_cloning")["voice_cloning"]}
    now = timestamp(utc_now())

    def update(voices: dict) -> dict:
        changed = {}
        for name, held in voices.items():
            if held.get("deleted_at") or (held.get("base_url") or settings.base_url) != settings.base_url:
                continue
            before = presets_state(held)[0]
            if held["voice_id"] in listed:
                held.pop("missing_since", None)
                held.setdefault("activated_at", now)
                held["expires_at"] = None
            elif before == "active":
                held["missing_since"] = now
            after = presets_state(held)[0]
            if after != before:
                changed[name] = (before, after)
        return changed

    return PresetStore(settings.presets_path).change(update)


def remove_preset(settings: Settings, name: str) -> dict:
    """Forget a preset (the voice stays on MiniMax, the preview file stays on disk)."""
    store = PresetStore(settings.presets_path)
    store.get(name)

    def drop(voices: dict) -> dict:
        if name not in voices:
            raise PresetError(f"preset '{name}' was removed meanwhile")
        return voices.pop(name)

    return store.change(drop)


def set_speech(
    settings: Settings,
    name: str,
    *,
    changes: Dict[str, Any],
    say: Sequence[str] = (),
    unsay: Sequence[str] = (),
    clear: bool = False,
) -> Dict[str, Any]:
    """Set how preset ``name``'s voice speaks, for every speech from now on; return its settings.

    Parameters
    ----------
    changes : dict
        ``speed``, ``vol``, ``pitch``, ``emotion``, ``model``, ``language_boost``; None leaves one as it is.
    say : sequence of str
        Pronunciations to add or replace, ``WORD=HOW`` (or ``WORD/HOW``), such as ``Nguyen=(wɪn)``.
    unsay : sequence of str
        Words whose pronunciation goes.
    clear : bool
        Drop every speech setting first (back to MiniMax's defaults).
    """
    store = PresetStore(settings.presets_path)
    held = store.get(name)
    model = rules.check_model(changes.get("model") or held.get("model") or rules.DEFAULT_MODEL)
    speech = {} if clear else dict(held.get("speech") or {})
    speech.update({key: changes[key] for key in ("speed", "vol", "pitch", "emotion") if changes.get(key) is not None})
    added = rules.check_speech_style(  # every broken rule at once, before anything changes
        speed=speech.get("speed"),
        vol=speech.get("vol"),
        pitch=speech.get("pitch"),
        emotion=speech.get("emotion"),
        pronunciation=say,
        model=model,
    )
    entries = {entry.partition("/")[0]: entry for entry in speech.get("pronunciation") or []}
    entries.update({entry.partition("/")[0]: entry for entry in added})
    for word in unsay:
        if entries.pop(word, None) is None:
            raise PresetError(
                f"preset '{name}' has no pronunciation for '{word}'",
                fix=f'See them with `voiceclone presets show "{name}"`.',
            )
    speech["pronunciation"] = sorted(entries.values())
    language = rules.check_language(changes.get("language_boost"), model) if changes.get("language_boost") else None

    def apply(voices: dict) -> Dict[str, Any]:
        preset = voices.get(name)
        if preset is None:
            raise PresetError(f"preset '{name}' was removed meanwhile")
        preset["speech"] = {key: value for key, value in speech.items() if value not in (None, [])}
        if changes.get("model"):
            preset["model"] = model
        if language:
            preset["language_boost"] = language
        return {
            "speech": preset["speech"],
            "model": preset.get("model"),
            "language_boost": preset.get("language_boost"),
        }

    return store.change(apply)
