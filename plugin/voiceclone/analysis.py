"""Second-by-second measurements of a recording of any length, in one streaming pass.

An :class:`Analyzer` is fed the decoded audio block by block and keeps, for every second, what the
sample doctor (:mod:`.sample_doctor`) and the picker (:mod:`.picker`) judge by: speech activity
(WebRTC's voice-activity detector), level and BS.1770 K-weighted energy (the standard's two
filters, as ``pyloudnorm`` defines them, applied per frame in the frequency domain),
sample peak, clipping, DC offset, the spectrum in bands, tonal peakiness, and the pitch and
harmonics-to-noise ratio (:mod:`.periodicity`). Besides the seconds it keeps only 20 ms frame
levels, voice-activity flags and K-weighted energies, and 40 ms pitch frames (about 2 MB an hour),
so memory grows by little more than that however long the recording is.

The source-rate measures (peak, clipping, DC, spectrum) are taken on the decoded blocks; the rest
on a mono mix resampled to :data:`ANALYSIS_RATE` (and to :data:`.periodicity.RATE` for the pitch).
:class:`AnalyzerThread` runs the mono part beside the rest of a pass. Levels are dBFS; times are
seconds.
"""

import queue
import sys
import threading
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np
import soxr

from . import periodicity, voice_activity
from .doctor import CLIP_LEVEL, mono_mix
from .percentiles import row_percentiles
from .true_peak import NEAR_LIMIT, true_peak

ANALYSIS_RATE = 16000
FRAME_S = 0.02  # a voice-activity frame (WebRTC's VAD takes 10, 20 or 30 ms)
FRAMES_PER_S = int(round(1 / FRAME_S))
#: Pitch frames: 25 a second give each second's median and spread, and their 43 ms windows still
#: cover all the audio (every 20 ms, as the voice-activity frames, cost twice as much for no more).
PITCH_FRAME_S = 0.04
PITCH_FRAMES_PER_S = int(round(1 / PITCH_FRAME_S))
#: Upper edges of the spectrum's bands, Hz (the last band runs to the source's Nyquist).
BAND_EDGES_HZ = (150, 300, 600, 1200, 2400, 3400, 4800, 7000, 10000, 14000)
FFT_SIZE = 2048
#: WebRTC VAD's aggressiveness, 0-3: 2 leaves out most steady noise and still keeps soft speech.
VAD_MODE = 2
#: Seconds of analysis-rate audio measured at once (the pitch and harmonicity, the VAD).
CHUNK_S = 3
#: A flat top: this many equal samples in a row at the block's peak is a clipped waveform even below full scale.
FLAT_TOP_RUN = 3
SILENT_DBFS = -120.0


@dataclass
class Measures:
    """What an :class:`Analyzer` measured: per second (``seconds`` of them) and per 20 ms frame."""

    sample_rate: int
    seconds: int
    speech: np.ndarray  # share of the second's 20 ms frames the VAD calls speech
    level_db: np.ndarray  # RMS, dBFS
    peak: np.ndarray  # sample peak, linear, over all channels
    true_peak: np.ndarray  # BS.1770 true peak (4x oversampled near the limit: :mod:`.true_peak`), linear
    clipped: np.ndarray  # samples at full scale or on flat tops
    dc: np.ndarray  # mean sample value of the mono mix
    bands_db: np.ndarray  # (seconds, bands) power per band, dB
    peakiness: np.ndarray  # share of the power in the strongest FFT bin and its neighbours
    f0_st: np.ndarray  # median pitch of voiced frames, semitones above 100 Hz (nan: none)
    f0_spread_st: np.ndarray  # interquartile range of the pitch, semitones
    hnr_db: np.ndarray  # mean harmonics-to-noise ratio of voiced frames (nan: none)
    frame_db: np.ndarray  # 20 ms frame levels, dBFS (float32)
    frame_speech: np.ndarray  # 20 ms VAD flags (uint8)
    frame_k: np.ndarray  # 20 ms K-weighted mean squares (float32), for BS.1770 loudness

    @property
    def band_edges_hz(self) -> List[float]:
        return [*BAND_EDGES_HZ, self.sample_rate / 2]

    def loudness(self, start_s: float = 0.0, end_s: float = float("inf")) -> float:
        """Integrated loudness (ITU-R BS.1770-4 gating: 400 ms blocks, 75 % overlap, -70 LUFS
        absolute and -10 LU relative gates) of ``start_s``..``end_s``, in LUFS; -inf for silence."""
        first = int(max(start_s, 0) * FRAMES_PER_S)
        last = int(min(end_s, len(self.frame_k) / FRAMES_PER_S) * FRAMES_PER_S)
        energies = self.frame_k[first:last].astype(np.float64)
        per_block, hop = int(0.4 * FRAMES_PER_S), int(0.1 * FRAMES_PER_S)
        if len(energies) < per_block:
            return float("-inf")
        sums = np.concatenate([[0.0], np.cumsum(energies)])
        return gated_loudness((sums[per_block:] - sums[:-per_block])[::hop] / per_block)


