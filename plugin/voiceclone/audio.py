"""Reading, measuring and preparing audio for upload.

Two steps, both before any network:

- :func:`probe` gives the header verdict (format judged by content, duration, rate, channels, size)
  without decoding the file; it costs well under a millisecond for wav and mp3.
- :func:`prepare` decodes every sample once. In that one pass it runs the quality check
  (:mod:`voiceclone.doctor`) and, when the file needs fixing, writes the fixed upload file: trimmed to
  5 minutes (or the chosen region), downmixed and resampled (soxr) to fit 20 MB, and as 16-bit PCM
  WAV. A file that already meets every limit is uploaded untouched.

Arrays are float32 ``(num_frames, num_channels)``; rates in Hz; times in seconds.
"""

import hashlib
import os
import stat
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Tuple

import numpy as np
import soxr

from . import files, rules, wav_pcm
from .doctor import LevelMeter, Report, mono_mix
from .errors import AudioError, is_storage_failure, storage_error
from .formats import EXTENSIONS, sniff
from .native_stderr import NativeStderr

#: Formats soundfile reads besides the clone formats; they are converted to WAV.
CONVERTIBLE = ("flac", "aiff", "ogg")
STANDARD_RATES = (48000, 44100, 32000, 24000, 22050, 16000)
WAV_HEADER_BYTES = 44
#: Compressed headers can be off by a few tens of milliseconds; keep clear of the 5-minute edge.
COMPRESSED_MARGIN_S = 0.1
COPY_BLOCK_FRAMES = 1 << 18  # frames a file is copied in (about 5 s at 48 kHz)
BLOCK_WINDOWS = 100  # frames per block = this many 20 ms windows (2 s: whole seconds for the doctor)


@dataclass(frozen=True)
class AudioInfo:
    """The header verdict of one file."""

    path: Path
    format: str  # wav, mp3, m4a, flac, aiff or ogg (by content)
    subtype: str  # PCM_16, PCM_24, FLOAT, MPEG_LAYER_III, aac, ...
    sample_rate: int
    num_channels: int
    num_frames: int
    size_bytes: int
    #: Where a plain PCM or float WAV's samples lie: numpy reads them (else libsndfile or PyAV).
    pcm: Optional[wav_pcm.Layout] = None

    @property
    def duration_s(self) -> float:
        return self.num_frames / self.sample_rate

    def as_dict(self) -> dict:
        return {
            "path": str(self.path),
            "format": self.format,
            "subtype": self.subtype,
            "sample_rate": self.sample_rate,
            "num_channels": self.num_channels,
            "duration_s": round(self.duration_s, 3),
            "size_bytes": self.size_bytes,
        }


@dataclass(frozen=True)
class Plan:
    """How the file becomes the upload: untouched, or rewritten as 16-bit WAV."""

    untouched: bool
    start_frame: int
    end_frame: int
    sample_rate: int
    num_channels: int
    fixes: Tuple[str, ...]


@dataclass(frozen=True)
class PreparedAudio:
    """The file to upload, what it is, and what the quality check found."""

    path: Path
    filename: str  # upload name, with the extension of the real format
    format: str
    sha256: str
    duration_s: float
    sample_rate: int
    num_channels: int
    size_bytes: int
    untouched: bool
    fixes: Tuple[str, ...]
    report: Report


