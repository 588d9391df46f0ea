"""The pitch and harmonics-to-noise ratio the sample doctor and the picker judge by, on signals whose
answers are known: a voice-like harmonic series at a set pitch, the same with noise at a set
harmonics-to-noise ratio, noise alone and silence."""

import numpy as np
import pytest

from voiceclone.periodicity import RATE, UNVOICED_HNR_DB, periodicity

HOP = RATE // 50  # 20 ms frames, as the analysis takes them


def _harmonics(f0: float, seconds: float = 2.0, count: int = 12) -> np.ndarray:
    """A harmonic series falling 6 dB an octave (like a voice's source), peak near 0.5."""
    t = np.arange(int(seconds * RATE)) / RATE
    wave = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, count + 1) if k * f0 < RATE / 2)
    return (0.5 * wave / np.abs(wave).max()).astype(np.float32)


@pytest.mark.parametrize("f0", [80.0, 110.0, 196.0, 330.0, 440.0])
def test_the_pitch_of_a_harmonic_series_is_its_fundamental_not_an_octave_off(f0):
    pitch, hnr = periodicity(_harmonics(f0), HOP, 100)
    inner = pitch[5:-5]
    assert (inner > 0).all(), "every frame of a steady voice is voiced"
    assert np.abs(12 * np.log2(inner / f0)).max() < 0.2, (f0, inner.min(), inner.max())
    assert hnr[5:-5].min() > 18, "a clean periodic sound stands far above speech (5-10 dB) and music (0 dB)"


@pytest.mark.parametrize("snr_db", [0.0, 6.0, 12.0])
def test_the_harmonics_to_noise_ratio_follows_the_noise_added(snr_db):
    clean = _harmonics(150.0)
    noise = np.random.default_rng(3).standard_normal(len(clean)).astype(np.float32)
    noise *= np.sqrt(np.mean(clean**2) / np.mean(noise**2) / 10 ** (snr_db / 10))
    _, hnr = periodicity(clean + noise, HOP, 100)
    measured = float(np.median(hnr[5:-5]))
    assert abs(measured - snr_db) < 3.0, (snr_db, measured)


def test_noise_is_not_voiced_and_silence_is_neither_voiced_nor_measured():
    noise = 0.2 * np.random.default_rng(4).standard_normal(2 * RATE).astype(np.float32)
    pitch, hnr = periodicity(noise, HOP, 100)
    assert np.mean(pitch > 0) < 0.1
    assert np.median(hnr) < 0.0
    pitch, hnr = periodicity(np.zeros(2 * RATE, np.float32), HOP, 100)
    assert not pitch.any() and (hnr == UNVOICED_HNR_DB).all()


def test_a_voice_after_silence_is_found_in_its_own_frames():
    signal = np.concatenate([np.zeros(RATE, np.float32), _harmonics(120.0, 1.0)])
    pitch, _ = periodicity(signal, HOP, 100)
    assert not pitch[:48].any() and (pitch[52:95] > 0).all()
