"""The true peak of a stretch of audio: the peak of its 4x oversampled signal (ITU-R BS.1770-4,
Annex 2), interpolated only around its loud samples.

Between two samples the signal can rise above both, but by more than :data:`NEAR_DB` only for
content above about a third of the sample rate (a full-scale tone at a quarter of the rate, sampled
45 degrees off its crests, rises 3 dB). A true peak at the limit (:data:`LIMIT_DBTP`) therefore
sits next to a sample within :data:`NEAR_DB` of it, and only the gaps beside such samples are
interpolated, by a Kaiser-windowed sinc at the three quarter-sample points: within 0.1 dB of a
full 4x resampling (tested), at a small part of its cost (whole seconds oversampled took 0.28 s of
a loud 5-minute take's pass).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

#: Peaks above this may clip when the sample is encoded (the sample doctor's limit).
LIMIT_DBTP = -1.0
#: Samples within this of the limit are the ones interpolated around.
NEAR_DB = 4.0
HALF = 12  # taps each side of an interpolated point
KAISER_BETA = 8.0
_PHASES = np.array([0.25, 0.5, 0.75])
_DISTANCE = _PHASES[None, :] - np.arange(-HALF + 1, HALF + 1)[:, None]  # (taps, phases)
_TAPS = np.sinc(_DISTANCE) * np.i0(KAISER_BETA * np.sqrt(np.clip(1 - (_DISTANCE / HALF) ** 2, 0, 1)))
_TAPS = (_TAPS / np.i0(KAISER_BETA)).astype(np.float32)


def true_peak(block: np.ndarray) -> float:
    """The true peak (linear) of a float32 ``(frames, channels)`` block: exact where it reaches
    :data:`LIMIT_DBTP`, and never below the sample peak."""
    peak = float(np.abs(block).max(initial=0.0))
    near = 10 ** ((LIMIT_DBTP - NEAR_DB) / 20)
    for channel in range(block.shape[1]):
        samples = block[:, channel]
        loud = np.flatnonzero(np.abs(samples) >= near)
        if not len(loud):
            continue
        # the gaps after each loud sample and before it
        gaps = np.unique(np.concatenate([loud, loud - 1]))
        gaps = gaps[gaps >= 0]
        padded = np.concatenate([np.zeros(HALF - 1, np.float32), samples, np.zeros(HALF, np.float32)])
        windows = sliding_window_view(padded, 2 * HALF)[gaps]
        between = np.einsum("ij,jk->ik", windows, _TAPS)
        peak = max(peak, float(np.abs(between).max()))
    return peak
