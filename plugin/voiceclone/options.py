"""What a clone is asked to do: the options every front end (command line, REAPER, Audacity) fills
in and the jobs carry out. Plain data, light to import."""

from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional


@dataclass(frozen=True)
class CloneSettings:
    """How MiniMax clones and previews a voice: the voice_clone fields besides the ids."""

    text: Optional[str] = None
    model: Optional[str] = None
    language_boost: Optional[str] = None
    noise_reduction: bool = False
    volume_normalization: bool = False
    watermark: bool = False
    text_validation: Optional[str] = None
    accuracy: Optional[float] = None


@dataclass(frozen=True)
class CloneOptions:
    """Everything ``voiceclone clone`` takes. Seconds for ``start``/``end``."""

    audio: Path
    voice_id: str
    name: Optional[str] = None
    settings: CloneSettings = CloneSettings()
    prompt_audio: Optional[Path] = None
    prompt_text: Optional[str] = None
    start: Optional[float] = None
    end: Optional[float] = None
    preview_out: Optional[Path] = None
    force: bool = False
    #: Where the sample came from, for the preset's record; a host fills in its capture.
    source: Optional[str] = None
    #: A re-clone: the voice_id this clone replaces under the same preset name (kept in its history).
    replacing: Optional[str] = None
    #: Who clones the voice (default: the OS user), and the speaker's consent: words and/or a recording.
    operator: Optional[str] = None
    consent: Optional[str] = None
    consent_audio: Optional[Path] = None
    #: Refuse to clone without a consent record.
    require_consent: bool = False
    #: Pick the speaker's cleanest speech, about this many seconds of it, from the (long) audio
    #: first (the clone flow runs the picker, then clones its ``pieces``).
    pick_s: Optional[float] = None
    #: Pieces already picked (``start_s``, ``end_s``, ``why``, in ``audio``'s seconds): joined as the sample.
    pieces: Optional[List[dict]] = None
