"""A synthetic, speech-like voice: pitch contour, vowel formants, syllables and pauses.

Used where no recording exists: the demo's sample when espeak-ng is missing, and the sandbox's
generated previews and speech. It sounds like a buzzy robot, on purpose: nobody mistakes it for a
real person.
"""

import numpy as np

#: First and second formants (Hz) of a few vowels.
_VOWELS = np.array([(730, 1090), (270, 2290), (530, 1840), (570, 840), (300, 870), (660, 1720)], float)


def voice_like(duration_s: float, sample_rate: int = 24000, *, pitch_hz: float = 120.0, seed: int = 0) -> np.ndarray:
    """Return ``duration_s`` seconds of a speech-like mono signal, float32, peak about 0.5.

    Parameters
    ----------
    duration_s : seconds of audio.
    sample_rate : Hz.
    pitch_hz : the mean fundamental frequency; 90-140 sounds male, 180-250 female.
    seed : the same seed gives the same "words".
    """
    rng = np.random.default_rng(seed)
    num_frames = int(round(duration_s * sample_rate))
    t = np.arange(num_frames) / sample_rate
    # Syllables of 120-320 ms, grouped into words with pauses between them.
    bounds, kinds, pos = [0.0], [], 0.0
    while pos < duration_s:
        if rng.random() < 0.18:
            length, kind = rng.uniform(0.12, 0.45), -1  # a pause
        else:
            length, kind = rng.uniform(0.12, 0.32), int(rng.integers(len(_VOWELS)))
        pos += length
        bounds.append(pos)
        kinds.append(kind)
    edges = np.array(bounds)
    index = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, len(kinds) - 1)
    sounds = np.array(kinds)
    voiced = sounds[index] >= 0
    local = (t - edges[index]) / (edges[index + 1] - edges[index])
    envelope = np.where(voiced, np.sin(np.pi * np.clip(local, 0, 1)) ** 0.6, 0.0)
    # Intonation: slow drift, falling at phrase ends, a little vibrato.
    f0 = pitch_hz * (
        1 + 0.12 * np.sin(2 * np.pi * 0.23 * t + rng.uniform(0, 6)) - 0.08 * local + 0.01 * np.sin(2 * np.pi * 5.5 * t)
    )
    phase = 2 * np.pi * np.cumsum(f0) / sample_rate
    formants = _VOWELS[np.where(voiced, sounds[index], 0)]
    signal = np.zeros(num_frames)
    for k in range(1, int(min(4000, sample_rate / 2 - 200) // pitch_hz) + 1):
        fk = k * f0
        gain = (
            np.exp(-(((fk - formants[:, 0]) / 150.0) ** 2))
            + 0.6 * np.exp(-(((fk - formants[:, 1]) / 200.0) ** 2))
            + 0.05
        ) / k**0.7
        signal += gain * np.sin(k * phase)
    # A breath of noise at syllable onsets, like consonants.
    onset = np.where(voiced & (local < 0.15), 1.0 - local / 0.15, 0.0)
    signal = signal * envelope + 0.08 * onset * rng.standard_normal(num_frames)
    peak = float(np.max(np.abs(signal))) or 1.0
    return (0.5 * signal / peak).astype(np.float32)
