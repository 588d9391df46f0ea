"""Pitch and harmonics-to-noise ratio of 20 ms frames, by the normalised autocorrelation of a
windowed frame divided by the window's own (the method of Boersma 1993, "Accurate short-term
analysis of the fundamental frequency and the harmonics-to-noise ratio of a sampled sound", which
Praat implements), in numpy alone.

Every frame's autocorrelation comes from one batch of FFTs: five minutes of audio cost about 0.1 s
and no library of its own (a build of Praat takes 73 MB of memory on import alone).
The frame's strongest periodicity ``r`` (0..1) gives both measures: the pitch is the rate of the
lag where it peaks, and the harmonics-to-noise ratio is ``10 log10(r / (1 - r))``.
"""

from typing import Optional, Tuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

RATE = 8000
PITCH_FLOOR_HZ, PITCH_CEILING_HZ = 70.0, 450.0
#: Three periods of the pitch floor, as Praat's autocorrelation method takes.
WINDOW = int(3 / PITCH_FLOOR_HZ * RATE) | 1
FFT_SIZE = 512  # at least the window plus the longest lag: the autocorrelation must not wrap
BATCH = 200  # frames transformed at once
#: A frame is voiced when its periodicity reaches this (Praat's voicing threshold)...
VOICING_THRESHOLD = 0.45
#: ... and its peak reaches this share of the loudest in the stretch (Praat's silence threshold).
SILENCE_THRESHOLD = 0.03
#: The harmonics-to-noise ratio is measured on frames louder than this share (Praat's for harmonicity).
HNR_SILENCE_THRESHOLD = 0.1
#: Of the lags that come close to the strongest, the shortest is the period (a period's multiples
#: correlate nearly as well: taking the strongest alone would often halve the pitch).
OCTAVE_SHARE = 0.9
UNVOICED_HNR_DB = -200.0

_MIN_LAG = int(RATE / PITCH_CEILING_HZ)
_MAX_LAG = int(np.ceil(RATE / PITCH_FLOOR_HZ)) + 1
_HANN = np.hanning(WINDOW + 2)[1:-1].astype(np.float32)
_HANN_AC = np.correlate(_HANN, _HANN, "full")[WINDOW - 1 : WINDOW + _MAX_LAG]
_HANN_AC = (_HANN_AC / _HANN_AC[0]).astype(np.float32)


def periodicity(signal: np.ndarray, hop: int, count: int, first: Optional[int] = None) -> Tuple[np.ndarray, np.ndarray]:
    """Pitch (Hz, 0 where unvoiced) and harmonics-to-noise ratio (dB, :data:`UNVOICED_HNR_DB` where
    silent) of ``count`` frames centred every ``hop`` samples of the mono ``signal`` at :data:`RATE`,
    the first at sample ``first`` (default ``hop / 2``). Windows running off the signal see silence;
    the silence thresholds are shares of the signal's loudest sample."""
    if count <= 0 or not len(signal):
        return np.zeros(max(count, 0)), np.full(max(count, 0), UNVOICED_HNR_DB)
    half = WINDOW // 2
    first = hop // 2 if first is None else first
    padded = np.zeros(max(first + (count - 1) * hop + WINDOW, len(signal) + 2 * half), np.float32)
    padded[half : half + len(signal)] = signal
    frames = sliding_window_view(padded, WINDOW)[first : first + (count - 1) * hop + 1 : hop]
    loudest = float(np.abs(signal).max())
    peaks = np.abs(frames).max(axis=1)
    # frames too quiet to be voiced or measured are left out of the transforms
    quiet = min(SILENCE_THRESHOLD, HNR_SILENCE_THRESHOLD) * loudest
    heard = np.flatnonzero(peaks >= quiet) if loudest > 0 else np.zeros(0, int)
    r = np.zeros((len(heard), _MAX_LAG + 1), np.float32)
    for at in range(0, len(heard), BATCH):  # a few at a time: one batch of all ran 3x slower
        some = frames[heard[at : at + BATCH]]
        spectra = np.fft.rfft((some - some.mean(axis=1, keepdims=True)) * _HANN, FFT_SIZE, axis=1)
        ac = np.fft.irfft(spectra.real**2 + spectra.imag**2, FFT_SIZE, axis=1)[:, : _MAX_LAG + 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            r[at : at + BATCH] = np.nan_to_num(ac / ac[:, :1] / _HANN_AC)
    strength, lag = np.zeros(len(frames)), np.zeros(len(frames))
    strength[heard], lag[heard] = _best_lag(r)
    audible = loudest > 0
    voiced = (strength >= VOICING_THRESHOLD) & (peaks >= SILENCE_THRESHOLD * loudest) & audible
    pitch = np.where(voiced, RATE / np.maximum(lag, 1.0), 0.0)
    with np.errstate(divide="ignore"):
        clipped = np.clip(strength, 1e-10, 1 - 1e-5)
        hnr = np.where(
            (peaks >= HNR_SILENCE_THRESHOLD * loudest) & audible & (strength > 0),
            10 * np.log10(clipped / (1 - clipped)),
            UNVOICED_HNR_DB,
        )
    return pitch, hnr


def _best_lag(r: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Each frame's periodicity and its period in samples (interpolated between lags)."""
    inner = r[:, _MIN_LAG:_MAX_LAG]
    before, after = r[:, _MIN_LAG - 1 : _MAX_LAG - 1], r[:, _MIN_LAG + 1 : _MAX_LAG + 1]
    is_peak = (inner > before) & (inner >= after)
    peaks = np.where(is_peak, inner, -np.inf)
    strongest = peaks.max(axis=1, keepdims=True)
    close = is_peak & (peaks >= OCTAVE_SHARE * strongest)
    index = np.argmax(close, axis=1)
    rows = np.arange(len(r))
    found = close[rows, index]
    left, mid, right = before[rows, index], inner[rows, index], after[rows, index]
    curve = left - 2 * mid + right
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curve < 0, 0.5 * (left - right) / curve, 0.0)
    shift = np.clip(np.nan_to_num(shift), -0.5, 0.5)
    strength = np.where(found, mid - 0.25 * (left - right) * shift, 0.0)
    return np.minimum(strength, 1.0), np.where(found, _MIN_LAG + index + shift, 0.0)
