"""A clone from the command line checks its sample in a forked process while the command loads the
rest (issue: as fast as the bare calls), and the command's own process ends without the
interpreter's teardown. What a user sees must be the same as without the fork, however either
process ends: each test runs the real command, in a process of its own, against the sandbox."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import presets_of, uploads

PLUGIN = str(Path(__file__).resolve().parents[1] / "plugin")
#: The command as the script runs it, which then says what it loaded and which process it was.
REPORTING = """
import json, sys
from voiceclone import audio_process, cli
audio_process.start()
code = cli.main(sys.argv[1:])
print(json.dumps({"code": code, "numpy": "numpy" in sys.modules, "helper": audio_process._helper is not None}),
      file=sys.__stderr__)
"""


def _env(env, tmp_path) -> dict:
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return {**os.environ, **env, "PYTHONPATH": PLUGIN, "TMPDIR": str(tmp_path / "tmp")}


def _children(pid: int) -> list:
    """The processes whose parent is ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for_child(command: subprocess.Popen) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        children = _children(command.pid)
        if children:
            return children[0]
        time.sleep(0.002)
    raise AssertionError("the clone started no audio process")


def _clone_started(env, tmp_path, take: Path, voice_id: str, output=subprocess.PIPE) -> subprocess.Popen:
    """``python -m voiceclone clone TAKE --voice-id VOICE_ID``, started."""
    return subprocess.Popen(
        [sys.executable, "-m", "voiceclone", "clone", str(take), "--voice-id", voice_id],
        env=_env(env, tmp_path),
        stdout=output,
        stderr=output,
        text=True,
    )


def _ends_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    return not _running(pid)


def _left_in(folder: Path) -> list:
    return [p.name for p in folder.iterdir()]


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc to see processes")