def probe(path) -> AudioInfo:
    """Read the header verdict of ``path`` without decoding the audio.

    Raises :class:`AudioError` for a missing, empty, non-audio or unsupported file.
    """
    path = Path(path)
    try:
        status = path.stat()
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(status.st_mode):  # a FIFO or a device would block the read forever
            raise AudioError(
                f"{path} is not a regular file (a pipe or a device)",
                fix="Give the path of a wav, mp3 or m4a file saved on disk.",
            )
        size = status.st_size
        with open(path, "rb") as handle:
            head = handle.read(12)
    except FileNotFoundError as exc:
        raise AudioError(f"no such file: {path}", fix="Check the path and the spelling of the file name.") from exc
    except IsADirectoryError as exc:
        raise AudioError(
            f"{path} is a folder, not an audio file", fix="Give the path of a wav, mp3 or m4a file."
        ) from exc
    except OSError as exc:
        raise AudioError(f"cannot read {path}: {exc.strerror}", fix="Check the file's permissions.") from exc
    if size == 0:
        raise AudioError(f"{path} is empty (0 bytes)", fix="Export the audio again.")
    fmt = sniff(head)
    if fmt is None:
        raise AudioError(
            f"{path.name} is not an audio file this plugin can read",
            fix="Use a wav, mp3 or m4a file (flac, aiff and ogg are converted too).",
        )
    if fmt == "m4a":
        return _probe_m4a(path, size)
    if fmt == "wav":
        shape = wav_pcm.layout(path)
        if shape is not None:  # a plain PCM or float WAV: read by numpy, no libsndfile needed
            return AudioInfo(path, fmt, shape.subtype, shape.sample_rate, shape.channels, shape.frames, size, shape)
    import soundfile as sf  # libsndfile: 3 MB and 10 ms to load, for what numpy does not read

    with _decoding(
        lambda said: AudioError(
            f"{path.name} looks like {fmt} but its header is damaged ({said})",
            fix="Export the audio again, or convert it to WAV.",
        )
    ):
        info = sf.info(str(path))
    return AudioInfo(path, fmt, info.subtype, int(info.samplerate), int(info.channels), int(info.frames), size)


def _probe_m4a(path: Path, size: int) -> AudioInfo:
    import av  # PyAV: only m4a needs it, and its import costs 40 ms

    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise AudioError(f"{path.name} holds no audio stream", fix="Use a wav, mp3 or m4a audio file.")
            stream = container.streams.audio[0]
            rate = int(stream.codec_context.sample_rate)
            channels = int(stream.codec_context.channels)
            if stream.duration is not None and stream.time_base is not None:
                seconds = float(stream.duration * stream.time_base)
            else:
                seconds = float(container.duration or 0) / 1e6
            codec = stream.codec_context.name
    except av.error.FFmpegError as exc:
        raise AudioError(
            f"{path.name} looks like m4a but cannot be opened ({exc})",
            fix="Export the audio again, or convert it to WAV.",
        ) from exc
    return AudioInfo(path, "m4a", codec, rate, channels, int(round(seconds * rate)), size)


def plan_upload(
    info: AudioInfo,
    *,
    start: Optional[float] = None,
    end: Optional[float] = None,
    max_s: float = rules.CLONE_MAX_S,
    max_bytes: int = rules.UPLOAD_MAX_BYTES,
) -> Plan:
    """Decide how ``info`` becomes an upload that meets every limit, changing as little as possible."""
    first, last = rules.check_region(start, end, info.duration_s)
    fixes: List[str] = []
    if start is not None or end is not None:
        fixes.append(f"used the region {first:.2f}-{last:.2f} s of the file")
    edge = max_s - (COMPRESSED_MARGIN_S if info.format != "wav" else 0.0)
    if last - first > max_s:
        last = first + max_s
        fixes.append(
            f"trimmed to {rules.clock(max_s)} (the clone endpoint takes at most {rules.clock(max_s)}); "
            f"used {first:.2f}-{last:.2f} s"
        )
    elif last - first > edge:
        fixes.append(f"decoded to WAV: compressed audio this close to {rules.clock(max_s)} can decode a little longer")
    if info.format in CONVERTIBLE or (info.format == "m4a" and info.subtype != "aac"):
        fixes.append(f"converted {info.format} ({info.subtype}) to WAV, which the clone endpoint accepts")
    elif info.format == "wav" and info.subtype != "PCM_16":
        fixes.append(f"converted {_subtype_name(info.subtype)} to 16-bit PCM WAV")
    seconds, channels, rate = last - first, info.num_channels, info.sample_rate
    if channels > 2:
        channels = 1
        fixes.append(f"mixed {info.num_channels} channels down to mono (the clone endpoint takes mono or stereo)")
    untouched = not fixes and info.size_bytes <= max_bytes
    budget = max_bytes - WAV_HEADER_BYTES
    if not untouched and seconds * rate * channels * 2 > budget and channels > 1:
        channels = 1
        fixes.append(f"downmixed {info.num_channels} channels to mono to stay under {_mb(max_bytes)}")
    if not untouched and seconds * rate * channels * 2 > budget:
        fitting = [r for r in STANDARD_RATES if r < rate and seconds * r * channels * 2 <= budget]
        if not fitting:
            raise AudioError(
                f"the sample cannot fit in {_mb(max_bytes)} even as mono 16 kHz", fix="Use a shorter region."
            )
        rate = fitting[0]
        fixes.append(f"resampled {info.sample_rate} Hz to {rate} Hz to stay under {_mb(max_bytes)}")
    if not untouched and not fixes:  # over the limit only by what is not audio (metadata, extra chunks)
        fixes.append(
            f"rewritten as plain 16-bit WAV: the file is {_mb(info.size_bytes)}, over the {_mb(max_bytes)} "
            "limit, by what is not audio (its metadata is dropped)"
        )
    return Plan(
        untouched,
        int(round(first * info.sample_rate)),
        int(round(last * info.sample_rate)),
        rate,
        channels,
        tuple(fixes),
    )


