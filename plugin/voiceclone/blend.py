"""Making a patch sound like the take it goes into, so the listener cannot hear the seam.

Arrays are float32 ``(num_frames, num_channels)`` at the take's ``sample_rate``; times are seconds.
The steps: trim the speech's own leading and trailing silence; match its integrated loudness
(ITU-R BS.1770, with pyloudnorm) to the speaker's speech around the selection; match its long-term
spectrum to the take's with a gentle, smoothed EQ bounded to +-6 dB; lay the take's room tone (its
quietest stretch, looped with crossfades) under it; splice it in with equal-power crossfades that
start and end at zero crossings. Outside the crossfades the take is left bit for bit.
"""

from typing import Tuple

import numpy as np

#: Speech quieter than this below its peak is silence, for trimming.
SILENCE_BELOW_DB = 40.0
#: The crossfade at each edge of the patch.
FADE_S = 0.02
#: How far a seam may move to land on a zero crossing.
ZERO_CROSSING_S = 0.005
#: The take's speech measured around the selection: this much on each side.
CONTEXT_S = 5.0
#: The matching EQ's bound, either way.
EQ_LIMIT_DB = 6.0
#: The window in which the take's quietest stretch (its room tone) is looked for.
ROOM_TONE_S = 0.4


def mono(samples: np.ndarray) -> np.ndarray:
    """The channels' mean, 1-D float64 (for measuring)."""
    return samples.astype(np.float64).mean(axis=1)


def trim_silence(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """``samples`` without leading and trailing silence (keeping 10 ms either side)."""
    level = np.abs(mono(samples))
    if not level.size or level.max() == 0:
        return samples[:0]
    loud = np.flatnonzero(level > level.max() * 10 ** (-SILENCE_BELOW_DB / 20))
    margin = int(0.01 * sample_rate)
    return samples[max(loud[0] - margin, 0) : loud[-1] + margin + 1]


def loudness(samples: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness in LUFS (ITU-R BS.1770-4); -inf for silence."""
    import pyloudnorm

    meter = pyloudnorm.Meter(sample_rate)
    block = int(0.4 * sample_rate)
    if len(samples) < block:  # the standard's gating block is 400 ms
        samples = np.concatenate([samples, np.zeros((block - len(samples), samples.shape[1]), samples.dtype)])
    return float(meter.integrated_loudness(samples.astype(np.float64)))


def around(take: np.ndarray, sample_rate: int, start_s: float, end_s: float) -> np.ndarray:
    """The take's audio in the :data:`CONTEXT_S` before the selection and after it (the speaker's own speech)."""
    before = take[max(0, int((start_s - CONTEXT_S) * sample_rate)) : int(start_s * sample_rate)]
    after = take[int(end_s * sample_rate) : int((end_s + CONTEXT_S) * sample_rate)]
    return np.concatenate([before, after])


def room_tone(take: np.ndarray, sample_rate: int, num_frames: int) -> np.ndarray:
    """``num_frames`` of the take's quietest :data:`ROOM_TONE_S` stretch, looped with crossfades."""
    window = min(int(ROOM_TONE_S * sample_rate), len(take))
    if window == 0:
        return np.zeros((num_frames, take.shape[1]), np.float32)
    squares = np.concatenate([[0.0], np.cumsum(mono(take) ** 2)])
    energy = squares[window:] - squares[:-window]  # each window's energy, in one pass
    quietest = int(np.argmin(energy))
    piece = take[quietest : quietest + window].astype(np.float64)
    fade = max(1, window // 8)
    ramp = np.sqrt(np.linspace(0.0, 1.0, fade))[:, None]
    out = np.zeros((num_frames + window, take.shape[1]))
    step = window - fade
    for at in range(0, num_frames, step):
        chunk = piece.copy()
        if at:
            chunk[:fade] *= ramp
        chunk[-fade:] *= ramp[::-1]
        out[at : at + window] += chunk
    return out[:num_frames].astype(np.float32)


def match_eq(patch: np.ndarray, reference: np.ndarray, sample_rate: int) -> np.ndarray:
    """``patch`` filtered so its long-term spectrum leans toward ``reference``'s: the level
    difference per band, smoothed over a third of an octave and held within +-:data:`EQ_LIMIT_DB`,
    by a linear-phase FIR (its delay removed)."""
    from scipy import signal

    if len(reference) < 2048 or len(patch) < 2048:
        return patch
    freqs, want = signal.welch(mono(reference), sample_rate, nperseg=2048)
    _, have = signal.welch(mono(patch), sample_rate, nperseg=2048)
    ratio_db = 10 * np.log10((want + 1e-20) / (have + 1e-20))
    smoothed = np.array([_third_octave_mean(freqs, ratio_db, f) for f in freqs])
    gains = 10 ** (np.clip(smoothed - np.median(smoothed), -EQ_LIMIT_DB, EQ_LIMIT_DB) / 20)
    taps = signal.firwin2(1025, freqs / (sample_rate / 2), gains)
    filtered = np.stack([signal.fftconvolve(patch[:, c], taps, mode="same") for c in range(patch.shape[1])], axis=1)
    return filtered.astype(np.float32)


def _third_octave_mean(freqs: np.ndarray, values: np.ndarray, centre: float) -> float:
    if centre <= 0:
        return float(values[1]) if len(values) > 1 else 0.0
    band = (freqs >= centre / 2 ** (1 / 6)) & (freqs <= centre * 2 ** (1 / 6))
    return float(values[band].mean()) if band.any() else 0.0


def zero_crossing(samples: np.ndarray, frame: int, sample_rate: int) -> int:
    """The zero crossing of ``samples`` nearest ``frame`` within :data:`ZERO_CROSSING_S`, else ``frame``."""
    reach = int(ZERO_CROSSING_S * sample_rate)
    low, high = max(1, frame - reach), min(len(samples) - 1, frame + reach)
    if high <= low:
        return frame
    signal = mono(samples[low - 1 : high + 1])
    crossings = np.flatnonzero(np.signbit(signal[:-1]) != np.signbit(signal[1:])) + low
    return int(crossings[np.argmin(np.abs(crossings - frame))]) if crossings.size else frame


def splice(take: np.ndarray, patch: np.ndarray, start: int, sample_rate: int) -> Tuple[np.ndarray, int, int]:
    """``take`` with ``patch`` laid over it from frame ``start``, crossfaded in and out over
    :data:`FADE_S` (equal power); returns the new take and the first and last frame it changed.
    ``patch`` covers the fades too: it starts ``FADE_S`` before the seam and ends ``FADE_S`` after."""
    fade = int(FADE_S * sample_rate)
    begin, finish = start - fade, start - fade + len(patch)
    if begin < 0 or finish > len(take):
        raise ValueError("the patch with its crossfades must lie inside the take")
    out = take.copy()
    mix = patch.astype(np.float64)
    curve = np.sin(np.linspace(0.0, np.pi / 2, fade))[:, None]
    original = take[begin:finish].astype(np.float64)
    weight = np.ones((len(patch), 1))
    weight[:fade] = curve
    weight[-fade:] = curve[::-1]
    keep = np.sqrt(np.clip(1.0 - weight**2, 0.0, 1.0))
    out[begin:finish] = (original * keep + mix * weight).astype(take.dtype)
    return out, begin, finish
