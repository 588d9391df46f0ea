"""Each command imports only what it uses: the light ones never load the audio, numeric or HTTP
stacks (issue: as fast as the bare calls). Each runs in a fresh interpreter, which then lists the
modules it loaded."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PLUGIN = str(Path(__file__).resolve().parents[1] / "plugin")
AUDIO = {"numpy", "soundfile", "soxr", "scipy", "webrtcvad", "_webrtcvad", "pyloudnorm", "av"}
HTTP = {"http", "ssl", "requests", "urllib3"}
#: What the HTTP client used to be: 50-80 ms of imports, and logging with them.
REQUESTS = {"requests", "urllib3", "charset_normalizer", "idna", "certifi", "logging"}
PRESETS = {"yaml"}
CHILD = """
import sys
from voiceclone import cli
try:
    cli.main(sys.argv[1:])
except SystemExit:
    pass
loaded = sorted(sys.modules)
import json  # only now, to say what the command loaded
print(json.dumps(loaded), file=sys.__stderr__)
"""


def _loaded(env, *argv) -> set:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *map(str, argv)],
        env={**os.environ, **env, "PYTHONPATH": PLUGIN},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return _top(set(json.loads(done.stderr.strip().splitlines()[-1])))


class _top(set):
    """Module names as packages (``numpy``, ``yaml``), with every full name in ``full``."""

    def __init__(self, names):
        super().__init__(name.split(".")[0] for name in names)
        self.full = names


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["clone", "--help"], ["script", "--help"]])
def test_help_and_version_load_no_audio_http_or_presets_stack(env, argv):
    assert not _loaded(env, *argv) & (AUDIO | HTTP | PRESETS)


@pytest.mark.parametrize("argv", [["--help"], ["--version"]])
def test_help_and_version_load_not_even_the_standard_librarys_heavier_modules(env, argv):
    """json, pathlib (with urllib's parser) and shutil (with its compression modules) cost 7 ms of
    a --help that needs none of them."""
    assert not _loaded(env, *argv) & {"json", "pathlib", "shutil", "urllib", "dataclasses"}


def test_presets_list_loads_no_audio_or_http_stack(env):
    assert not _loaded(env, "presets", "list") & (AUDIO | HTTP)


def test_voices_list_loads_no_audio_stack(env, sandbox):
    assert not _loaded(env, "voices", "list") & AUDIO


def test_speak_loads_no_audio_stack(env, sandbox, tmp_path):
    loaded = _loaded(
        env, "speak", "--voice-id", "English_expressive_narrator", "Hello there.", "-o", tmp_path / "s.wav"
    )
    assert (tmp_path / "s.wav").stat().st_size > 1000, "the speech was made"
    assert not loaded & AUDIO, loaded & AUDIO
    assert "http" in loaded and not loaded & REQUESTS, loaded & REQUESTS


def test_clone_loads_the_audio_stack_it_needs(env, sandbox, make_audio):
    """The guard's own check: a command that needs the audio stack does load it."""
    loaded = _loaded(env, "clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01")
    assert {"numpy", "soxr", "_webrtcvad"} <= loaded
    assert "scipy" not in loaded, "the sample doctor needs no SciPy (half a second to import)"
    assert "numpy.ma" not in loaded.full, "numpy's masked arrays (8 ms) are loaded by its percentiles, not used"
    assert "webrtcvad" not in loaded, "the VAD wrapper reads its version with importlib.metadata (13 ms)"
    assert not loaded & REQUESTS, loaded & REQUESTS