def inspect(
    info: AudioInfo, *, purpose: str = "voice_clone", start: Optional[float] = None, end: Optional[float] = None
) -> Tuple[Plan, Report]:
    """Plan the upload and run the quality check, writing nothing. Raises only for a refused length."""
    plan = _plan_for(info, purpose, start, end)
    report, _, _ = _scan(info, plan, None)
    return plan, report


def prepare(
    path, workdir, *, purpose: str = "voice_clone", start: Optional[float] = None, end: Optional[float] = None
) -> PreparedAudio:
    """Check ``path`` and make the file to upload, in one decoding pass.

    Parameters
    ----------
    path : str or Path
        The user's audio: any format :func:`probe` reads.
    workdir : str or Path
        Where a fixed file is written (the caller removes it); an untouched file is uploaded as it is.
    purpose : str
        ``voice_clone`` (10 s to 5 min) or ``prompt_audio`` (under 8 s).
    start, end : float, optional
        Seconds into the file: the region to use (default: all of it).

    Returns
    -------
    PreparedAudio
        The file to upload, its name, format, hash, facts, the fixes made and the quality report.

    Raises
    ------
    AudioError
        For anything that cannot be fixed: no audio, too short, silent, damaged, no speech.
    """
    info = probe(path)
    plan = _plan_for(info, purpose, start, end)
    out = None if plan.untouched else Path(workdir) / f"{files.safe_stem(info.path.stem, 'sample')}-{purpose}.wav"
    try:
        report, frames, digest = _scan(info, plan, out, doctor=purpose == "voice_clone", hashing=True)
    except OSError as exc:
        if out is None or not is_storage_failure(exc):
            raise
        raise storage_error(
            exc,
            out.parent,
            "the file to upload in",
            fix="Free some space there (or set TMPDIR to a folder with room), then run it again; nothing was sent.",
        ) from exc
    try:
        problem = report.problem(clone=purpose == "voice_clone")
        if problem:
            raise problem
        if purpose == "voice_clone":
            rules.check_duration(frames / plan.sample_rate)
    except AudioError:
        if out is not None:
            out.unlink()
        raise
    target, fmt = (info.path, info.format) if out is None else (out, "wav")
    digest = digest or files.sha256_file(target)  # an untouched mp3 or m4a: the bytes as they are
    return PreparedAudio(
        path=target,
        filename=files.safe_stem(info.path.stem, "sample") + EXTENSIONS[fmt],
        format=fmt,
        sha256=digest,
        duration_s=frames / plan.sample_rate,
        sample_rate=plan.sample_rate,
        num_channels=plan.num_channels,
        size_bytes=target.stat().st_size,
        untouched=plan.untouched,
        fixes=plan.fixes,
        report=report,
    )