def gated_loudness(block_energies: np.ndarray) -> float:
    """BS.1770-4's two gates over the mean squares of 400 ms blocks (one channel, weight 1)."""
    with np.errstate(divide="ignore"):
        block_lufs = -0.691 + 10 * np.log10(block_energies)
    kept = block_energies[block_lufs > -70.0]
    if not len(kept):
        return float("-inf")
    relative = -0.691 + 10 * np.log10(kept.mean()) - 10.0
    kept = kept[-0.691 + 10 * np.log10(kept) > relative]
    return float(-0.691 + 10 * np.log10(kept.mean()))


class _Columns:
    """Values as they are measured, block by block: per-second values one by one, frame values as
    compact arrays."""

    def __init__(self) -> None:
        self.seconds: Dict[str, list] = {}
        self.frames: Dict[str, List[np.ndarray]] = {}

    def add(self, **columns) -> None:
        for name, values in columns.items():
            self.seconds.setdefault(name, []).extend(values)

    def add_frames(self, **columns: np.ndarray) -> None:
        for name, values in columns.items():
            self.frames.setdefault(name, []).append(values)

    def joined(self, name: str, count: int, width: int = 0) -> np.ndarray:
        if name in self.frames:
            joined = np.concatenate(self.frames[name])
        else:
            values = self.seconds.get(name, [])
            joined = np.array(values, dtype=np.float64) if values else np.zeros((0, width) if width else (0,))
        if len(joined) >= count:
            return joined[:count]
        pad = np.full((count - len(joined), *joined.shape[1:]), np.nan)
        return np.concatenate([joined, pad])


class _WholeSeconds:
    """Cuts a stream of arrays (fed together, the same length) into whole seconds, holding the
    part-second left over until the next feed or the end."""

    def __init__(self, sample_rate: int):
        self._rate = sample_rate
        self._held: Optional[Tuple[np.ndarray, ...]] = None

    def whole(self, *arrays: np.ndarray) -> List[Tuple[np.ndarray, ...]]:
        if self._held is not None:
            arrays = tuple(np.concatenate([held, new]) for held, new in zip(self._held, arrays))
        cut = len(arrays[0]) // self._rate * self._rate
        self._held = tuple(a[cut:] for a in arrays) if cut < len(arrays[0]) else None
        return [tuple(a[:cut] for a in arrays)] if cut else []

    def rest(self) -> List[Tuple[np.ndarray, ...]]:
        held, self._held = self._held, None
        return [held] if held is not None and len(held[0]) else []


