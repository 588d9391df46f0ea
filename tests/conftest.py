"""Shared fixtures: a real sandbox server on loopback, test signals written as real files, and the
command line run in-process with a fake key."""
import io
import json
from contextlib import redirect_stderr
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from voiceclone import cli
from voiceclone.sandbox import Sandbox
from voiceclone.synth import voice_like

#: A fake key. Tests check it never shows up in output, files or errors.
FAKE_KEY = "test-key-7f3a9c1e5b2d-must-never-appear"


def signal(seconds: float, sample_rate: int = 16000, channels: int = 1, *, kind: str = "voice",
           seed: int = 1) -> np.ndarray:
    """Test audio, float32 ``(num_frames, num_channels)``: ``voice``, ``tone`` (1 kHz), ``silence``,
    ``nan`` (a voice with one NaN sample), ``clipped`` (a voice driven into full-scale clipping)."""
    frames = int(round(seconds * sample_rate))
    if kind == "silence":
        mono = np.zeros(frames, np.float32)
    elif kind == "tone":
        mono = (0.5 * np.sin(2 * np.pi * 1000 * np.arange(frames) / sample_rate)).astype(np.float32)
    else:
        mono = voice_like(seconds, sample_rate, seed=seed)[:frames]
        if kind == "nan":
            mono[frames // 2] = np.nan
        elif kind == "clipped":
            mono = np.clip(mono * 8, -1.0, 1.0)
    return np.repeat(mono[:, None], channels, axis=1).astype(np.float32)


@pytest.fixture
def make_audio(tmp_path):
    """Write a test signal to a real file: ``make_audio("a.wav", 12, subtype="PCM_24")``."""
    def make(name: str, seconds: float, sample_rate: int = 16000, channels: int = 1, *, kind: str = "voice",
             subtype: str = "PCM_16", fmt: str = None) -> Path:
        path = tmp_path / name
        data = signal(seconds, sample_rate, channels, kind=kind)
        fmt = fmt or Path(name).suffix.lstrip(".").upper()
        if fmt == "M4A":
            write_m4a(path, data, sample_rate)
        elif fmt == "MP3":
            sf.write(str(path), data, sample_rate, format="MP3")
        else:
            sf.write(str(path), data, sample_rate, subtype=subtype, format=fmt)
        return path
    return make


def write_m4a(path: Path, data: np.ndarray, sample_rate: int) -> None:
    import av

    with av.open(str(path), "w", format="ipod") as container:
        stream = container.add_stream("aac", rate=sample_rate, layout="mono" if data.shape[1] == 1 else "stereo")
        frame_size = 1024
        planar = np.ascontiguousarray(data.T)
        for start in range(0, planar.shape[1], frame_size):
            frame = av.AudioFrame.from_ndarray(planar[:, start:start + frame_size], format="fltp",
                                               layout="mono" if data.shape[1] == 1 else "stereo")
            frame.sample_rate = sample_rate
            frame.pts, frame.time_base = start, Fraction(1, sample_rate)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


@pytest.fixture
def sandbox():
    with Sandbox(api_keys={FAKE_KEY}) as server:
        yield server


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


@pytest.fixture
def env(sandbox, tmp_path):
    """The environment of a user with a key, pointed at the sandbox, with fast retries."""
    return {"MINIMAX_API_KEY": FAKE_KEY, "MINIMAX_BASE_URL": sandbox.base_url,
            "VOICECLONE_PRESETS": str(tmp_path / "lib" / "presets.yaml"), "VOICECLONE_BACKOFF": "0.01",
            "VOICECLONE_TIMEOUT": "10"}


@pytest.fixture
def run(env):
    """Run the command line in-process: ``run("clone", path, "--voice-id", ...)`` -> Result."""
    def invoke(*argv, env_extra=None, env_replace=None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        environment = dict(env_replace if env_replace is not None else env)
        environment.update(env_extra or {})
        with redirect_stderr(err):
            code = cli.main([str(a) for a in argv], env=environment, stdout=out, stderr=err)
        return Result(code, out.getvalue(), err.getvalue())
    return invoke