def _plan_for(info: AudioInfo, purpose: str, start: Optional[float], end: Optional[float]) -> Plan:
    first, last = rules.check_region(start, end, info.duration_s)
    if purpose == "prompt_audio" and last - first >= rules.PROMPT_MAX_S:
        raise AudioError(
            f"the prompt audio is {last - first:.1f} s; it must be shorter than {rules.PROMPT_MAX_S:g} s",
            fix="Cut --prompt-audio to a clip under 8 s and give its exact words.",
        )
    if purpose == "voice_clone":
        rules.check_duration(last - first)
    return plan_upload(info, start=start, end=end)


def _scan(
    info: AudioInfo, plan: Plan, out: Optional[Path], *, doctor: bool = True, hashing: bool = False
) -> Tuple[Report, int, str]:
    """Decode the planned region once: measure every block (and, with ``doctor``, judge the sample
    on a thread beside the pass: :mod:`.sample_doctor`), and write the fixed file when ``out``.
    Returns the report, the frames the upload holds and, when written or ``hashing`` an untouched
    WAV, the upload's SHA-256 (else "")."""
    from . import sample_doctor  # WebRTC's VAD: only for a pass that judges a sample
    from .analysis import Analyzer, AnalyzerThread

    meter = LevelMeter(info.sample_rate)
    analyzer = AnalyzerThread(Analyzer(info.sample_rate, info.num_channels)) if doctor else None
    block_frames = meter.window * BLOCK_WINDOWS
    frames = plan.end_frame - plan.start_frame
    resampler = None
    if out is not None and plan.sample_rate != info.sample_rate:
        resampler = soxr.ResampleStream(info.sample_rate, plan.sample_rate, plan.num_channels, dtype="float32")
        frames = int(round(frames * plan.sample_rate / info.sample_rate))  # what soxr gives in all
    writer = wav_pcm.Writer(out, plan.sample_rate, plan.num_channels, frames) if out is not None else None
    # an untouched WAV is hashed as it is read (the upload is its bytes as they are)
    digest = hashlib.sha256() if hashing and out is None and plan.untouched and info.pcm is not None else None
    read = 0
    try:
        for block in blocks(info, plan.start_frame, plan.end_frame, block_frames, digest):
            mono = mono_mix(block)
            meter.feed(block, mono)
            if analyzer is not None:
                analyzer.feed(block, mono)
            read += len(block)
            if writer is None:
                continue
            data = mono if plan.num_channels == 1 else block
            if resampler is not None:
                data = resampler.resample_chunk(data)
            writer.write(_pcm16(data))
        if writer is not None and resampler is not None:
            shape = (0,) if plan.num_channels == 1 else (0, plan.num_channels)
            writer.write(_pcm16(resampler.resample_chunk(np.zeros(shape, np.float32), last=True)))
        measures = analyzer.finish() if analyzer is not None else None
    except BaseException:
        if analyzer is not None:
            analyzer.abandon()
        if writer is not None:
            writer.abandon()
        raise
    hashed = writer.close() if writer is not None else digest.hexdigest() if digest is not None else ""
    report = meter.report()
    if measures is not None and not report.nonfinite:
        judged = sample_doctor.judge(measures)
        report = replace(report, checks=judged.checks, warnings=report.warnings + sample_doctor.warnings(judged))
    return report, writer.frames if writer is not None else read, hashed


def _pcm16(data: np.ndarray) -> np.ndarray:
    scaled = np.multiply(data, 32767.0, dtype=np.float32)
    np.clip(scaled, -32768.0, 32767.0, out=scaled)
    with np.errstate(invalid="ignore"):  # NaN samples: the file is refused and removed after the pass
        return np.rint(scaled, out=scaled).astype(np.int16)


@cache
def _front_to_back():
    """libsndfile's file class, for a file read from front to back.

    pysoundfile asks for the position and seeks back to it around every read. libsndfile's MPEG
    decoder restarts at each seek without the bit reservoir of the frames before, so an mp3 read in
    blocks came out damaged at every block boundary (and libmpg123 said so on stderr). Reported as
    not seekable, the reads are plain sequential reads; an mp3 is then reached at ``start`` by
    decoding up to it, never by seeking.
    """
    import soundfile as sf

    class FrontToBack(sf.SoundFile):
        def seekable(self) -> bool:
            return False

    return FrontToBack


