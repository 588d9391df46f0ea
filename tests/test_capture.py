"""Rendering a capture plan: what a track plays over a region, mixed by the background job."""

import json

import numpy as np
import pytest
import soundfile as sf

from voiceclone.capture import CapturePlan, Segment, render
from voiceclone.errors import AudioError

RATE = 16000


def tone(path, freq, seconds, *, rate=RATE, right_freq=None, level=0.5):
    t = np.arange(int(seconds * rate)) / rate
    left = level * np.sin(2 * np.pi * freq * t)
    data = left if right_freq is None else np.column_stack([left, level * np.sin(2 * np.pi * right_freq * t)])
    sf.write(str(path), data.astype(np.float32), rate, subtype="FLOAT")
    return str(path)


def dominant(x, rate=RATE):
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return np.fft.rfftfreq(len(x), 1 / rate)[np.argmax(spectrum)]


def rms_db(x):
    return 20 * np.log10(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def rendered(plan, tmp_path):
    data, rate = sf.read(str(render(plan, tmp_path / "capture.wav")), dtype="float32", always_2d=True)
    return data, rate


def test_items_land_at_their_positions_with_silence_between(tmp_path):
    a, b = tone(tmp_path / "a.wav", 300, 5), tone(tmp_path / "b.wav", 600, 5)
    plan = CapturePlan(12.0, (Segment(a, 0.0, 0.0, 4.0), Segment(b, 0.0, 6.0, 5.0)), "test")
    data, rate = rendered(plan, tmp_path)
    assert rate == RATE and data.shape == (12 * RATE, 1)
    assert dominant(data[RATE : 3 * RATE, 0]) == pytest.approx(300, abs=2)
    assert np.max(np.abs(data[int(4.01 * RATE) : int(5.99 * RATE)])) < 1e-4
    assert dominant(data[7 * RATE : 10 * RATE, 0]) == pytest.approx(600, abs=2)
    assert np.max(np.abs(data[int(11.01 * RATE) :])) < 1e-4


def test_the_take_start_offset_picks_the_right_part_of_the_file(tmp_path):
    ramp = (np.arange(10 * RATE) / (10 * RATE)).astype(np.float32) * 0.9
    sf.write(str(tmp_path / "ramp.wav"), ramp, RATE, subtype="FLOAT")
    plan = CapturePlan(2.0, (Segment(str(tmp_path / "ramp.wav"), 3.0, 0.0, 2.0),), "test")
    data, _ = rendered(plan, tmp_path)
    np.testing.assert_allclose(data[:, 0], ramp[3 * RATE : 5 * RATE], atol=2 / 32767)


def test_playrate_2_plays_twice_as_fast_and_an_octave_up(tmp_path):
    plan = CapturePlan(2.0, (Segment(tone(tmp_path / "t.wav", 400, 5), 0.0, 0.0, 2.0, playrate=2.0),), "test")
    data, _ = rendered(plan, tmp_path)
    assert dominant(data[:, 0]) == pytest.approx(800, abs=3)


def test_item_and_take_volume_scale_the_level(tmp_path):
    source = tone(tmp_path / "t.wav", 400, 3)
    full, _ = rendered(CapturePlan(2.0, (Segment(source, 0.0, 0.0, 2.0),), "test"), tmp_path)
    half, _ = rendered(CapturePlan(2.0, (Segment(source, 0.0, 0.0, 2.0, gain=0.5),), "test"), tmp_path)
    assert rms_db(half) - rms_db(full) == pytest.approx(-6.02, abs=0.05)


@pytest.mark.parametrize("mode, left, right", [(0, 300, 700), (1, 700, 300), (3, 300, None), (4, 700, None)])
def test_channel_modes_are_honoured(tmp_path, mode, left, right):
    source = tone(tmp_path / "st.wav", 300, 3, right_freq=700)
    data, _ = rendered(CapturePlan(2.0, (Segment(source, 0.0, 0.0, 2.0, channel_mode=mode),), "test"), tmp_path)
    assert data.shape[1] == (1 if right is None else 2)
    assert dominant(data[:, 0]) == pytest.approx(left, abs=2)
    if right is not None:
        assert dominant(data[:, 1]) == pytest.approx(right, abs=2)


def test_mono_downmix_mode_mixes_both_channels(tmp_path):
    source = tone(tmp_path / "st.wav", 300, 3, right_freq=700)
    data, _ = rendered(CapturePlan(2.0, (Segment(source, 0.0, 0.0, 2.0, channel_mode=2),), "test"), tmp_path)
    spectrum = np.abs(np.fft.rfft(data[:, 0]))
    freqs = np.fft.rfftfreq(len(data), 1 / RATE)
    assert spectrum[np.argmin(abs(freqs - 300))] == pytest.approx(spectrum[np.argmin(abs(freqs - 700))], rel=0.05)


def test_mono_and_stereo_items_mix_to_stereo_at_the_highest_rate(tmp_path):
    mono = tone(tmp_path / "m.wav", 300, 3, rate=16000)
    stereo = tone(tmp_path / "s.wav", 300, 3, rate=22050, right_freq=500)
    data, rate = rendered(CapturePlan(4.0, (Segment(mono, 0, 0, 2), Segment(stereo, 0, 2, 2)), "test"), tmp_path)
    assert rate == 22050 and data.shape[1] == 2
    np.testing.assert_allclose(data[:rate, 0], data[:rate, 1], atol=2 / 32767)


def test_a_region_longer_than_5_minutes_is_rendered_only_up_to_5_minutes(tmp_path):
    source = tone(tmp_path / "t.wav", 300, 2)
    data, rate = rendered(CapturePlan(400.0, (Segment(source, 0, 0, 2),), "test"), tmp_path)
    assert len(data) == 300 * rate


def test_a_missing_source_is_a_plain_error(tmp_path):
    plan = CapturePlan(12.0, (Segment(str(tmp_path / "gone.wav"), 0, 0, 12),), "test")
    with pytest.raises(AudioError, match="cannot read the take's source file"):
        render(plan, tmp_path / "c.wav")


def test_a_plan_survives_a_json_round_trip(tmp_path):
    plan = CapturePlan(12.0, (Segment("a.wav", 1.5, 0.0, 4.0, 1.25, 0.5, 3),), "REAPER track 'Host'")
    assert CapturePlan.from_dict(json.loads(json.dumps(plan.as_dict()))) == plan
