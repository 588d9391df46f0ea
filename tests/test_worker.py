"""Background jobs as a DAW host runs them: a child process, a job file, an events file."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import soundfile as sf

from helpers import FAKE_KEY, pending_of, presets_of
from voiceclone.capture import CapturePlan, Segment
from voiceclone.events_file import EventsFileReader


def start_job(tmp_path, env, job) -> tuple:
    job_file, events = tmp_path / "job.json", tmp_path / "events.jsonl"
    job_file.write_text(json.dumps(job))
    child = subprocess.Popen(
        [sys.executable, "-m", "voiceclone.worker", str(job_file), "--events", str(events)],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    return child, EventsFileReader(events)


def finish(child, reader, timeout=60) -> list:
    child.wait(timeout)
    return reader.poll()


def clone_job(take: Path, **extra) -> dict:
    plan = CapturePlan(
        12.0, (Segment(str(take), 2.0, 0.0, 12.0),), "REAPER project 'ep12', track 'Host', 10.00-22.00 s"
    )
    return {
        "kind": "clone",
        "capture": plan.as_dict(),
        "voice_id": "HostVoice01",
        "name": "Host",
        "settings": {"text": "Welcome back.", "model": "speech-2.8-hd"},
        **extra,
    }


def test_a_clone_job_reports_progress_then_the_result_and_saves_the_preset_without_the_key(tmp_path, env, make_audio):
    child, reader = start_job(tmp_path, env, clone_job(make_audio("take.wav", 20)))
    events = finish(child, reader)
    assert child.returncode == 0, child.stderr.read()
    stages = [e["stage"] for e in events if e["event"] == "progress"]
    assert stages[0] == "capture" and "upload" in stages and "clone" in stages
    result = events[-1]
    assert result["event"] == "result" and result["data"]["voice_id"] == "HostVoice01"
    assert Path(result["data"]["preview_path"]).exists()
    preset = presets_of(env)["Host"]
    assert preset["sample"]["source"] == "REAPER project 'ep12', track 'Host', 10.00-22.00 s"
    assert preset["sample"]["duration_s"] == 12.0
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert FAKE_KEY.encode() not in path.read_bytes(), f"the key is in {path}"


def test_a_job_that_fails_reports_one_plain_error_event(tmp_path, env, make_audio):
    job = clone_job(make_audio("take.wav", 20))
    job["capture"]["length_s"] = 6.0
    child, reader = start_job(tmp_path, env, job)
    (event,) = finish(child, reader)[-1:]
    assert child.returncode == 2
    assert event["event"] == "error" and "the sample is 6 s" in event["message"] and event["exit_code"] == 2


def test_cancelling_the_child_while_minimax_clones_ends_it_quickly_and_keeps_the_voice_unconfirmed(
    tmp_path, env, sandbox, make_audio
):
    sandbox.add_fault("slow", path="/v1/voice_clone", seconds=5)
    child, reader = start_job(tmp_path, env, clone_job(make_audio("take.wav", 20)))
    seen = []
    deadline = time.monotonic() + 30
    while not any(e.get("stage") == "clone" for e in seen) and time.monotonic() < deadline:
        seen += reader.poll()
        time.sleep(0.05)
    child.terminate()
    events = seen + finish(child, reader, timeout=10)
    assert child.returncode == 130
    assert events[-1]["event"] == "error" and events[-1]["exit_code"] == 130
    assert "it may have made voice" in events[-1]["message"]
    assert pending_of(env)["HostVoice01"]["unconfirmed"] == "cancelled while MiniMax worked on the clone"


def test_a_speak_job_writes_the_audio(tmp_path, env, make_audio, run):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    out = tmp_path / "line.wav"
    child, reader = start_job(
        tmp_path, env, {"kind": "speak", "text": "Thanks for listening.", "preset": "Host", "out": str(out)}
    )
    events = finish(child, reader)
    assert child.returncode == 0 and events[-1]["data"]["path"] == str(out)
    assert sf.info(str(out)).format == "WAV"


def test_the_event_reader_returns_only_complete_lines(tmp_path):
    path = tmp_path / "e.jsonl"
    reader = EventsFileReader(path)
    assert reader.poll() == []
    path.write_text('{"event": "progress", "n": 1}\n{"event": "prog')
    assert reader.poll() == [{"event": "progress", "n": 1}]
    with open(path, "a") as handle:
        handle.write('ress", "n": 2}\n')
    assert reader.poll() == [{"event": "progress", "n": 2}]