def blocks(
    info: AudioInfo, start: int, end: int, block_frames: int, digest: Optional["hashlib._Hash"] = None
) -> Iterator[np.ndarray]:
    """The frames ``start:end`` of the file as float32 blocks of ``block_frames`` (the last may be
    shorter). ``digest`` hashes the file's bytes on the way: only for a WAV numpy reads whole."""
    if info.format == "m4a":
        yield from _m4a_blocks(info, start, end, block_frames)
        return
    if info.pcm is not None:
        yield from wav_pcm.blocks(info.path, info.pcm, start, end, block_frames, digest)
        return
    decoder = NativeStderr()
    try:
        with _front_to_back()(str(info.path)) as source:
            if info.format == "mp3":
                skipped = 0
                while skipped < start:
                    with decoder:
                        got = len(source.read(min(block_frames, start - skipped), dtype="float32"))
                    if not got:
                        return
                    skipped += got
            elif start:
                source.seek(start)
            remaining = end - start
            while remaining > 0:
                with decoder:
                    block = source.read(min(block_frames, remaining), dtype="float32", always_2d=True)
                if not len(block):
                    break
                remaining -= len(block)
                yield block
    except RuntimeError as exc:  # libsndfile's errors are RuntimeErrors
        raise _damaged(info.path, decoder.last_words() or str(exc)) from exc
    finally:
        decoder.close()


def _damaged(path: Path, said: str) -> AudioError:
    return AudioError(
        f"{path.name} is damaged: decoding failed ({said})", fix="Export the audio again, or convert it to WAV."
    )


@contextmanager
def _decoding(failure: Callable[[str], AudioError]) -> Iterator[None]:
    """Decode quietly; a decoder failure raises ``failure(what the decoder said)``."""
    decoder = NativeStderr()
    try:
        with decoder:
            yield
    except RuntimeError as exc:  # libsndfile's errors are RuntimeErrors
        raise failure(decoder.last_words() or str(exc)) from exc
    finally:
        decoder.close()


def read_frames(path: Path, start: int, count: int) -> np.ndarray:
    """``count`` frames of ``path`` from frame ``start`` (fewer at its end), float32 ``(frames, channels)``."""
    info = probe(path)
    found = list(blocks(info, start, min(start + count, info.num_frames), max(1, count)))
    return np.concatenate(found) if found else np.zeros((0, info.num_channels), np.float32)


def _m4a_blocks(info: AudioInfo, start: int, end: int, block_frames: int) -> Iterator[np.ndarray]:
    import av

    pending: List[np.ndarray] = []
    held = position = 0
    try:
        with av.open(str(info.path)) as container:
            stream = container.streams.audio[0]
            layout = "mono" if info.num_channels == 1 else "stereo" if info.num_channels == 2 else None
            resampler = av.AudioResampler(format="flt", layout=layout or stream.layout, rate=info.sample_rate)
            for packet_frame in container.decode(stream):
                for frame in resampler.resample(packet_frame):
                    chunk = frame.to_ndarray().reshape(-1, info.num_channels)
                    lo, hi = max(start - position, 0), min(end - position, len(chunk))
                    position += len(chunk)
                    if hi <= lo:
                        continue
                    pending.append(chunk[lo:hi])
                    held += hi - lo
                    while held >= block_frames:
                        joined = np.concatenate(pending)
                        yield joined[:block_frames]
                        pending, held = [joined[block_frames:]], held - block_frames
                if position >= end:
                    break
    except av.error.FFmpegError as exc:
        raise _damaged(info.path, str(exc)) from exc
    if held:
        yield np.concatenate(pending)


def _mb(size: int) -> str:
    return f"{size / 1e6:g} MB"


def _subtype_name(subtype: str) -> str:
    return {
        "PCM_24": "24-bit PCM",
        "PCM_32": "32-bit PCM",
        "FLOAT": "32-bit float",
        "DOUBLE": "64-bit float",
        "PCM_U8": "8-bit PCM",
    }.get(subtype, subtype)


