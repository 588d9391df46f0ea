"""Marking every audio file the plugin writes as AI-generated, with the voice_id, model and date.

WAV gets an INFO chunk (its sample bytes untouched), FLAC Vorbis comments (the samples are
rewritten losslessly by soundfile); MP3 gets an ID3v2.4 tag put in front of the untouched audio
frames, so it is not re-encoded.
Any audio player or ``soundfile.SoundFile(path).copy_metadata()`` reads them back.
"""

import io
from pathlib import Path

from . import __version__, riff
from .errors import AudioError
from .files import write_atomically
from .formats import sniff

TITLE = "AI-generated voice"


def describe(voice_id: str, model: str, date: str) -> str:
    """The words that mark audio as AI-generated, and by which voice, model and tool."""
    return (
        f"AI-generated speech in a cloned voice: MiniMax voice_id {voice_id}, model {model}, "
        f"made {date} with voiceclone {__version__}"
    )


def tagged(data: bytes, fmt: str, *, voice_id: str, model: str, date: str) -> bytes:
    """``data``, audio in ``fmt`` (wav, mp3 or flac), with the AI-generated marking added.

    Raises :class:`AudioError` when ``data`` is not readable ``fmt`` audio.
    """
    if sniff(data[:12]) != fmt:
        raise AudioError(f"the audio is not {fmt}")
    comment = describe(voice_id, model or "unknown", date)
    if fmt == "mp3":
        return _tag_mp3(data, comment)
    if fmt == "wav":
        return _tag_wav(data, comment)
    return _tag_pcm(data, fmt, comment)


def tag(path: Path, *, voice_id: str, model: str, date: str) -> None:
    """Add the AI-generated marking to the wav, mp3 or flac file at ``path`` (in place, atomically).

    Other formats are left as they are."""
    path = Path(path)
    data = path.read_bytes()
    fmt = sniff(data[:12])
    if fmt in ("wav", "mp3", "flac"):
        write_atomically(path, tagged(data, fmt, voice_id=voice_id, model=model, date=date))


def _tag_wav(data: bytes, comment: str) -> bytes:
    """A RIFF ``LIST``/``INFO`` chunk (INAM title, ICMT comment, ISFT software, as libsndfile
    writes and reads them) in place of any the file had, the samples' bytes untouched: no decoding,
    and no audio stack for a speech. A file whose chunks run past its end is rewritten by soundfile."""
    chunks, kinds = [], set()
    for name, offset, size in riff.chunks(lambda at, count: data[at : at + count], len(data)):
        if not riff.is_name(name):
            raise AudioError("the wav audio is damaged (a chunk without a name)")
        end = offset + size + (size & 1)
        if end > len(data) + (size & 1):
            return _tag_pcm(data, "wav", comment)
        if not (name == b"LIST" and data[offset : offset + 4] == b"INFO"):
            chunks.append(data[offset - 8 : end])
            kinds.add(name)
    if not {b"fmt ", b"data"} <= kinds:
        raise AudioError("the wav audio is damaged (no format or no sample chunk)")
    info = b"INFO" + b"".join(
        _info(key, text) for key, text in ((b"INAM", TITLE), (b"ICMT", comment), (b"ISFT", f"voiceclone {__version__}"))
    )
    body = b"WAVE" + b"".join(chunks) + b"LIST" + len(info).to_bytes(4, "little") + info
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def _info(key: bytes, text: str) -> bytes:
    raw = text.encode("utf-8") + b"\0"
    return key + len(raw).to_bytes(4, "little") + raw + (b"\0" if len(raw) & 1 else b"")


def _tag_pcm(data: bytes, fmt: str, comment: str) -> bytes:
    import soundfile as sf

    out = io.BytesIO()
    try:
        with sf.SoundFile(io.BytesIO(data)) as source:
            lossless = "int16" if source.subtype == "PCM_16" else "float32"
            samples = source.read(dtype=lossless, always_2d=True)
            with sf.SoundFile(
                out, "w", source.samplerate, source.channels, source.subtype, format=fmt.upper()
            ) as target:
                target.title, target.comment, target.software = TITLE, comment, f"voiceclone {__version__}"
                target.write(samples)
    except (RuntimeError, sf.LibsndfileError) as exc:
        raise AudioError(f"the {fmt} audio is damaged ({exc})") from exc
    return out.getvalue()


def _tag_mp3(audio: bytes, comment: str) -> bytes:
    if audio[:3] == b"ID3" and len(audio) >= 10:  # replace an existing ID3v2 tag
        audio = audio[10 + _syncsafe_read(audio[6:10]) + (10 if audio[5] & 0x10 else 0) :]
    frames = (
        _text_frame(b"TIT2", TITLE)
        + _text_frame(b"TSSE", f"voiceclone {__version__}")
        + _frame(b"COMM", b"\x03eng\x00" + comment.encode("utf-8"))
    )
    return b"ID3\x04\x00\x00" + _syncsafe(len(frames)) + frames + audio


def _text_frame(frame_id: bytes, text: str) -> bytes:
    return _frame(frame_id, b"\x03" + text.encode("utf-8"))  # 3 = UTF-8


def _frame(frame_id: bytes, body: bytes) -> bytes:
    return frame_id + _syncsafe(len(body)) + b"\x00\x00" + body


def _syncsafe(size: int) -> bytes:
    return bytes(((size >> shift) & 0x7F) for shift in (21, 14, 7, 0))


def _syncsafe_read(data: bytes) -> int:
    value = 0
    for byte in data:
        value = (value << 7) | (byte & 0x7F)
    return value
