"""Voices that last: the sample archive, activation and re-cloning."""
import hashlib
import os
import sys
from pathlib import Path

import pytest
import yaml

from voiceclone.lifecycle import derive_voice_id


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stdin", open(os.devnull))


def presets_of(env) -> dict:
    return yaml.safe_load(Path(env["VOICECLONE_PRESETS"]).read_text())["voices"]


def uploads(sandbox, purpose="voice_clone") -> list:
    return [f for f in sandbox.state.files.values() if f.purpose == purpose]


def test_every_clone_archives_the_exact_uploaded_sample_once(run, env, sandbox, make_audio):
    take = make_audio("t.wav", 12, 48000, 2, subtype="PCM_24")
    run("clone", take, "--voice-id", "HostVoice01", "--prompt-audio", make_audio("p.wav", 5), "--prompt-text", "Hi.")
    preset = presets_of(env)["HostVoice01"]
    archived = Path(env["VOICECLONE_PRESETS"]).parent / preset["sample"]["archive"]
    assert archived.read_bytes() == uploads(sandbox)[0].data
    assert archived.name == hashlib.sha256(archived.read_bytes()).hexdigest() + ".wav"
    prompt = Path(env["VOICECLONE_PRESETS"]).parent / preset["prompt"]["archive"]
    assert prompt.read_bytes() == uploads(sandbox, "prompt_audio")[0].data
    run("clone", take, "--voice-id", "HostVoice02", "--name", "Second")
    assert len(list(archived.parent.iterdir())) == 2, "the same sample is stored once"


def test_activate_asks_first_then_makes_the_voice_permanent(run, env, sandbox, make_audio):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    refused = run("activate", "Host")
    assert refused.code == 2 and "charges the MiniMax clone fee" in refused.err and "--yes" in refused.err
    assert not sandbox.state.voices["HostVoice01"].activated
    done = run("activate", "Host", "--yes")
    assert done.code == 0 and "is now permanent" in done.out
    assert sandbox.state.voices["HostVoice01"].activated
    preset = presets_of(env)["Host"]
    assert preset["expires_at"] is None and preset["activated_at"]


def test_reclone_rebuilds_a_deleted_voice_from_the_archive_with_the_same_settings(run, env, sandbox, make_audio):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host", "--text", "Hello.",
        "--language-boost", "German", "--noise-reduction")
    run("voices", "delete", "HostVoice01", "--yes")
    done = run("reclone", "Host", "--yes", "--json")
    assert done.code == 0, done.err
    assert done.json()["voice_id"] == "HostVoice01-r2"
    new = sandbox.state.voices["HostVoice01-r2"]
    assert new.options["language_boost"] == "German" and new.options["need_noise_reduction"] is True
    first, second = uploads(sandbox)
    assert first.data == second.data, "the very same sample is uploaded again"
    preset = presets_of(env)["Host"]
    assert preset["voice_id"] == "HostVoice01-r2" and "deleted_at" not in preset
    assert [h["voice_id"] for h in preset["history"]] == ["HostVoice01"]
    assert Path(preset["preview"]["path"]).exists()
    again = run("reclone", "Host", "--yes", "--json").json()
    assert again["voice_id"] == "HostVoice01-r3"
    assert [h["voice_id"] for h in presets_of(env)["Host"]["history"]] == ["HostVoice01", "HostVoice01-r2"]


def test_reclone_without_an_archived_sample_says_what_to_do(run, env, sandbox):
    path = Path(env["VOICECLONE_PRESETS"])
    path.parent.mkdir(parents=True)
    path.write_text(yaml.safe_dump({"schema": 1, "voices": {"Old": {"voice_id": "OldVoice01", "sample": {}}}}))
    result = run("reclone", "Old", "--yes")
    assert result.code == 2 and "has no archived sample" in result.err
    assert sandbox.requests_seen() == []


@pytest.mark.parametrize("old, taken, new", [
    ("HostVoice01", set(), "HostVoice01-r2"),
    ("HostVoice01-r2", {"HostVoice01-r2"}, "HostVoice01-r3"),
    ("HostVoice01", {"HostVoice01-r2", "HostVoice01-r3"}, "HostVoice01-r4"),
    ("V" * 256, set(), "V" * 253 + "-r2"),
])
def test_derived_voice_ids_are_new_and_valid(old, taken, new):
    from voiceclone import rules
    assert derive_voice_id(old, taken) == new
    rules.check_voice_id(new)
