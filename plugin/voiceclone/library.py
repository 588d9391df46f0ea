"""Moving a preset library between machines: ``voiceclone presets export | import FILE``.

The export is a zip holding ``presets.yaml`` and, when asked, the audio the presets refer to (the
archived samples, prompt and consent recordings, and the previews). It carries no key: presets never
hold one. An import adds presets and never replaces one: a name already taken by another voice gets
a ``(2)`` suffix.
"""

import zipfile
from pathlib import Path, PurePosixPath
from typing import Dict, List

from . import files, yaml_text
from .errors import InputError, PresetError
from .leftovers import temp_folder
from .presets import SCHEMA, PresetStore

LIBRARY = "presets.yaml"


def export_library(store: PresetStore, target: Path, *, with_audio: bool) -> Dict[str, int]:
    """Write the library (and its audio, if ``with_audio``) to the zip ``target``; return counts."""
    target = Path(target)
    files.check_new(target)
    voices = store.voices()
    audio: Dict[str, Path] = {}
    for preset in voices.values():
        for relative in _archived(preset):
            if with_audio and (store.folder / relative).is_file():
                audio[relative] = store.folder / relative
        preview = preset.get("preview") or {}
        if preview.get("path"):
            local = Path(preview["path"])
            preview["path"] = _preview_entry(local, audio) if with_audio and local.is_file() else None
            if preview["path"]:
                audio[preview["path"]] = local
    with files.replacing(target) as partial, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(LIBRARY, yaml_text.dump({"schema": SCHEMA, "voices": voices}))
        for name, path in sorted(audio.items()):
            archive.write(path, name)
    return {"presets": len(voices), "files": len(audio)}


def import_library(store: PresetStore, source: Path) -> Dict[str, List[str]]:
    """Add the presets of the zip ``source`` (and its audio) to ``store``; return what was done."""
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(
            f"{source} is not a preset library export ({exc})", fix="Give a file made by `voiceclone presets export`."
        ) from exc
    with archive, temp_folder("import") as tmp:
        names = archive.namelist()
        unsafe = [n for n in names if PurePosixPath(n).is_absolute() or ".." in PurePosixPath(n).parts]
        if unsafe or LIBRARY not in names:
            raise InputError(
                f"{source} is not a preset library export", fix="Give a file made by `voiceclone presets export`."
            )
        incoming_file = Path(tmp) / LIBRARY
        incoming_file.write_bytes(archive.read(LIBRARY))
        incoming = PresetStore(incoming_file).voices()  # the same checks as any library
        audio = [n for n in names if n != LIBRARY and not n.endswith("/")]
        taken = [n for n in audio if not n.startswith("samples/") and (store.folder / n).exists()]
        if taken:
            raise PresetError(
                f"{store.folder / taken[0]} already exists; the import would overwrite it",
                fix="Move that file away, then import again.",
            )
        for name in audio:
            _extract(archive, name, store.folder)
    done: Dict[str, List[str]] = {"added": [], "renamed": [], "already_here": []}

    def merge(voices: dict) -> None:
        for name, preset in incoming.items():
            preview = preset.get("preview") or {}
            if preview.get("path"):
                preview["path"] = str(store.folder / preview["path"])
            held = voices.get(name)
            if held is not None and held.get("voice_id") == preset.get("voice_id"):
                done["already_here"].append(name)
                continue
            final = name
            number = 2
            while final in voices:
                final, number = f"{name} ({number})", number + 1
            voices[final] = preset
            (done["added"] if final == name else done["renamed"]).append(final)

    store.change(merge)
    return done


def _archived(preset: dict) -> List[str]:
    """The archive entries a preset refers to: sample, prompt, consent recording."""
    consent = (preset.get("provenance") or {}).get("consent") or {}
    entries = [
        (preset.get("sample") or {}).get("archive"),
        (preset.get("prompt") or {}).get("archive"),
        consent.get("audio"),
    ]
    return [e for e in entries if e]


def _preview_entry(local: Path, taken: Dict[str, Path]) -> str:
    """The preview's name in the zip: its file name, numbered when another preview has it already."""
    name, number = f"previews/{local.name}", 1
    while name in taken and taken[name] != local:
        number += 1
        name = f"previews/{local.stem} ({number}){local.suffix}"
    return name


def _extract(archive: zipfile.ZipFile, name: str, folder: Path) -> None:
    target = folder / name
    if target.exists():
        return  # a sample: content-addressed, so the same name holds the same bytes
    target.parent.mkdir(parents=True, exist_ok=True)
    files.write_atomically(target, archive.read(name))