def check_decodes(path: Path) -> None:
    """Raise :class:`AudioError` unless ``path`` decodes whole into audio that is not all digital
    silence (a preview or speech cut short or zeroed on its way is refused, not kept)."""
    import soundfile as sf

    with _decoding(lambda said: AudioError(f"{Path(path).name} could not be decoded ({said})")):
        data, _ = sf.read(str(path), dtype="float32")
    if data.size == 0 or not np.any(data):
        raise AudioError(f"{Path(path).name} holds no sound (it is empty or digital silence)")


def write_sound(path: Path, samples: np.ndarray, sample_rate: int, *, subtype: Optional[str], fmt: str) -> None:
    """``samples`` as an audio file at ``path`` that appears only when complete (:func:`_sound_file`)."""
    with _sound_file(path, sample_rate, samples.shape[1] if samples.ndim > 1 else 1, subtype=subtype, fmt=fmt) as out:
        out.write(samples)


def write_spliced(path: Path, info: AudioInfo, piece: np.ndarray, at: int, *, subtype: str, fmt: str) -> None:
    """The file of ``info`` at ``path`` with its frames from ``at`` on replaced by ``piece``: the rest
    is copied block by block as it is decoded (an hour-long take is never held whole), and ``path``
    appears only when complete (:func:`_sound_file`)."""
    done = 0
    with _sound_file(path, info.sample_rate, info.num_channels, subtype=subtype, fmt=fmt) as out:
        for block in blocks(info, 0, info.num_frames, COPY_BLOCK_FRAMES):
            lo, hi = max(at - done, 0), min(at + len(piece) - done, len(block))
            if lo < hi:
                block[lo:hi] = piece[done + lo - at : done + hi - at]
            out.write(block)
            done += len(block)


@contextmanager
def _sound_file(path: Path, sample_rate: int, channels: int, *, subtype: Optional[str], fmt: str) -> Iterator:
    """A libsndfile writer of ``path`` that appears only when complete. The file is opened and
    written here, so a folder that cannot be written, or a disk that fills, raises the OSError with
    its reason: libsndfile only says "System error", and the write's own OSError, raised inside
    soundfile's callback, was swallowed there (and the short write came out as an AssertionError)."""
    import soundfile as sf

    # unbuffered, so only a write meets a full disk (a buffered file's seek flushed, and raised too)
    with files.replacing(Path(path)) as partial, open(partial, "wb", buffering=0) as handle:
        sink = _Sink(handle)
        try:
            with sf.SoundFile(sink, "w", sample_rate, channels, subtype, format=fmt) as out:
                yield out
        except (RuntimeError, AssertionError):
            if sink.failure is not None:
                raise sink.failure from None
            raise


class _Sink:
    """A file for libsndfile to write through that keeps the first OSError a write raised."""

    def __init__(self, handle):
        self._handle = handle
        self.failure: Optional[OSError] = None

    def write(self, data) -> int:
        view, done = memoryview(data).cast("B"), 0
        try:
            while done < len(view):  # an unbuffered write may take part of it (the last bytes a disk has)
                wrote = self._handle.write(view[done:])
                if not wrote:
                    break
                done += wrote
        except OSError as exc:
            self.failure = self.failure or exc
        return done  # short: libsndfile stops, and soundfile raises

    def __getattr__(self, name: str):
        return getattr(self._handle, name)


def convert(source: Path, target: Path) -> Path:
    """Move ``source`` to ``target``, re-encoding when ``target``'s extension names another format.

    wav and flac are written as 16-bit PCM. ``target`` appears only when complete.
    """
    want = target.suffix.lower().lstrip(".")
    with open(source, "rb") as handle:
        have = sniff(handle.read(12))
    if want == have or want not in ("wav", "mp3", "flac"):
        os.replace(source, target)
        return target
    import soundfile as sf

    with _decoding(lambda said: AudioError(f"{source.name} could not be decoded ({said})")):
        data, rate = sf.read(str(source), dtype="float32")
    write_sound(target, data, rate, subtype=None if want == "mp3" else "PCM_16", fmt=want.upper())
    source.unlink()
    return target
