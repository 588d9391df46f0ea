"""The demo's sample: espeak-ng speech when installed, else the synthetic voice."""

import shutil

import pytest
import soundfile as sf

from voiceclone import demo


def test_without_espeak_the_demo_sample_is_a_synthetic_voice_long_enough_to_clone(tmp_path, monkeypatch):
    monkeypatch.setattr(demo.shutil, "which", lambda name: None)
    how = demo.make_sample(tmp_path / "s.wav")
    assert "synthetic" in how
    assert sf.info(str(tmp_path / "s.wav")).duration >= 12.0


def test_with_espeak_the_demo_sample_is_real_synthesized_speech(tmp_path):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (tests/run installs it from Debian's packages)")
    how = demo.make_sample(tmp_path / "s.wav")
    assert how == "espeak-ng speech"
    assert sf.info(str(tmp_path / "s.wav")).duration >= 12.0
