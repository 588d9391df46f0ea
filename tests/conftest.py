"""Shared fixtures: a real sandbox server on loopback, test signals written as real files, the
command line run in-process with a fake key, and a REAPER stand-in (tests/reaper/fake_reaper.py)."""

import io
import json
import sys
from contextlib import redirect_stderr
from dataclasses import dataclass
from pathlib import Path

import pytest
import soundfile as sf

from voiceclone import cli
from voiceclone.sandbox import Sandbox

sys.path.insert(0, str(Path(__file__).with_name("reaper")))
from fake_reaper import FakeReaper  # noqa: E402  (the REAPER stand-in lives in tests/reaper/)

from helpers import FAKE_KEY, signal, write_m4a  # noqa: E402


@pytest.fixture
def make_audio(tmp_path):
    """Write a test signal to a real file: ``make_audio("a.wav", 12, subtype="PCM_24")``."""

    def make(
        name: str,
        seconds: float,
        sample_rate: int = 16000,
        channels: int = 1,
        *,
        kind: str = "voice",
        subtype: str = "PCM_16",
        fmt: str = None,
    ) -> Path:
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
    return {
        "MINIMAX_API_KEY": FAKE_KEY,
        "MINIMAX_BASE_URL": sandbox.base_url,
        "VOICECLONE_PRESETS": str(tmp_path / "lib" / "presets.yaml"),
        "VOICECLONE_BACKOFF": "0.01",
        "VOICECLONE_TIMEOUT": "10",
        "VOICECLONE_LEDGER": str(tmp_path / "data" / "clone-ledger.jsonl"),
    }


@pytest.fixture(autouse=True)
def private_user_data(tmp_path, monkeypatch):
    """Every test has its own user data folder (the ledger and recovered voices live there)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


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


@pytest.fixture
def reaper(tmp_path):
    """A fresh REAPER with an empty, unsaved project: resource path ``tmp_path/REAPER``, project
    media path ``tmp_path/project/Media``; defer ticks ~1/30 s apart as in REAPER. A script still
    running at the end is stopped, so its atexit code (which ends child processes) runs."""
    fake = FakeReaper(resource_path=tmp_path / "REAPER", project_media_path=tmp_path / "project" / "Media")
    yield fake
    fake.stop_script(expect_errors=True)
    fake.forget_script_modules()


@pytest.fixture(scope="session")
def audacity(tmp_path_factory):
    """A real Audacity under Xvfb with mod-script-pipe on, for the whole session (one per user:
    its pipes are named after the uid). Skipped, with the reason, when Audacity is not installed."""
    sys.path.insert(0, str(Path(__file__).with_name("audacity")))
    from launcher import Audacity, available

    missing = available()
    if missing:
        print(f"\nskipping the Audacity tests: {missing}")
        pytest.skip(missing)
    with Audacity(tmp_path_factory.mktemp("audacity")) as app:
        yield app


@pytest.fixture(scope="session")
def sound_server(tmp_path_factory):
    """A private PipeWire with a loopback sink->source, for the whole session; yields the environment
    sound clients need. Skipped, with the reason, when PipeWire or PyAudio is not installed."""
    sys.path.insert(0, str(Path(__file__).with_name("sound")))
    from soundserver import SoundServer, available

    missing = available()
    try:
        import pyaudio  # noqa: F401
    except ImportError:
        missing = (missing + "; " if missing else "") + "pyaudio is not installed (pip install '.[audio]')"
    if missing:
        print(f"\nskipping the sound-card tests: {missing}")
        pytest.skip(missing)
    with SoundServer(tmp_path_factory.mktemp("sound")) as environment:
        yield environment


@pytest.fixture
def sound(sound_server, monkeypatch):
    """This test's sound clients use the private PipeWire."""
    for key, value in sound_server.items():
        if key.startswith(("XDG_", "PIPEWIRE", "DBUS")):
            monkeypatch.setenv(key, value)
    return sound_server


@pytest.fixture
def small_disk(tmp_path):
    """A real 256 kB tmpfs to write onto until it is full (skipped where it cannot be mounted)."""
    sys.path.insert(0, str(Path(__file__).parent / "faults"))
    from world import mount_tmpfs, unmount

    folder = tmp_path / "small-disk"
    why = mount_tmpfs(folder, "256k")
    if why:
        pytest.skip(why)
    try:
        yield folder
    finally:
        unmount(folder)
