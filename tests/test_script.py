"""Speaking a whole script: the script files people write, the journal that never pays twice, the
queue that keeps under MiniMax's per-minute limit, and the subtitles.

The sandbox's T2A limit is 60 requests in any window of WINDOW_S seconds (MiniMax's is 60 a minute,
reference §9); the plugin is told the same window through VOICECLONE_RATE_WINDOW, so a 200-line
run takes seconds, not minutes, and the limit is kept the same way."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf

from helpers import FAKE_KEY
from voiceclone.sandbox import Sandbox
from voiceclone.script_file import read_script

T2A = "/v1/t2a_v2"
WINDOW_S = 2.0
LIMIT = 60


@pytest.fixture
def sandbox():
    with Sandbox(api_keys={FAKE_KEY}, rate_limits={T2A: (LIMIT, WINDOW_S)}) as server:
        yield server


@pytest.fixture
def script_env(env):
    return {**env, "VOICECLONE_RATE_WINDOW": str(WINDOW_S)}


@pytest.fixture
def voices(run, make_audio, script_env):
    for name, voice_id in (("Host", "HostVoice01"), ("Guest", "GuestVoice01")):
        done = run(
            "clone", make_audio(f"{name}.wav", 12), "--voice-id", voice_id, "--name", name, env_replace=script_env
        )
        assert done.code == 0, done.err
        done = run("activate", name, "--yes", env_replace=script_env)  # paid once here, not by the script
        assert done.code == 0, done.err
    time.sleep(WINDOW_S)  # the account's window holds none of these when the script starts


def _speech_requests(sandbox) -> int:
    return sum(1 for r in sandbox.requests_seen() if r["path"] == T2A)


def _speeches_made(sandbox) -> int:
    """Speech requests MiniMax answered with speech (paid): not refused with 1002, not held by a fault."""
    return sum(1 for r in sandbox.requests_seen() if r["path"] == T2A and r["status_code"] == 0 and not r["fault"])


def _script(path: Path, count: int, *, changed=()) -> Path:
    rows = []
    for number in range(1, count + 1):
        speaker = "Host" if number % 3 else "Guest"
        text = f"Line {number}: we talk about rooms and microphones."
        if number in changed:
            text = f"Line {number}, said better this time."
        rows.append(f"[{speaker}] {text}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _script_child(script: Path, out: Path, env: dict, *, until_lines: int):
    """``voiceclone script`` in a process of its own, one line at a time, once its journal holds
    ``until_lines`` lines; and the journal's path."""
    child = subprocess.Popen(
        [sys.executable, "-m", "voiceclone", "script", str(script), "--out", str(out), "--parallel", "1"],
        env={**os.environ, **env, "PYTHONPATH": str(Path(__file__).parents[1] / "plugin")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    journal = out / "voiceclone-journal.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not journal.exists() or len(journal.read_text().splitlines()) < until_lines):
        time.sleep(0.02)
    return child, journal


def test_script_files_of_every_kind_read_as_lines_with_speakers_and_times(tmp_path):
    plain = tmp_path / "a.txt"
    plain.write_text("# notes are skipped\n[Host] Hello there.\n\nJust text.\n", encoding="utf-8")
    assert [(line.number, line.speaker, line.text) for line in read_script(plain)] == [
        (2, "Host", "Hello there."),
        (4, None, "Just text."),
    ]
    table = tmp_path / "b.csv"
    table.write_text('speaker,text,start\nHost,"Hello, world.",1:05.5\n,No speaker.,\n', encoding="utf-8")
    assert [(line.speaker, line.text, line.start_s) for line in read_script(table)] == [
        ("Host", "Hello, world.", 65.5),
        (None, "No speaker.", None),
    ]
    tabbed = tmp_path / "c.tsv"
    tabbed.write_text("Guest\tOne line.\t3\n", encoding="utf-8")
    assert [(line.speaker, line.text, line.start_s) for line in read_script(tabbed)] == [("Guest", "One line.", 3.0)]
    srt = tmp_path / "d.srt"
    srt.write_text(
        "1\n00:00:01,500 --> 00:00:03,000\n[Host] First cue,\nover two rows.\n\n"
        "2\n00:01:00,000 --> 00:01:02,000\nSecond cue.\n",
        encoding="utf-8",
    )
    assert [(line.number, line.speaker, line.text, line.start_s) for line in read_script(srt)] == [
        (1, "Host", "First cue, over two rows.", 1.5),
        (2, None, "Second cue.", 60.0),
    ]


@pytest.mark.parametrize(
    "name, content, said",
    [
        ("e.csv", "Host\n", "e.csv line 1 has one column"),
        ("f.csv", "Host,Hi,soon\n", "f.csv line 1"),
        ("g.txt", "\n# only a note\n", "has no lines to speak"),
        ("h.srt", "1\n00:00:01,000 --> 00:00:02,000\n\n", "text of line 1 is empty"),
        ("i.txt", "x" * 10000 + "\n", "text of line 1"),
    ],
)
def test_a_broken_script_is_refused_naming_the_line(tmp_path, run, name, content, said):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = run("script", path, "--out", tmp_path / "out", "--preset", "Host")
    assert result.code == 2 and said in result.err, result.err
    assert not (tmp_path / "out").exists(), "nothing written"


def test_a_speaker_with_no_preset_is_refused_before_anything_is_sent(run, voices, sandbox, tmp_path, script_env):
    path = tmp_path / "s.txt"
    path.write_text("[Host] Hi.\n[Narrator] Once upon a time.\n", encoding="utf-8")
    before = _speech_requests(sandbox)
    result = run("script", path, "--out", tmp_path / "out", env_replace=script_env)
    assert result.code == 2 and "no preset named 'Narrator'" in result.err and "Use one of: Guest, Host" in result.err
    assert _speech_requests(sandbox) == before


def test_200_lines_land_under_the_limit_through_injected_1002s(run, voices, sandbox, tmp_path, script_env):
    """The bar: all 200 land, no request over the limit, the 1002s waited out without failing the run."""
    sandbox.add_fault("rate_limit", path=T2A, times=3, after=40)
    before = _speech_requests(sandbox)
    result = run(
        "script",
        _script(tmp_path / "s.txt", 200),
        "--out",
        tmp_path / "out",
        "--parallel",
        "4",
        "--json",
        env_replace=script_env,
    )
    assert result.code == 0, result.err
    data = result.json()
    assert (data["spoken"], data["reused"], data["failed"]) == (200, 0, 0)
    assert sandbox.over_limit(T2A) == 0, "the queue kept under the limit"
    assert _speech_requests(sandbox) - before == 200 + 3, "each injected 1002 cost one request, no more"
    assert len(list((tmp_path / "out").glob("*.wav"))) == 200
    speakers = {line["number"]: line["speaker"] for line in data["lines"]}
    assert speakers[3] == "Guest" and speakers[4] == "Host"


def test_a_rerun_after_a_kill_speaks_only_the_lines_not_yet_spoken(voices, sandbox, tmp_path, script_env, run):
    """Killed at line 100 (its request held by the server), the rerun makes exactly 100 speech
    requests; changing 3 lines then costs exactly 3."""
    script = _script(tmp_path / "s.txt", 200)
    out = tmp_path / "out"
    sandbox.add_fault("slow", path=T2A, seconds=30, after=100)
    child, journal = _script_child(script, out, script_env, until_lines=100)
    time.sleep(0.3)  # the 101st request is now held by the server
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=10)
    assert len(journal.read_text().splitlines()) == 100
    sandbox.clear_faults()

    # the killed run's last requests are still in the account's rate window, which the rerun's own
    # queue cannot know of: it may be refused (1002) and try again, which is not paid; count what is
    before = _speeches_made(sandbox)
    again = run("script", script, "--out", out, "--json", env_replace=script_env)
    assert again.code == 0, again.err
    assert _speeches_made(sandbox) - before == 100
    assert (again.json()["spoken"], again.json()["reused"]) == (100, 100)

    before = _speeches_made(sandbox)
    edited = run("script", _script(script, 200, changed=(5, 77, 150)), "--out", out, "--json", env_replace=script_env)
    assert edited.code == 0, edited.err
    assert _speeches_made(sandbox) - before == 3
    assert {line["number"] for line in edited.json()["lines"] if line["status"] == "spoken"} == {5, 77, 150}


def test_ctrl_c_stops_after_the_line_in_flight_and_keeps_it(voices, sandbox, tmp_path, script_env, run):
    script = _script(tmp_path / "s.txt", 30)
    out = tmp_path / "out"
    sandbox.add_fault("slow", path=T2A, seconds=1.5, after=5)
    child, journal = _script_child(script, out, script_env, until_lines=5)
    time.sleep(0.3)  # the 6th line is in flight, held by the server
    child.send_signal(signal.SIGINT)
    stdout, _ = child.communicate(timeout=30)
    assert child.returncode == 130, stdout
    assert len(journal.read_text().splitlines()) == 6, "the line in flight was finished and kept"
    assert "Run the same command again to speak the rest" in stdout
    before = _speech_requests(sandbox)
    assert run("script", script, "--out", out, env_replace=script_env).code == 0
    assert _speech_requests(sandbox) - before == 24


def test_subtitles_become_an_srt_of_the_whole_timeline(run, voices, sandbox, tmp_path, script_env):
    path = tmp_path / "s.csv"
    path.write_text(
        "speaker,text,start\nHost,First sentence. Second sentence!,0\nGuest,A reply? Yes.,10\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    result = run(
        "script",
        path,
        "--out",
        out,
        "--subtitles",
        "--timeline",
        tmp_path / "all.wav",
        "--json",
        env_replace=script_env,
    )
    assert result.code == 0, result.err
    data = result.json()
    cues = (out / "script.srt").read_text(encoding="utf-8").strip().split("\n\n")
    assert [cue.splitlines()[2] for cue in cues] == ["First sentence.", "Second sentence!", "A reply?", "Yes."]
    starts = [cue.splitlines()[1].split(" --> ")[0] for cue in cues]
    assert starts[0] == "00:00:00,000" and starts[2] == "00:00:10,000", "each line's sentences at its start"
    timeline = sf.info(str(tmp_path / "all.wav"))
    second = next(line for line in data["lines"] if line["speaker"] == "Guest")
    assert timeline.duration == pytest.approx(10 + second["duration_s"], abs=0.05)
    assert json.loads((out / "voiceclone-journal.jsonl").read_text().splitlines()[0])["subtitles"]


def test_a_journal_that_cannot_be_written_loses_no_paid_line(run, voices, sandbox, tmp_path, script_env, monkeypatch):
    """A full disk at the journal: each line's speech is already its file; the run says so per
    line (exit 3, failed lines), and the next run takes the files as spoken without paying again."""
    import errno

    from voiceclone import script_run

    def full(self, entry):
        raise OSError(errno.ENOSPC, "No space left on device")

    script = _script(tmp_path / "s.txt", 4)
    out = tmp_path / "out"
    monkeypatch.setattr(script_run.Journal, "record", full)
    first = run("script", script, "--out", out, env_replace=script_env)
    assert first.code == 3 and "the journal could not be written (No space left on device)" in first.out
    assert len(list(out.glob("*.wav"))) == 4
    monkeypatch.undo()
    before = _speech_requests(sandbox)
    again = run("script", script, "--out", out, "--json", env_replace=script_env)
    assert again.code == 0 and again.json()["reused"] == 4
    assert _speech_requests(sandbox) == before, "nothing paid twice"
