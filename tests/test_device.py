"""The sound card through pyaudio, for real, on a private PipeWire loopback (what is played comes
back on the recording side, in real time)."""

import json
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import soundfile as sf

from helpers import write_m4a
from voiceclone import device

RATE = 48000


def voiceclone(env, *args, timeout=60):
    return subprocess.run(
        [sys.executable, "-m", "voiceclone", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def test_devices_lists_the_inputs_and_outputs(sound):
    done = voiceclone(sound, "devices", "--json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert any(d["inputs"] and d["outputs"] for d in found)
    assert "ALSA lib" not in done.stderr, "PortAudio's start-up chatter is kept off the terminal"


def test_a_known_signal_played_through_pyaudio_is_recorded_back(sound, tmp_path):
    t = np.arange(int(1.5 * RATE)) / RATE
    tone = 0.25 * np.sin(2 * np.pi * 1000 * t) * np.minimum(1, t * 20)
    chirp = 0.25 * np.sin(2 * np.pi * (200 + 1500 * t) * t)
    played = np.concatenate([np.zeros(RATE // 2), tone, chirp]).astype(np.float32)
    source = tmp_path / "signal.wav"
    sf.write(str(source), np.column_stack([played, played]), RATE, subtype="FLOAT")
    recording = tmp_path / "back.wav"
    listening = threading.Event()
    recorder = threading.Thread(
        target=device.record,
        args=(recording,),
        daemon=True,
        kwargs={"seconds": 6.0, "channels": 2, "sample_rate": RATE, "meter": lambda *block: listening.set()},
    )
    recorder.start()
    assert listening.wait(10), "the recording stream delivers audio"
    player = threading.Thread(target=device.play, args=(source,), daemon=True)
    player.start()
    player.join(20)
    recorder.join(20)
    assert not player.is_alive() and not recorder.is_alive(), "both streams ended within the time limit"
    got, rate = sf.read(str(recording), dtype="float32")
    got = got[:, 0]
    n = len(got) + len(played)
    correlation = np.fft.irfft(np.fft.rfft(got, n) * np.conj(np.fft.rfft(played, n)), n)
    lag = int(np.argmax(correlation))
    assert correlation[lag] / (np.linalg.norm(played) ** 2) == pytest.approx(1.0, abs=0.05), "same level"
    aligned = got[lag : lag + len(played)]
    assert len(aligned) == len(played)
    assert np.corrcoef(aligned, played)[0, 1] > 0.99


def test_record_stops_after_the_seconds_and_checks_the_take(sound, tmp_path):
    out = tmp_path / "take.wav"
    done = voiceclone(sound, "record", out, "--seconds", "2", "--json")
    report = json.loads(done.stdout)
    assert sf.info(str(out)).duration == pytest.approx(2.0, abs=0.01)
    assert done.returncode == 2 and report["usable"] is False
    assert "the sample is" in report["problem"] and "needs 10 s to 5 min" in report["problem"]


def test_record_never_overwrites_a_file(sound, tmp_path):
    out = tmp_path / "keep.wav"
    out.write_bytes(b"precious")
    done = voiceclone(sound, "record", out, "--seconds", "1")
    assert done.returncode == 2 and "already exists" in done.stderr and out.read_bytes() == b"precious"


@pytest.mark.parametrize("name", ["beep.wav", "beep.m4a"])
def test_play_plays_a_file_to_the_end(sound, tmp_path, name):
    path = tmp_path / name
    beep = (0.1 * np.sin(np.arange(RATE) / 8)).astype(np.float32).reshape(-1, 1)
    write_m4a(path, beep, RATE) if name.endswith(".m4a") else sf.write(str(path), beep, RATE)
    done = voiceclone(sound, "play", path)
    assert done.returncode == 0 and "Played 1.0 s" in done.stdout, done.stderr
    started = time.monotonic()
    assert device.play(path) == pytest.approx(1.0, abs=0.03)
    assert time.monotonic() - started >= 0.9, "played in real time"


def test_without_pyaudio_the_user_is_told_how_to_install_it(run, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyaudio", None)
    result = run("devices")
    assert (
        result.code == 2
        and "pip install 'voice-tone-quick-clone[audio]'" in result.err
        and "portaudio19-dev" in result.err
    )


@pytest.mark.parametrize(
    "argv, said",
    [
        (["record", "take.wav", "--seconds", "1"], "no default sound input device"),
        (["play", "beep.wav"], "no default sound output device"),
    ],
)
def test_no_sound_server_is_told_in_the_direction_asked(sound_server, tmp_path, argv, said):
    """PortAudio's own message for a missing default input reads "no default output device"."""
    empty = tmp_path / "run"
    empty.mkdir(mode=0o700)
    sf.write(str(tmp_path / "beep.wav"), np.zeros(RATE, np.float32) + 0.1, RATE)
    env = {**sound_server, "XDG_RUNTIME_DIR": str(empty), "PIPEWIRE_RUNTIME_DIR": str(empty)}
    done = subprocess.run(
        [sys.executable, "-m", "voiceclone", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    assert done.returncode == 2 and said in done.stderr, done.stderr
    assert "start the system's sound server" in done.stderr
    assert not (tmp_path / "take.wav").exists()
