"""The true peak the sample doctor warns by, against a full 4x resampling (soxr) of the same audio:
inter-sample peaks of a tone a quarter of the rate sampled off its crests, a near-clipping voice-like
noise, and quiet audio (where only the sample peak is needed)."""

import numpy as np
import pytest
import soxr

from voiceclone.true_peak import true_peak

RATE = 48000


def _oversampled_peak(block: np.ndarray) -> float:
    return float(np.abs(soxr.resample(block, RATE, 4 * RATE, quality="VHQ")).max())


def _tone(freq: float, amplitude: float, phase: float) -> np.ndarray:
    t = np.arange(RATE) / RATE
    return (amplitude * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)[:, None]


@pytest.mark.parametrize(
    "block",
    [
        _tone(12000, 0.95, np.pi / 4),  # samples at 0.67: the true peak is 3 dB above them
        _tone(997, 0.97, 0.3),
        _tone(5000, 0.9, 0.1),
        np.clip(0.3 * np.random.default_rng(2).standard_normal((RATE, 2)), -1, 1).astype(np.float32),
    ],
    ids=["quarter-rate tone off its crests", "997 Hz", "5 kHz", "loud stereo noise"],
)
def test_the_true_peak_near_full_scale_is_a_4x_resamplings(block):
    expected = _oversampled_peak(block)
    measured = true_peak(block)
    assert abs(20 * np.log10(measured / expected)) < 0.1, (measured, expected)
    assert measured >= float(np.abs(block).max())


def test_quiet_audio_is_its_sample_peak():
    block = _tone(12000, 0.3, np.pi / 4)
    assert true_peak(block) == pytest.approx(float(np.abs(block).max()))