def test_a_clone_checks_its_sample_in_a_second_process_and_the_command_never_loads_numpy(
    run, env, sandbox, make_audio, tmp_path
):
    take = make_audio("take.wav", 14, 48000, 2, subtype="PCM_24")  # fixed: mixed to mono, a new file to upload
    done = subprocess.run(
        [sys.executable, "-c", REPORTING, "clone", str(take), "--voice-id", "ForkedVoice1", "--text", "Hello there."],
        env=_env(env, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    said = json.loads(done.stderr.strip().splitlines()[-1])
    assert said == {"code": 0, "numpy": False, "helper": True}, done.stderr
    forked = presets_of(env)["ForkedVoice1"]
    assert Path(forked["preview"]["path"]).is_file()
    # the same clone with the work done in the command's own process: the same sample, the same facts
    assert run("clone", take, "--voice-id", "InProcessVoice1").code == 0
    here = presets_of(env)["InProcessVoice1"]
    for fact in ("sha256", "duration_s", "sample_rate", "num_channels", "format"):
        assert forked["sample"][fact] == here["sample"][fact], fact
    assert {hashlib.sha256(f.data).hexdigest() for f in uploads(sandbox)} == {forked["sample"]["sha256"]}
    assert _left_in(tmp_path / "tmp") == []


def test_a_region_a_prompt_clip_and_a_consent_recording_are_read_in_the_second_process_too(
    env, sandbox, make_audio, tmp_path
):
    argv = ["clone", make_audio("take.wav", 16), "--voice-id", "RegionVoice1", "--start", "2", "--end", "14"]
    argv += ["--prompt-audio", make_audio("prompt.wav", 5), "--prompt-text", "Hello there."]
    argv += ["--consent", "Ann agreed on 1 Dec", "--consent-audio", make_audio("consent.wav", 3)]
    done = subprocess.run(
        [sys.executable, "-c", REPORTING, *map(str, argv)],
        env=_env(env, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(done.stderr.strip().splitlines()[-1]) == {"code": 0, "numpy": False, "helper": True}
    preset = presets_of(env)["RegionVoice1"]
    assert preset["sample"]["duration_s"] == 12.0 and preset["prompt"]["text"] == "Hello there."
    assert len(preset["provenance"]["consent"]["audio_sha256"]) == 64
    purposes = [r.get("purpose") for r in sandbox.requests_seen() if r["path"] == "/v1/files/upload"]
    assert purposes == ["prompt_audio", "voice_clone"]


def test_a_sample_the_check_refuses_is_said_as_without_the_fork_and_nothing_is_sent(
    run, env, sandbox, make_audio, tmp_path
):
    silent = make_audio("silent.wav", 12, kind="silence")
    done = subprocess.run(
        [sys.executable, "-m", "voiceclone", "clone", str(silent), "--voice-id", "SilentVoice1"],
        env=_env(env, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    here = run("clone", silent, "--voice-id", "SilentVoice1")
    assert (done.returncode, done.stderr) == (2, here.err)
    assert "digital silence" in done.stderr
    assert uploads(sandbox) == [] and presets_of(env) == {}


@needs_proc
def test_an_audio_process_that_is_killed_is_said_in_a_sentence_and_nothing_is_sent(env, sandbox, make_audio, tmp_path):
    command = _clone_started(env, tmp_path, make_audio("take.wav", 120, 48000, 2, subtype="PCM_24"), "KilledVoice1")
    os.kill(_wait_for_child(command), signal.SIGKILL)
    out, err = command.communicate(timeout=60)
    assert command.returncode == 1, err
    assert err.startswith(
        "error: the audio check stopped before it finished (it was killed by signal 9); nothing was sent"
    ), err
    assert "fix: Run the command again" in err and "Traceback" not in err
    assert uploads(sandbox) == [] and presets_of(env) == {}
    assert _left_in(tmp_path / "tmp") == []


@needs_proc
def test_ctrl_c_while_the_sample_is_checked_is_exit_130_sends_nothing_and_ends_both_processes(
    env, sandbox, make_audio, tmp_path
):
    take = make_audio("take.wav", 300, 48000, 2, subtype="PCM_24")  # a 5-minute take: the check takes a while
    command = _clone_started(env, tmp_path, take, "CancelVoice1")
    helper = _wait_for_child(command)
    deadline = time.monotonic() + 20
    while not list((tmp_path / "tmp").glob(f"voiceclone-{command.pid}-clone-*")) and time.monotonic() < deadline:
        time.sleep(0.002)  # the clone's folder is made just before the check is asked for
    command.send_signal(signal.SIGINT)
    out, err = command.communicate(timeout=60)
    assert command.returncode == 130, err
    assert "Traceback" not in err
    assert uploads(sandbox) == [] and presets_of(env) == {}
    assert _ends_within(helper, 5), "the audio process ended with the command"
    assert _left_in(tmp_path / "tmp") == []


@needs_proc
def test_a_command_that_is_killed_takes_its_audio_process_with_it(env, make_audio, tmp_path):
    take = make_audio("take.wav", 300, 48000, 2, subtype="PCM_24")
    command = _clone_started(env, tmp_path, take, "KilledVoice2", output=subprocess.DEVNULL)
    helper = _wait_for_child(command)
    command.kill()
    command.wait(timeout=10)
    assert _ends_within(helper, 2), "no audio work goes on for a command that is gone"


# -- the command's quick exit -------------------------------------------------------------------------

EXITING = """
import atexit, sys, threading, time
from pathlib import Path
from voiceclone import cli, launch

folder = Path(sys.argv[1])

def main():
    atexit.register(lambda: (folder / "exit-handler-ran").write_text("yes"))
    if sys.argv[2] == "thread":
        def late():
            time.sleep(0.3)
            (folder / "thread-finished").write_text("yes")
        threading.Thread(target=late).start()
    sys.stdout.write("the last line, with no newline")
    return 3

cli.main = main
launch.run()
"""


@pytest.mark.parametrize("thread", ["thread", "none"])
def test_the_command_ends_with_its_code_its_output_whole_its_exit_handlers_run_and_its_threads_done(tmp_path, thread):
    done = subprocess.run(
        [sys.executable, "-c", EXITING, str(tmp_path), thread],
        env={**os.environ, "PYTHONPATH": PLUGIN},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (3, "the last line, with no newline"), done.stderr
    assert (tmp_path / "exit-handler-ran").read_text() == "yes"
    assert (tmp_path / "thread-finished").exists() == (thread == "thread")


class _Unrebuildable(Exception):
    def __init__(self, code: int, where: str):
        super().__init__(f"code {code} at {where}")


def test_an_error_that_cannot_cross_whole_crosses_as_one_that_names_it():
    """An error from a library whose exception cannot be rebuilt from its pickle still reaches the
    command as an error (which the command line says as an internal bug), never as a crash there."""
    import pickle

    from voiceclone import audio_process

    outcome, error, trace = pickle.loads(audio_process._carried(("error", _Unrebuildable(7, "x"), "the trace")))
    assert (outcome, type(error), str(error), trace) == (
        "error",
        RuntimeError,
        "_Unrebuildable: code 7 at x",
        "the trace",
    )
    ok = pickle.loads(audio_process._carried(("ok", audio_process.Recording(Path("a.wav"), "wav", 12.0), None)))
    assert ok == ("ok", audio_process.Recording(Path("a.wav"), "wav", 12.0), None)
