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

from typing import Optional

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

#: Peaks above this may clip when the sample is encoded (the sample doctor's limit).
LIMIT_DBTP = -1.0
#: Samples within this of the limit are the ones interpolated around.
NEAR_DB = 4.0
#: Below this sample peak (linear) the true peak is the sample peak, as far as the limit goes.
NEAR_LIMIT = 10 ** ((LIMIT_DBTP - NEAR_DB) / 20)
HALF = 12  # taps each side of an interpolated point
KAISER_BETA = 8.0
_PHASES = np.array([0.25, 0.5, 0.75])
_DISTANCE = _PHASES[None, :] - np.arange(-HALF + 1, HALF + 1)[:, None]  # (taps, phases)
_TAPS = np.sinc(_DISTANCE) * np.i0(KAISER_BETA * np.sqrt(np.clip(1 - (_DISTANCE / HALF) ** 2, 0, 1)))
_TAPS = (_TAPS / np.i0(KAISER_BETA)).astype(np.float32)


def true_peak(block: np.ndarray, magnitude: Optional[np.ndarray] = None) -> float:
    """The true peak (linear) of a float32 ``(frames, channels)`` block (its ``|samples|`` may be
    given as ``magnitude``): exact where it reaches :data:`LIMIT_DBTP`, never below the sample peak."""
    magnitude = np.abs(block) if magnitude is None else magnitude
    peak = float(magnitude.max(initial=0.0))
    if peak < NEAR_LIMIT:
        return peak
    loud = magnitude >= NEAR_LIMIT
    gaps = loud.copy()
    gaps[:-1] |= loud[1:]  # the gap after each loud sample, and the one before it
    padding = ((HALF - 1, HALF), (0, 0))
    padded = np.pad(block, padding)
    for channel in range(block.shape[1]):
        at = np.flatnonzero(gaps[:, channel])
        if len(at):
            windows = sliding_window_view(padded[:, channel], 2 * HALF)[at]
            peak = max(peak, float(np.abs(np.einsum("ij,jk->ik", windows, _TAPS)).max()))
    return peak
