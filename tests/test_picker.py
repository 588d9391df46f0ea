"""Cloning from a whole episode track: the sample doctor's checks on real (espeak-ng) speech with
real faults, and the picker on a constructed 20-minute track whose every part is known."""

import shutil
import subprocess

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf
import soxr

from episode_track import GUEST_VOICE, HOST_VOICE, _music, _room, clean_host_overlap, episode_track
from helpers import presets_of, uploads
from voiceclone import audio, picker
from voiceclone.analysis import Analyzer

RATE = 48000


def _espeak(folder, voice: str, text: str) -> np.ndarray:
    wav = folder / f"say-{voice.replace('+', '_')}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(wav), text], check=True, timeout=60)
    samples, rate = sf.read(str(wav), dtype="float64")
    return 0.5 * soxr.resample(samples, rate, RATE)


HOST_TEXT = (
    "Welcome back to the show. Today we talk about recording in small rooms, and how to keep the "
    "noise down without spending a fortune. Our guest built a studio in a closet, with blankets on "
    "the walls and a good microphone close to the mouth. She says the trick is patience, and a "
    "little room before every sentence, so the editor can cut cleanly."
)


@pytest.fixture(scope="module")
def voices(tmp_path_factory):
    """About 30 s of the host and 15 s of a guest, dry, at 48 kHz."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (tests/run installs it)")
    folder = tmp_path_factory.mktemp("voices")
    host = _espeak(folder, HOST_VOICE, HOST_TEXT)
    return {"host": np.tile(host, 2)[: 30 * RATE], "guest": _espeak(folder, GUEST_VOICE, HOST_TEXT)[: 15 * RATE]}


def _write(path, samples):
    rng = np.random.default_rng(5)
    sf.write(str(path), np.clip(samples + _room(len(samples), rng), -1, 1).astype(np.float32), RATE, subtype="PCM_16")
    return path


def _checks(path) -> dict:
    _, report = audio.inspect(audio.probe(path))
    return {check.name: check for check in report.checks}


def test_clean_speech_in_a_quiet_room_passes_every_check(voices, tmp_path):
    checks = _checks(_write(tmp_path / "clean.wav", voices["host"]))
    assert [name for name, check in checks.items() if not check.ok] == []
    assert set(checks) == {
        "speech",
        "loudness",
        "peaks",
        "noise",
        "bandwidth",
        "dc offset",
        "music or tone",
        "voice",
        "other voices",
        "level jumps",
    }


def _faults(voices):
    host, guest = voices["host"], voices["guest"]
    half = len(host) // 2
    t = np.arange(10 * RATE) / RATE
    phone = soxr.resample(soxr.resample(host, RATE, 8000), 8000, RATE)[: len(host)]
    return {
        "peaks": np.clip(host * 6, -1, 1),
        "dc offset": host + 0.05,
        "bandwidth": phone * 1.5,
        "music or tone": np.concatenate([host[: 20 * RATE], 0.2 * np.sin(2 * np.pi * 1000 * t)]),
        "loudness": host * 0.005,
        "noise": host + np.random.default_rng(1).normal(0, 10 ** (-32 / 20), len(host)),
        "other voices": np.concatenate([host[: 15 * RATE], guest]),
        "level jumps": np.concatenate([host[:half] * 0.12, host[half:]]),
        "speech": np.concatenate([host[: 12 * RATE], np.zeros(20 * RATE)]),
    }


@pytest.mark.parametrize(
    "fault",
    [
        "peaks",
        "dc offset",
        "bandwidth",
        "music or tone",
        "loudness",
        "noise",
        "other voices",
        "level jumps",
        "speech",
    ],
)
def test_each_fault_is_its_own_plain_verdict_with_a_fix(voices, tmp_path, fault):
    checks = _checks(_write(tmp_path / "faulty.wav", _faults(voices)[fault]))
    assert not checks[fault].ok and checks[fault].fix, checks[fault]
    assert checks[fault].said[0].isalnum() and checks[fault].fix.endswith(".")


def test_music_under_the_voice_is_heard_too(voices, tmp_path):
    bed = _music(len(voices["host"]), np.random.default_rng(2))
    checks = _checks(_write(tmp_path / "bed.wav", voices["host"] + 0.6 * bed))
    assert not checks["music or tone"].ok


def test_the_doctor_reads_bs1770_loudness_as_pyloudnorm_does(voices, tmp_path):
    """The streaming loudness (K-weighted 20 ms frames, BS.1770 gating) against pyloudnorm on the
    whole signal at its own rate."""
    path = _write(tmp_path / "speech.wav", voices["host"] * 0.8)
    samples, rate = sf.read(str(path), dtype="float64")
    analyzer = Analyzer(rate, 1)
    for block in audio.blocks(audio.probe(path), 0, len(samples), 7777):  # blocks of any length
        analyzer.feed(block)
    assert analyzer.finish().loudness() == pytest.approx(pyloudnorm.Meter(rate).integrated_loudness(samples), abs=0.5)


@pytest.mark.parametrize("rate", [16000, 44100, 48000])
def test_the_doctors_k_weighting_is_pyloudnorms_filters(rate):
    """The doctor weights each frame's spectrum with the gain of pyloudnorm's two K-weighting
    biquads (computed without SciPy, which costs half a second to import): the same to 1e-6 dB."""
    from scipy.signal import freqz

    from voiceclone.analysis import k_weighting_power

    freqs = np.linspace(5, rate / 2 - 5, 500)
    expected = np.ones_like(freqs)
    for biquad in pyloudnorm.Meter(rate)._filters.values():
        expected *= np.abs(freqz(biquad.b, biquad.a, worN=freqs, fs=rate)[1]) ** 2
    assert np.allclose(10 * np.log10(k_weighting_power(freqs, rate)), 10 * np.log10(expected), atol=1e-6)


def test_a_nan_sample_does_not_upset_the_doctor(tmp_path):
    analyzer = Analyzer(16000, 1)
    block = np.zeros((16000, 1), np.float32)
    block[100] = np.nan
    analyzer.feed(block)
    assert analyzer.finish().seconds == 1


@pytest.fixture(scope="module")
def episode(tmp_path_factory):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (tests/run installs it)")
    path = tmp_path_factory.mktemp("episode") / "episode.wav"
    return path, episode_track(path, minutes=20)


def test_the_picker_takes_only_the_hosts_clean_speech_from_a_20_minute_episode(episode, run, monkeypatch):
    """The bars: precision >= 0.95 by duration, 60-300 s in all, the file read once."""
    path, parts = episode
    reads = []
    original = audio.blocks
    monkeypatch.setattr(
        audio, "blocks", lambda info, start, end, size: reads.append((start, end)) or original(info, start, end, size)
    )
    result = run("validate", path, "--pick", "--json")
    assert result.code == 0, result.err
    data = result.json()
    pieces = [(piece["start_s"], piece["end_s"]) for piece in data["pieces"]]
    inside, total = clean_host_overlap(parts, pieces)
    assert 60 <= total <= 300 and inside / total >= 0.95, (inside, total, pieces)
    assert data["total_s"] == pytest.approx(total, abs=0.01)
    assert all(start < end for start, end in pieces) and pieces == sorted(pieces)
    assert reads == [(0, 20 * 60 * RATE)], "one pass over the whole file"
    skipped = data["skipped_s"]
    for kind, reason in (("music", "music"), ("tone", "tone"), ("clipped", "clipping"), ("guest", "other voice")):
        truth = sum(p.end_s - p.start_s for p in parts if p.kind == kind)
        assert skipped[reason] >= 0.9 * truth, (reason, skipped)
    assert skipped["phone line"] >= 0.9 * sum(p.end_s - p.start_s for p in parts if p.kind == "phone")
    assert {check["check"] for check in data["checks"] if not check["ok"]} >= {"music or tone", "other voices"}


def test_the_human_report_names_each_piece_and_why(episode, run):
    path, _ = episode
    result = run("validate", path, "--pick-length", "1:00", "--start", "4:00", "--end", "12:00")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert "picked" in lines[0] and "left out:" in lines[0]
    pieces = [line for line in lines if "dB above the noise" in line]
    assert pieces and all(line.strip()[0].isdigit() for line in pieces)
    total = sum(_seconds(line.split()[0].split("-")[1]) - _seconds(line.split()[0].split("-")[0]) for line in pieces)
    assert 55 <= total <= 65, "about the minute asked for"
    assert all(240 <= _seconds(line.split()[0].split("-")[0]) <= 720 for line in pieces), "within --start/--end"


def _seconds(clock: str) -> float:
    minutes, seconds = clock.split(":")
    return int(minutes) * 60 + float(seconds)


@pytest.mark.parametrize("length", ["5", "6:00"])
def test_a_pick_length_outside_10_s_to_5_min_is_refused_before_reading(run, tmp_path, length):
    result = run("validate", tmp_path / "never-read.wav", "--pick-length", length)
    assert result.code == 2 and "is outside 10 s-5:00" in result.err


def test_clone_pick_uploads_the_picked_pieces_joined(episode, run, sandbox, env, tmp_path):
    path, parts = episode
    result = run("clone", path, "--pick", "--voice-id", "HostVoice01", "--name", "Host", "--json")
    assert result.code == 0, result.err
    data = result.json()
    pieces = [(piece["start_s"], piece["end_s"]) for piece in data["pieces"]]
    (upload,) = uploads(sandbox)
    sent = tmp_path / "sent.wav"
    sent.write_bytes(upload.data)
    expected = sum(end - start for start, end in pieces) - (len(pieces) - 1) * picker.CROSSFADE_S
    assert sf.info(str(sent)).duration == pytest.approx(expected, abs=0.01)
    source, _ = sf.read(str(path), dtype="int16")
    uploaded, _ = sf.read(str(sent), dtype="int16")
    fade = int(picker.CROSSFADE_S * RATE)
    first = int(pieces[0][0] * RATE)
    assert np.array_equal(uploaded[fade : RATE + fade], source[first + fade : first + RATE + fade])
    record = presets_of(env)["Host"]["sample"]
    assert record["pieces"] == data["pieces"] and "picked:" in record["source"]
    assert f"note: picked {len(pieces)} pieces" in result.err, "the choice is said before the upload"


def test_assembled_pieces_join_with_equal_power_crossfades(tmp_path):
    rate = 8000
    t = np.arange(30 * rate) / rate
    tone = 0.5 * np.sin(2 * np.pi * 200 * t)
    noise = np.random.default_rng(0).normal(0, 0.1, len(t))
    path = tmp_path / "source.wav"
    sf.write(str(path), np.where(t < 15, tone, noise).astype(np.float32), rate, subtype="FLOAT")
    pieces = (picker.Piece(2.0, 6.0, ""), picker.Piece(20.0, 25.0, ""))
    picker.assemble(path, pieces, tmp_path / "out.wav")
    joined, _ = sf.read(str(tmp_path / "out.wav"), dtype="float64")
    fade = int(picker.CROSSFADE_S * rate)
    assert len(joined) == 9 * rate - fade
    assert np.allclose(joined[fade : 4 * rate - fade], tone[2 * rate + fade : 6 * rate - fade], atol=1 / 32768)
    assert np.allclose(joined[4 * rate : -fade], noise[20 * rate + fade : 25 * rate - fade], atol=1 / 32768)
    assert abs(joined[0]) < 1e-3 and abs(joined[-1]) < 1e-3, "faded in and out at the ends"
    middle = joined[4 * rate - fade : 4 * rate]
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(
        np.sqrt((np.mean(tone**2) + np.mean(noise**2)) / 2), rel=0.35
    ), "equal power through the join"