class Analyzer:
    """Measures a recording fed as float32 ``(frames, channels)`` blocks at ``sample_rate``."""

    def __init__(self, sample_rate: int, num_channels: int):
        self.sample_rate = sample_rate
        self._num_channels = num_channels
        self._source = _Columns()  # fed by feed_levels
        self._spectrum = _Columns()  # fed by feed_mono, as is _analysis
        self._analysis = _Columns()
        self._level_seconds = _WholeSeconds(sample_rate)
        self._mono_seconds = _WholeSeconds(sample_rate)
        # soxr's low quality (16-bit precision, a little less bandwidth) is plenty to measure by, at
        # two thirds of the cost of its high quality (which the upload keeps)
        self._resampler = soxr.ResampleStream(sample_rate, ANALYSIS_RATE, 1, dtype="float32", quality="LQ")
        self._narrower = soxr.ResampleStream(ANALYSIS_RATE, periodicity.RATE, 1, dtype="float32", quality="LQ")
        self._narrow = np.zeros(0, np.float32)  # periodicity-rate samples from _narrow_at on, not yet all used
        self._narrow_at = 0
        self._pitch_frames = 0
        self._pending: List[np.ndarray] = []
        self._pending_frames = 0
        self._source_frames = 0
        self._vad = voice_activity.Detector(VAD_MODE)
        self._k_gain = k_weighting_power(
            np.fft.rfftfreq(int(FRAME_S * ANALYSIS_RATE), 1 / ANALYSIS_RATE), ANALYSIS_RATE
        )
        self._window = np.hanning(FFT_SIZE).astype(np.float32)
        freqs = np.fft.rfftfreq(FFT_SIZE, 1 / sample_rate)
        band_of_bin = np.searchsorted(np.array(BAND_EDGES_HZ, dtype=float), freqs, side="right")
        self._band_matrix = (band_of_bin[:, None] == np.arange(len(BAND_EDGES_HZ) + 1)).astype(np.float32)

    def feed(self, block: np.ndarray, mono: Optional[np.ndarray] = None) -> None:
        """Measure one block (of any length), and its :func:`.doctor.mono_mix` when the caller has
        it. NaN or infinite samples count as silence (the level check refuses such a file)."""
        block, mono = _cleaned(block, mono)
        self.feed_levels(block, mono)
        self.feed_mono(mono)

    def feed_levels(self, block: np.ndarray, mono: np.ndarray) -> None:
        """The part of :meth:`feed` that needs every channel: peaks, true peaks, clipping, DC."""
        self._source_frames += len(block)
        for whole in self._level_seconds.whole(block, mono):
            self._measure_levels(*whole)

    def feed_mono(self, mono: np.ndarray) -> None:
        """The rest of :meth:`feed`, from the mono mix alone: the spectrum at the source rate, and
        at the analysis rate voice activity, levels, loudness and pitch. The two parts may run on
        two threads, each fed every block in order."""
        for (whole,) in self._mono_seconds.whole(mono):
            self._measure_spectrum(whole)
        self._queue(self._resampler.resample_chunk(mono))

    def finish(self) -> Measures:
        """All measures, once the last block was fed."""
        for rest in self._level_seconds.rest():
            self._measure_levels(*rest)
        for (tail,) in self._mono_seconds.rest():
            self._measure_spectrum(tail)
        self._queue(self._resampler.resample_chunk(np.zeros(0, np.float32), last=True), flush=True)
        seconds = int(np.ceil(self._source_frames / self.sample_rate))
        src, ana = self._source, self._analysis
        duration_s = self._source_frames / self.sample_rate
        frame_count, pitch_count = (int(round(duration_s * rate)) for rate in (FRAMES_PER_S, PITCH_FRAMES_PER_S))
        self._measure_periodicity(self._narrower.resample_chunk(np.zeros(0, np.float32), last=True), pitch_count)
        measured = sum(len(part) for part in ana.frames.get("frame_db", []))
        frames = {name: ana.joined(name, frame_count) for name in ("frame_db", "frame_speech", "frame_k")}
        frame_db = np.nan_to_num(frames["frame_db"], nan=SILENT_DBFS).astype(np.float32)
        frame_speech = np.nan_to_num(frames["frame_speech"]).astype(np.uint8)
        per_second = _PerSecond(seconds, min(measured, frame_count), FRAMES_PER_S)
        by_pitch_frame = _PerSecond(seconds, pitch_count, PITCH_FRAMES_PER_S)
        with np.errstate(divide="ignore", invalid="ignore"):
            pitch = by_pitch_frame.shaped(ana.joined("pitch", pitch_count))
            hnr = by_pitch_frame.shaped(ana.joined("hnr", pitch_count))
            semitones = np.where(pitch > 0, 12 * np.log2(pitch / 100.0), np.nan)
            median, upper, lower = row_percentiles(semitones, (50, 75, 25))
            voiced = np.count_nonzero(pitch > 0, axis=1)
            harmonic = hnr > -100
            hnr_db = np.where(harmonic, hnr, 0.0).sum(axis=1) / np.count_nonzero(harmonic, axis=1)
        return Measures(
            sample_rate=self.sample_rate,
            seconds=seconds,
            speech=per_second.mean(frame_speech.astype(np.float64)),
            level_db=10 * np.log10(np.maximum(per_second.mean(10 ** (frame_db.astype(np.float64) / 10)), 1e-12)),
            peak=src.joined("peak", seconds),
            true_peak=src.joined("true_peak", seconds),
            clipped=src.joined("clipped", seconds),
            dc=src.joined("dc", seconds),
            bands_db=self._spectrum.joined("bands_db", seconds, len(BAND_EDGES_HZ) + 1),
            peakiness=self._spectrum.joined("peakiness", seconds),
            f0_st=median,
            f0_spread_st=np.where(voiced > 3, upper - lower, np.nan),
            hnr_db=hnr_db,
            frame_db=frame_db,
            frame_speech=frame_speech,
            frame_k=np.nan_to_num(frames["frame_k"]).astype(np.float32),
        )

    # -- at the source rate ------------------------------------------------------------------

    def _measure_levels(self, block: np.ndarray, mono: np.ndarray) -> None:
        """Peaks, true peaks, clipping and DC of whole seconds of ``block`` (or of the last part-second)."""
        length = min(self.sample_rate, len(block))
        shaped = block.reshape(-1, length, block.shape[1])
        magnitude = np.abs(shaped)
        peak = magnitude.reshape(len(shaped), -1).max(axis=1)
        peaks_true = peak.copy()
        for row in np.flatnonzero(peak >= NEAR_LIMIT):
            peaks_true[row] = true_peak(shaped[row], magnitude[row])
        self._source.add(
            peak=peak.astype(np.float64),
            true_peak=peaks_true.astype(np.float64),
            clipped=_clipped(magnitude, peak),
            dc=mono.reshape(len(shaped), length).mean(axis=1).astype(np.float64),  # float32's pairwise sum
        )

    def _measure_spectrum(self, mono: np.ndarray) -> None:
        """The bands and tonal peakiness of whole seconds of ``mono`` (or of the last part-second)."""
        power = self._spectra(mono.reshape(-1, min(self.sample_rate, len(mono))))
        total = power.sum(axis=1)
        strongest = np.argmax(power, axis=1)
        sums = np.concatenate([np.zeros((len(power), 1)), np.cumsum(power, axis=1)], axis=1)
        rows = np.arange(len(power))
        around = sums[rows, np.minimum(strongest + 3, power.shape[1])] - sums[rows, np.maximum(strongest - 2, 0)]
        with np.errstate(divide="ignore", invalid="ignore"):
            peakiness = np.where(total > 0, around / total, 0.0)
        bands = np.einsum("ij,jk->ik", power, self._band_matrix)  # no BLAS: one core
        self._spectrum.add(bands_db=(10 * np.log10(bands + 1e-20)).astype(np.float32), peakiness=peakiness)

    def _spectra(self, flat: np.ndarray) -> np.ndarray:
        """The mean power spectrum of each row (a second), over :data:`FFT_SIZE` frames. A second
        at a time: one batch of a whole block's frames falls out of the cache and took 3x as long."""
        whole = flat.shape[1] // FFT_SIZE * FFT_SIZE
        power = np.empty((len(flat), FFT_SIZE // 2 + 1), np.float32)
        for row, samples in enumerate(flat):
            if whole:
                frames = samples[:whole].reshape(-1, FFT_SIZE)
            else:
                frames = np.zeros((1, FFT_SIZE), np.float32)
                frames[0, : len(samples)] = samples
            spectra = np.fft.rfft(frames * self._window, axis=1)
            power[row] = (spectra.real**2 + spectra.imag**2).mean(axis=0)
        return power

    # -- at the analysis rate ----------------------------------------------------------------

    def _queue(self, resampled: np.ndarray, *, flush: bool = False) -> None:
        if len(resampled):
            self._pending.append(resampled)
            self._pending_frames += len(resampled)
        chunk = CHUNK_S * ANALYSIS_RATE
        while self._pending_frames >= chunk or (flush and self._pending_frames):
            joined = np.concatenate(self._pending)
            take = min(chunk, len(joined))
            self._measure_analysis(joined[:take])
            self._pending = [joined[take:]]
            self._pending_frames = len(joined) - take

    def _measure_analysis(self, chunk: np.ndarray) -> None:
        per_frame = int(FRAME_S * ANALYSIS_RATE)
        count = len(chunk) // per_frame
        frames = chunk[: count * per_frame].reshape(count, per_frame)
        energy = np.einsum("ij,ij->i", frames, frames, dtype=np.float64) / per_frame
        frame_db = 10 * np.log10(np.maximum(energy, 10 ** (SILENT_DBFS / 10)))
        pcm = np.multiply(np.clip(frames, -1.0, 1.0), 32767.0, dtype=np.float32).astype(np.int16)
        speech = self._vad.frames(pcm, ANALYSIS_RATE)
        # the K-weighted mean square of each frame by Parseval: its power spectrum times the filters' gain
        spectra = np.fft.rfft(frames, axis=1)
        power = spectra.real**2 + spectra.imag**2
        power[:, 1 : (per_frame + 1) // 2] *= 2  # the bins rfft folds
        k_energy = np.einsum("ij,j->i", power, self._k_gain) / per_frame**2  # no BLAS: one core
        self._analysis.add_frames(
            frame_db=frame_db.astype(np.float32), frame_speech=speech, frame_k=k_energy.astype(np.float32)
        )

        self._measure_periodicity(self._narrower.resample_chunk(chunk))

    def _measure_periodicity(self, narrow: np.ndarray, total: Optional[int] = None) -> None:
        """Pitch and harmonicity of every pitch frame whose window the periodicity-rate audio so far
        covers (all ``total`` frames at the end), each window with the audio on both sides of it."""
        buffer = np.concatenate([self._narrow, narrow])
        hop, half = int(PITCH_FRAME_S * periodicity.RATE), periodicity.WINDOW // 2
        first_centre = hop // 2 + self._pitch_frames * hop  # in periodicity-rate samples from the start
        if total is None:
            covered = self._narrow_at + len(buffer) - half - 1  # centres up to here have their whole window
            count = max(0, (covered - first_centre) // hop + (1 if covered >= first_centre else 0))
        else:
            count = max(0, total - self._pitch_frames)
        if count:
            pitch, hnr = periodicity.periodicity(buffer, hop, count, first_centre - self._narrow_at)
            self._analysis.add_frames(pitch=pitch.astype(np.float32), hnr=hnr.astype(np.float32))
            self._pitch_frames += count
        keep = max(0, hop // 2 + self._pitch_frames * hop - half - self._narrow_at)
        self._narrow, self._narrow_at = buffer[keep:], self._narrow_at + keep


class _PerSecond:
    """Frame values (``per_second`` a second) gathered by second; the first ``measured`` are real."""

    def __init__(self, seconds: int, measured: int, per_second: int):
        self.seconds, self.per_second = seconds, per_second
        self.real = np.clip(measured - np.arange(seconds) * per_second, 0, per_second)

    def shaped(self, values: np.ndarray) -> np.ndarray:
        padded = np.full(self.seconds * self.per_second, np.nan)
        padded[: min(len(values), len(padded))] = values[: len(padded)]
        return padded.reshape(self.seconds, self.per_second)

    def mean(self, values: np.ndarray) -> np.ndarray:
        """Each second's mean over its real frames (0 for a second with none)."""
        sums = np.nan_to_num(self.shaped(values))
        sums[self.real[:, None] <= np.arange(self.per_second)[None, :]] = 0.0
        return np.where(self.real > 0, sums.sum(axis=1) / np.maximum(self.real, 1), 0.0)


class AnalyzerThread:
    """An :class:`Analyzer` whose mono part (:meth:`Analyzer.feed_mono`, most of the work) runs on a
    thread of its own, beside the rest of a pass (decoding, the levels of every channel, resampling
    and writing the upload), so the two cores share the work: numpy, soxr and the FFTs let go of the
    interpreter while they work. The mono mix is handed over as it is; the caller must not change it.

    While it runs, the interpreter hands over between threads every :data:`SWITCH_S` rather than
    every 5 ms: both threads make many short calls, and at 5 ms each waited so long on the other
    that the pass took 15-40 % longer (at 0.5 ms the handing over itself cost as much)."""

    SWITCH_S = 0.002

    def __init__(self, analyzer: Analyzer, depth: int = 2):
        self._analyzer = analyzer
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch, self.SWITCH_S))
        self._queue: queue.Queue[Optional[np.ndarray]] = queue.Queue(depth)
        self._failure: Optional[BaseException] = None
        self._abandoned = False
        self._thread = threading.Thread(target=self._run, name="voiceclone-analysis", daemon=True)
        self._thread.start()

    def feed(self, block: np.ndarray, mono: Optional[np.ndarray] = None) -> None:
        if self._failure is not None:
            raise self._failure
        block, mono = _cleaned(block, mono)
        self._queue.put(mono)
        self._analyzer.feed_levels(block, mono)

    def finish(self) -> Measures:
        self._queue.put(None)
        self._thread.join()
        sys.setswitchinterval(self._switch)
        if self._failure is not None:
            raise self._failure
        return self._analyzer.finish()

    def abandon(self) -> None:
        """Stop measuring (the pass failed): the thread leaves what is queued and ends, and is
        waited for (a process that exits while the thread is inside numpy's FFT is aborted)."""
        self._abandoned = True
        self._queue.put(None)
        self._thread.join()
        sys.setswitchinterval(self._switch)

    def _run(self) -> None:
        failed = False
        while True:
            mono = self._queue.get()
            if mono is None:
                return
            if failed or self._abandoned:
                continue  # keep taking blocks, so a feeder never waits on a full queue
            try:
                self._analyzer.feed_mono(mono)
            except BaseException as exc:  # noqa: BLE001 - handed to the feeding thread
                self._failure, failed = exc, True


def _cleaned(block: np.ndarray, mono: Optional[np.ndarray]) -> Tuple[np.ndarray, np.ndarray]:
    """The block with NaN and infinite samples as silence, and its mono mix (which is finite only
    when every channel is, so it is the one looked at)."""
    mono = mono_mix(block) if mono is None else mono
    if not np.isfinite(mono).all():
        block = np.nan_to_num(block, nan=0.0, posinf=0.0, neginf=0.0)
        mono = mono_mix(block)
    return block, mono


def _clipped(magnitude: np.ndarray, peak: np.ndarray) -> np.ndarray:
    """Per row (a second) of ``|samples|`` as ``(rows, frames, channels)``: samples at full scale,
    or on flat tops (runs of equal samples at the row's peak: clipped, then turned down)."""
    found = np.zeros(len(peak))
    flat = magnitude.reshape(len(peak), -1)
    # row by row: count_nonzero along an axis takes 5x as long as over a whole array
    at_peak = np.array([np.count_nonzero(row >= top * (1 - 1e-6)) for row, top in zip(flat, peak)])
    for row in np.flatnonzero((peak >= CLIP_LEVEL) | ((peak > 0.05) & (at_peak >= FLAT_TOP_RUN))):
        if peak[row] >= CLIP_LEVEL:
            found[row] = np.count_nonzero(flat[row] >= CLIP_LEVEL)
            continue
        flags = (magnitude[row] >= peak[row] * (1 - 1e-6)).any(axis=1).astype(np.int8)
        edges = np.flatnonzero(np.diff(np.concatenate([[0], flags, [0]])))
        runs = edges[1::2] - edges[::2]
        found[row] = runs[runs >= FLAT_TOP_RUN].sum()
    return found


def k_weighting_power(freqs: np.ndarray, sample_rate: int) -> np.ndarray:
    """The power gain at ``freqs`` of BS.1770's K-weighting: its high shelf (+4 dB above 1.5 kHz,
    Q 1/sqrt 2) and high pass (38 Hz, Q 0.5), the biquads ``pyloudnorm`` builds for any rate (the
    audio cookbook's formulas)."""
    gain = np.ones_like(freqs, dtype=np.float64)
    z = np.exp(-2j * np.pi * freqs / sample_rate)
    for b, a in (_high_shelf(4.0, 1 / np.sqrt(2), 1500.0, sample_rate), _high_pass(0.5, 38.0, sample_rate)):
        response = (b[0] + b[1] * z + b[2] * z**2) / (a[0] + a[1] * z + a[2] * z**2)
        gain *= np.abs(response) ** 2
    return gain


def _high_shelf(gain_db: float, q: float, fc: float, rate: int):
    big_a, w0 = 10 ** (gain_db / 40), 2 * np.pi * fc / rate
    alpha, cos = np.sin(w0) / (2 * q), np.cos(w0)
    root = 2 * np.sqrt(big_a) * alpha
    b = (
        big_a * ((big_a + 1) + (big_a - 1) * cos + root),
        -2 * big_a * ((big_a - 1) + (big_a + 1) * cos),
        big_a * ((big_a + 1) + (big_a - 1) * cos - root),
    )
    a = (
        (big_a + 1) - (big_a - 1) * cos + root,
        2 * ((big_a - 1) - (big_a + 1) * cos),
        (big_a + 1) - (big_a - 1) * cos - root,
    )
    return b, a


def _high_pass(q: float, fc: float, rate: int):
    w0 = 2 * np.pi * fc / rate
    alpha, cos = np.sin(w0) / (2 * q), np.cos(w0)
    return ((1 + cos) / 2, -(1 + cos), (1 + cos) / 2), (1 + alpha, -2 * cos, 1 - alpha)
