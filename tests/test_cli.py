"""The command line as a user runs it: real files, the sandbox over loopback, real YAML presets."""

import argparse
import errno
import io
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml

from helpers import FAKE_KEY, pending_of, presets_of


def api_calls(sandbox) -> list:
    return [r["path"] for r in sandbox.requests_seen()]


# -- clone -----------------------------------------------------------------------------------


def test_clone_uploads_clones_saves_the_preview_and_the_preset(run, env, sandbox, make_audio, tmp_path):
    take = make_audio("host take.wav", 12)
    result = run(
        "clone",
        take,
        "--voice-id",
        "HostVoice01",
        "--name",
        "Host",
        "--text",
        "Welcome back.",
        "--language-boost",
        "english",
    )
    assert result.code == 0, result.err
    assert "Cloned voice 'HostVoice01' and saved it as preset 'Host'." in result.out
    preview = Path(result.out.split("Preview: ")[1].strip())
    assert preview.parent == Path(env["VOICECLONE_PRESETS"]).parent / "previews"
    assert preview.suffix == ".mp3" and sf.info(str(preview)).duration > 0.5

    preset = presets_of(env)["Host"]
    assert preset["voice_id"] == "HostVoice01"
    assert preset["base_url"] == sandbox.base_url
    assert preset["language_boost"] == "English"
    assert preset["model"] == "speech-2.8-hd"
    assert preset["preview"] == {"text": "Welcome back.", "path": str(preview)}
    assert preset["sample"]["duration_s"] == 12.0 and preset["sample"]["sample_rate"] == 16000
    assert preset["sample"]["source"] == f"file {take}"
    assert preset["expires_at"] > preset["created_at"]
    assert api_calls(sandbox) == ["/v1/files/upload", "/v1/voice_clone"]


def test_clone_json_reports_what_scripts_need(run, sandbox, make_audio):
    result = run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--text", "Hi.", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["voice_id"] == "HostVoice01" and data["preset"] == "HostVoice01"
    assert isinstance(data["file_id"], int) and data["file_id"] in sandbox.state.files
    assert Path(data["preview_path"]).exists()
    assert data["demo_audio_url"].startswith(sandbox.base_url)
    assert data["reused"] is False and data["warnings"] == []


def test_clone_without_text_has_no_preview(run, make_audio):
    data = run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--json").json()
    assert data["preview_path"] is None and data["demo_audio_url"] is None


def test_preview_out_is_written_in_the_format_its_name_asks_for(run, make_audio, tmp_path):
    target = tmp_path / "out" / "preview.wav"
    target.parent.mkdir()
    data = run(
        "clone",
        make_audio("t.wav", 12),
        "--voice-id",
        "HostVoice01",
        "--text",
        "Hi.",
        "--preview-out",
        target,
        "--json",
    ).json()
    assert data["preview_path"] == str(target)
    assert sf.info(str(target)).format == "WAV"
    assert sorted(p.name for p in target.parent.iterdir()) == ["preview.wav"]


def test_an_existing_preview_out_is_never_overwritten(run, sandbox, make_audio, tmp_path):
    target = tmp_path / "keep.mp3"
    target.write_bytes(b"the user's file")
    result = run(
        "clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--text", "Hi.", "--preview-out", target
    )
    assert result.code == 2 and "already exists" in result.err
    assert target.read_bytes() == b"the user's file"
    assert api_calls(sandbox) == []


def test_the_same_sample_and_voice_id_again_reuses_the_preset_without_calling_the_api(run, sandbox, make_audio):
    take = make_audio("t.wav", 12)
    first = run("clone", take, "--voice-id", "HostVoice01", "--json").json()
    calls = len(sandbox.requests_seen())
    again = run("clone", take, "--voice-id", "HostVoice01", "--json").json()
    assert again["reused"] is True and again["file_id"] == first["file_id"]
    assert len(sandbox.requests_seen()) == calls


def test_force_with_the_same_voice_id_explains_minimax_never_reuses_one_and_offers_the_next(run, sandbox, make_audio):
    take = make_audio("t.wav", 12)
    run("clone", take, "--voice-id", "HostVoice01")
    calls = len(sandbox.requests_seen())
    result = run("clone", take, "--voice-id", "HostVoice01", "--force")
    assert result.code == 2
    assert "MiniMax never makes a voice_id twice" in result.err and "--voice-id HostVoice01-2" in result.err
    assert len(sandbox.requests_seen()) == calls, "nothing was sent"
    again = run("clone", take, "--voice-id", "HostVoice01-2", "--name", "Host again")
    assert again.code == 0, again.err


def test_a_voice_id_held_by_a_preset_of_another_sample_is_refused_before_upload(run, sandbox, make_audio, tmp_path):
    run("clone", make_audio("a.wav", 12), "--voice-id", "HostVoice01")
    calls = len(sandbox.requests_seen())
    other = make_audio("b.wav", 14)
    result = run("clone", other, "--voice-id", "HostVoice01")
    assert result.code == 2
    assert (
        "voice_id 'HostVoice01' already belongs to preset 'HostVoice01', cloned from a different sample" in result.err
    )
    assert len(sandbox.requests_seen()) == calls


def test_a_preset_name_holding_another_voice_is_never_replaced(run, env, make_audio):
    run("clone", make_audio("a.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    result = run("clone", make_audio("b.wav", 14), "--voice-id", "HostVoice02", "--name", "Host")
    assert result.code == 2 and "preset 'Host' already holds voice 'HostVoice01'" in result.err
    assert presets_of(env)["Host"]["voice_id"] == "HostVoice01"


def test_a_long_24_bit_take_is_fixed_and_the_fixes_are_said(run, sandbox, make_audio):
    take = make_audio("long.wav", 301, 16000, 2, subtype="PCM_24")
    result = run("clone", take, "--voice-id", "HostVoice01", "--json")
    assert result.code == 0, result.err
    warnings = result.json()["warnings"]
    assert any("trimmed to 5:00" in w for w in warnings)
    assert any("24-bit PCM to 16-bit" in w for w in warnings)
    assert all(w in result.err for w in warnings)
    uploaded = sandbox.state.files[result.json()["file_id"]]
    assert 299.99 <= uploaded.duration_s <= 300.0 and uploaded.bytes <= 20_000_000


def test_the_region_options_clone_only_that_region(run, env, make_audio):
    take = make_audio("t.wav", 40)
    assert run("clone", take, "--voice-id", "HostVoice01", "--start", "5", "--end", "20").code == 0
    sample = presets_of(env)["HostVoice01"]["sample"]
    assert sample["duration_s"] == 15.0
    assert sample["source"] == f"file {take} from 5 s to 20 s"


def test_a_clone_prompt_uploads_the_clip_with_its_purpose(run, env, sandbox, make_audio):
    result = run(
        "clone",
        make_audio("t.wav", 12),
        "--voice-id",
        "HostVoice01",
        "--prompt-audio",
        make_audio("p.wav", 5),
        "--prompt-text",
        "Hello there.",
    )
    assert result.code == 0, result.err
    purposes = [r.get("purpose") for r in sandbox.requests_seen() if r["path"] == "/v1/files/upload"]
    assert purposes == ["prompt_audio", "voice_clone"]
    assert presets_of(env)["HostVoice01"]["prompt"]["text"] == "Hello there."


@pytest.mark.parametrize(
    "args, words",
    [
        (["--voice-id", "short"], "voice_id 'short' is 5 characters (it must be 8 to 256)"),
        (["--voice-id", "9Voices01"], "must start with a letter"),
        (
            ["--voice-id", "HostVoice01", "--text", "x" * 1001],
            "preview text is 1001 characters; MiniMax takes at most 1000",
        ),
        (["--voice-id", "HostVoice01", "--model", "speech-9"], "model 'speech-9' is not a MiniMax speech model"),
        (
            ["--voice-id", "HostVoice01", "--language-boost", "Klingon"],
            "language_boost 'Klingon' is not one MiniMax knows",
        ),
        (["--voice-id", "HostVoice01", "--prompt-text", "Hi."], "--prompt-audio is missing"),
        (["--voice-id", "HostVoice01", "--start", "30"], "beyond the end of the file"),
    ],
)
def test_bad_input_is_refused_with_exit_2_and_nothing_is_sent(run, sandbox, make_audio, args, words):
    result = run("clone", make_audio("t.wav", 12), *args)
    assert result.code == 2
    assert words in result.err
    assert len(result.err.strip().splitlines()) <= 2
    assert api_calls(sandbox) == []


@pytest.mark.parametrize(
    "seconds, kind, words",
    [
        (8.2, "voice", "the sample is 8.2 s; the clone endpoint needs 10 s to 5 min"),
        (12, "silence", "digital silence"),
    ],
)
def test_unusable_audio_is_refused_with_exit_2_and_nothing_is_sent(run, sandbox, make_audio, seconds, kind, words):
    result = run("clone", make_audio("t.wav", seconds, kind=kind), "--voice-id", "HostVoice01")
    assert result.code == 2 and words in result.err
    assert api_calls(sandbox) == []


def test_a_missing_file_is_a_plain_error(run, tmp_path):
    result = run("clone", tmp_path / "nope.wav", "--voice-id", "HostVoice01")
    assert result.code == 2 and f"no such file: {tmp_path / 'nope.wav'}" in result.err
    assert "Traceback" not in result.err


def test_without_a_key_nothing_is_sent(run, env, sandbox, make_audio):
    no_key = {k: v for k, v in env.items() if k != "MINIMAX_API_KEY"}
    result = run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", env_replace=no_key)
    assert result.code == 2 and "MINIMAX_API_KEY is not set" in result.err
    assert api_calls(sandbox) == []


def test_an_api_refusal_is_exit_3_with_code_and_trace_id_and_no_preset(run, env, sandbox, make_audio):
    sandbox.add_fault("code", path="/v1/voice_clone", code=2038)
    result = run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01")
    assert result.code == 3
    first, fix = result.err.strip().splitlines()
    assert first.startswith(
        "error: voice cloning is not enabled for this MiniMax account (MiniMax code 2038, Trace-Id sbx-"
    )
    assert fix.startswith("fix: Complete the personal or enterprise real-name verification")
    assert presets_of(env) == {} and pending_of(env) == {}, "a refusal leaves nothing behind"


def test_a_server_down_after_retries_is_exit_4(run, sandbox, make_audio):
    sandbox.add_fault("server_error", times=20)
    result = run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01")
    assert result.code == 4 and "the MiniMax server failed (HTTP 503)" in result.err


def test_a_lost_clone_answer_still_saves_the_preset_once(run, env, sandbox, make_audio):
    sandbox.add_fault("drop", path="/v1/voice_clone")
    result = run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--text", "Hi.", "--json")
    assert result.code == 0, result.err
    assert any("MiniMax's answer was lost after it made the voice" in w for w in result.json()["warnings"])
    assert list(sandbox.state.voices) == ["HostVoice01"]
    assert presets_of(env)["HostVoice01"]["voice_id"] == "HostVoice01"


def test_a_failed_preview_download_warns_and_keeps_the_clone_and_preset(run, env, sandbox, make_audio, monkeypatch):
    from voiceclone import minimax

    monkeypatch.setattr(minimax, "MAX_DOWNLOAD_BYTES", 10)
    result = run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--text", "Hi.", "--json")
    assert result.code == 0
    assert any("preview could not be saved" in w for w in result.json()["warnings"])
    assert presets_of(env)["HostVoice01"]["preview"]["path"] is None


def test_a_damaged_preview_warns_leaves_no_file_and_keeps_the_clone_and_preset(run, env, sandbox, make_audio, tmp_path):
    sandbox.add_fault("damaged_audio", path="/v1/voice_clone")
    wanted = tmp_path / "out" / "preview.wav"
    wanted.parent.mkdir()
    result = run(
        "clone",
        make_audio("t.wav", 12),
        "--voice-id",
        "HostVoice01",
        "--text",
        "Hi.",
        "--preview-out",
        wanted,
        "--json",
    )
    assert result.code == 0, result.err
    assert any("preview could not be saved" in w for w in result.json()["warnings"])
    assert presets_of(env)["HostVoice01"]["preview"]["path"] is None
    assert list(wanted.parent.iterdir()) == [], "no half-made or unmarked preview is left behind"


def test_a_damaged_mp3_preview_is_not_kept_as_the_presets_preview(run, env, sandbox, make_audio):
    sandbox.add_fault("damaged_audio", path="/v1/voice_clone")
    result = run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--text", "Hi.", "--json")
    assert result.code == 0, result.err
    assert any("preview could not be saved" in w for w in result.json()["warnings"])
    assert presets_of(env)["HostVoice01"]["preview"]["path"] is None
    previews = Path(env["VOICECLONE_PRESETS"]).parent / "previews"
    assert not previews.exists() or list(previews.iterdir()) == []


def test_corrupt_presets_are_reported_untouched_and_nothing_is_sent(run, env, sandbox, make_audio):
    path = Path(env["VOICECLONE_PRESETS"])
    path.parent.mkdir(parents=True)
    path.write_text("voices: [broken")
    result = run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01")
    assert result.code == 2 and "not valid YAML" in result.err and "left untouched" in result.err
    assert path.read_text() == "voices: [broken"
    assert api_calls(sandbox) == []


def test_ctrl_c_before_the_clone_is_sent_is_exit_130_and_saves_nothing(run, env, make_audio, monkeypatch, sandbox):
    from voiceclone import minimax

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(minimax.MiniMaxClient, "upload", interrupted)
    result = run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01")
    assert result.code == 130 and "cancelled before the clone was sent; nothing was saved or charged" in result.err
    assert presets_of(env) == {} and pending_of(env) == {}


def test_ctrl_c_while_minimax_clones_keeps_the_voice_unconfirmed_and_a_rerun_confirms_it(
    run, env, make_audio, monkeypatch, sandbox
):
    from voiceclone import minimax

    take = make_audio("t.wav", 12)
    real = minimax.MiniMaxClient.clone

    def interrupted_after_sending(self, request):
        real(self, request)  # MiniMax makes the voice, then the user presses Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(minimax.MiniMaxClient, "clone", interrupted_after_sending)
    result = run("clone", take, "--voice-id", "HostVoice01", "--name", "Host")
    assert result.code == 130 and "it may have made voice 'HostVoice01'" in result.err
    assert "kept as unconfirmed preset 'Host'" in result.err
    assert pending_of(env)["HostVoice01"]["unconfirmed"] == "cancelled while MiniMax worked on the clone"
    listed = run("presets", "list")
    assert "HostVoice01" in listed.out and "unconfirmed" in listed.out
    assert "may exist on MiniMax but is not confirmed" in listed.err
    monkeypatch.setattr(minimax.MiniMaxClient, "clone", real)
    again = run("clone", take, "--voice-id", "HostVoice01", "--name", "Host", "--json")
    assert again.code == 0, again.err
    assert presets_of(env)["Host"]["voice_id"] == "HostVoice01" and pending_of(env) == {}
    assert list(sandbox.state.voices) == ["HostVoice01"], "one voice, never a second"


# -- validate --------------------------------------------------------------------------------


def test_validate_gives_the_verdict_and_facts_and_sends_nothing(run, sandbox, make_audio):
    result = run("validate", make_audio("t.wav", 12, 44100, 2, subtype="PCM_24"))
    assert result.code == 0
    assert "t.wav: can be cloned" in result.out
    assert "wav (PCM_24), 44100 Hz, 2 channel(s)" in result.out
    assert "converted 24-bit PCM to 16-bit PCM WAV" in result.out
    assert api_calls(sandbox) == []


def test_validate_json_of_a_refused_sample(run, make_audio):
    result = run("validate", make_audio("t.wav", 12, kind="silence"), "--json")
    assert result.code == 2
    data = result.json()
    assert data["ok"] is False and "digital silence" in data["problem"]
    assert data["file"]["duration_s"] == 12.0


# -- speak -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name, fmt", [("line.wav", "WAV"), ("line.mp3", "MP3"), ("line.flac", "FLAC")])
def test_speak_with_a_preset_writes_audio_and_makes_the_voice_permanent(
    run, env, sandbox, make_audio, tmp_path, name, fmt
):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    out = tmp_path / name
    result = run("speak", "--preset", "Host", "Thanks for listening (laughs).", "-o", out)
    assert result.code == 0, result.err
    assert sf.info(str(out)).format == fmt and sf.info(str(out)).duration > 0.5
    preset = presets_of(env)["Host"]
    assert preset["expires_at"] is None and preset["activated_at"]
    assert sandbox.state.voices["HostVoice01"].activated


def test_speaking_by_voice_id_also_records_the_presets_voice_as_permanent(run, env, make_audio, tmp_path):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    assert run("speak", "--voice-id", "HostVoice01", "Hi.", "-o", tmp_path / "a.wav").code == 0
    assert presets_of(env)["Host"]["expires_at"] is None


def test_speak_strips_tags_for_models_that_do_not_perform_them(run, make_audio, tmp_path):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01")
    result = run(
        "speak", "--voice-id", "HostVoice01", "Ha (laughs) ha.", "-o", tmp_path / "a.wav", "--model", "speech-02-hd"
    )
    assert result.code == 0 and "removed 1 interjection tag(s) such as (laughs)" in result.err


@pytest.mark.parametrize(
    "args, words",
    [
        (["--preset", "Nobody", "Hi.", "-o", "x.wav"], "no preset named 'Nobody'"),
        (["--voice-id", "HostVoice01", "Hi.", "-o", "x.ogg"], "cannot tell the audio format from 'x.ogg'"),
        (["--voice-id", "HostVoice01", "Hi.", "-o", "x.wav", "--format", "mp3"], "--format mp3 does not match"),
        (["--voice-id", "HostVoice01", "", "-o", "x.wav"], "the text is empty"),
    ],
)
def test_speak_refuses_bad_input_before_sending(run, sandbox, tmp_path, args, words):
    result = run("speak", *[a if a not in ("x.wav", "x.ogg") else tmp_path / a for a in args])
    assert result.code == 2 and words in result.err
    assert api_calls(sandbox) == []


def test_speak_never_overwrites_an_existing_file_unless_forced(run, make_audio, tmp_path):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01")
    out = tmp_path / "keep.wav"
    out.write_bytes(b"precious")
    assert run("speak", "--voice-id", "HostVoice01", "Hi.", "-o", out).code == 2
    assert out.read_bytes() == b"precious"
    assert run("speak", "--voice-id", "HostVoice01", "Hi.", "-o", out, "--force").code == 0
    assert sf.info(str(out)).format == "WAV"


def test_speak_with_an_unknown_voice_is_exit_3_and_writes_nothing(run, tmp_path):
    result = run("speak", "--voice-id", "GoneVoice01", "Hi.", "-o", tmp_path / "a.wav")
    assert result.code == 3 and "MiniMax code 20132" in result.err
    assert list(tmp_path.glob("*.wav")) == []


def test_damaged_speech_audio_is_exit_4_writes_nothing_and_still_records_the_voice_as_used(
    run, env, sandbox, make_audio, tmp_path
):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    sandbox.add_fault("damaged_audio", path="/v1/t2a_v2")
    result = run("speak", "--preset", "Host", "Hi.", "-o", tmp_path / "line.wav")
    assert result.code == 4
    note, error = result.err.splitlines()[:2]
    assert note == (
        "note: this is the first speech of voice 'HostVoice01': MiniMax makes the voice permanent now "
        "and charges the clone fee for it (once)"
    )
    assert error.startswith("error: MiniMax's wav audio could not be read") and "Trace-Id sbx-" in error
    assert list(tmp_path.glob("*line.wav*")) == []
    assert presets_of(env)["Host"]["expires_at"] is None, "MiniMax made the voice permanent on this speech"
    again = run("speak", "--preset", "Host", "Hi.", "-o", tmp_path / "line.wav")
    assert again.code == 0 and "first speech" not in again.err, "said once: the voice is paid for now"


def test_recloning_an_active_voice_says_it_was_paid_for_and_what_it_costs_again(run, env, make_audio, tmp_path):
    from voiceclone import lifecycle
    from voiceclone.settings import Settings

    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    settings = Settings.from_env(env)
    assert (
        lifecycle.reclone_question(settings, "Host")
        == "Clone preset 'Host' again under a new voice_id? MiniMax charges a new clone."
    )
    run("speak", "--preset", "Host", "Hi.", "-o", tmp_path / "line.wav")
    assert lifecycle.reclone_question(settings, "Host").startswith(
        "Preset 'Host' holds an active voice, already paid for."
    )
    assert "first speech charges the clone fee again" in lifecycle.reclone_question(settings, "Host")


# -- voices and presets ----------------------------------------------------------------------


def test_voices_list_shows_clones_after_their_first_speech(run, make_audio, tmp_path):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01")
    assert run("voices", "list", "--json").json()["voice_cloning"] == []
    run("speak", "--voice-id", "HostVoice01", "Hi.", "-o", tmp_path / "a.wav")
    listed = run("voices", "list")
    assert "HostVoice01" in listed.out and "voice_cloning" in listed.out


def test_voices_delete_needs_confirmation_and_marks_the_preset(run, env, sandbox, make_audio, monkeypatch):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01")
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    refused = run("voices", "delete", "HostVoice01")
    assert refused.code == 2 and "Add --yes" in refused.err
    assert not sandbox.state.voices["HostVoice01"].deleted
    done = run("voices", "delete", "HostVoice01", "--yes")
    assert done.code == 0 and "marked preset(s) HostVoice01 as deleted" in done.out
    assert sandbox.state.voices["HostVoice01"].deleted
    assert presets_of(env)["HostVoice01"]["deleted_at"]
    assert "deleted" in run("presets", "list").out


def test_presets_list_show_remove(run, env, make_audio):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    listed = run("presets", "list")
    assert re.search(r"^  Host +HostVoice01 +temporary, (6 d 23|7 d 0) h left$", listed.out, re.MULTILINE)
    assert run("presets", "show", "Host", "--json").json()["voice_id"] == "HostVoice01"
    assert "voice_id: HostVoice01" in run("presets", "show", "Host").out
    removed = run("presets", "remove", "Host")
    assert removed.code == 0 and "stays on MiniMax" in removed.out
    assert presets_of(env) == {}
    assert run("presets", "show", "Host").code == 2


# -- the key, the entry points, the demo -------------------------------------------------------


def test_the_key_never_appears_in_output_files_or_errors(run, env, sandbox, make_audio, tmp_path):
    take = make_audio("t.wav", 12)
    outputs = [
        run("clone", take, "--voice-id", "HostVoice01", "--text", "Hi.", "--debug"),
        run("speak", "--preset", "HostVoice01", "Hi.", "-o", tmp_path / "s.wav", "--debug", "--json"),
    ]
    sandbox.add_fault("code", code=2049, times=5)
    outputs.append(run("voices", "list", "--debug"))
    outputs.append(run("clone", take, "--voice-id", "HostVoice02", "--force", "--debug", "--json"))
    for result in outputs:
        assert FAKE_KEY not in result.out and FAKE_KEY not in result.err
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert FAKE_KEY.encode() not in path.read_bytes(), path


def test_usage_errors_are_exit_2_without_a_traceback(run):
    result = run("clone", "x.wav")
    assert result.code == 2 and "the following arguments are required: --voice-id" in result.err
    assert "Traceback" not in result.err


def _subprocess_env(env) -> dict:
    return {**os.environ, **env}


@pytest.mark.parametrize(
    "command", [[sys.executable, "-m", "voiceclone"], [str(Path(sys.executable).with_name("voiceclone"))]]
)
def test_the_installed_command_and_python_m_run_a_clone(env, make_audio, command):
    if not Path(command[0]).exists():
        pytest.skip(f"the console script is not installed next to {sys.executable} (run `pip install .`)")
    done = subprocess.run(
        [*command, "clone", str(make_audio("t.wav", 12)), "--voice-id", "HostVoice01", "--json"],
        env=_subprocess_env(env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert FAKE_KEY not in done.stdout + done.stderr


def test_the_demo_runs_the_whole_loop_offline_without_a_key(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MINIMAX_", "VOICECLONE_"))}
    done = subprocess.run(
        [sys.executable, "-m", "voiceclone", "demo", "--out", str(tmp_path / "demo")],
        env=clean,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    voices = yaml.safe_load((tmp_path / "demo" / "presets.yaml").read_text())["voices"]
    (preset,) = voices.values()
    assert Path(preset["preview"]["path"]).exists()
    assert "sandbox" in done.stdout.lower()
    assert len(list((tmp_path / "demo").glob("*-speech.wav"))) == 1
    assert (tmp_path / "demo" / "clone-ledger.jsonl").is_file()
    assert not list(Path(os.environ["XDG_DATA_HOME"]).rglob("clone-ledger.jsonl")), (
        "the sandbox's voices stay out of the user's own ledger"
    )


# -- what a user's own machine does to a command ----------------------------------------------------


@pytest.mark.parametrize("option", ["audio", "--prompt-audio", "--consent-audio"])
def test_a_pipe_given_as_audio_is_refused_at_once_instead_of_hanging(run, sandbox, make_audio, tmp_path, option):
    fifo = tmp_path / "take.wav"
    os.mkfifo(fifo)
    args = (
        [fifo, "--voice-id", "HostVoice01"]
        if option == "audio"
        else [make_audio("t.wav", 12), "--voice-id", "HostVoice01", option, fifo]
        + (["--prompt-text", "Hello there."] if option == "--prompt-audio" else [])
    )
    started = time.monotonic()
    result = run("clone", *args)
    assert result.code == 2 and "is not a regular file (a pipe or a device)" in result.err
    assert time.monotonic() - started < 10 and sandbox.requests_seen() == []


def test_a_key_with_characters_http_cannot_carry_is_refused_with_what_to_do(run, make_audio, env):
    result = run(
        "clone",
        make_audio("t.wav", 12),
        "--voice-id",
        "HostVoice01",
        env_extra={"MINIMAX_API_KEY": "sk-“copied-with-smart-quotes”"},
    )
    assert result.code == 2 and "not plain ASCII" in result.err and "Copy the key again" in result.err
    assert "copied-with-smart-quotes" not in result.err + result.out


@pytest.mark.parametrize(
    "code, words",
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EROFS, "the disk is read-only"),
        (errno.EACCES, "there is no permission to write there"),
    ],
)
def test_a_disk_that_refuses_a_write_is_exit_6_with_a_plain_sentence(run, make_audio, tmp_path, code, words):
    sys.path.insert(0, str(Path(__file__).with_name("faults")))
    from world import disk_full_for

    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    with disk_full_for(r"library\.zip", code=code):
        result = run("presets", "export", tmp_path / "library.zip")
    assert result.code == 6 and words in result.err and "unexpected" not in result.err
    assert not (tmp_path / "library.zip").exists()


# -- hints that lead somewhere --------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, seconds", [("90", 90.0), ("1:30", 90.0), ("1:30.5", 90.5), ("0:01:30", 90.0), ("01:02:03.25", 3723.25)]
)
def test_times_are_taken_as_seconds_mm_ss_or_hh_mm_ss(given, seconds):
    from voiceclone import rules

    assert rules.parse_time(given) == seconds


@pytest.mark.parametrize("given", ["1:75", "abc", "1::2", "-5", "1:2:3:4", ""])
def test_a_time_that_is_none_of_those_is_refused_with_the_forms_taken(given):
    from voiceclone import rules

    with pytest.raises(ValueError, match=r"give seconds \(90.5\), mm:ss \(1:30.5\) or hh:mm:ss"):
        rules.parse_time(given)


def test_clone_takes_start_and_end_as_mm_ss(run, env, make_audio):
    result = run("clone", make_audio("t.wav", 40), "--voice-id", "HostVoice01", "--start", "0:05", "--end", "0:20.5")
    assert result.code == 0, result.err
    assert presets_of(env)["HostVoice01"]["sample"]["duration_s"] == 15.5


def test_region_and_environment_errors_say_what_to_do(run, make_audio):
    swapped = run("validate", make_audio("t.wav", 30), "--start", "20", "--end", "10")
    assert swapped.code == 2 and "fix: Swap them, or give an --end later than --start." in swapped.err
    for name, value in (("VOICECLONE_TIMEOUT", "abc"), ("VOICECLONE_RETRIES", "-1")):
        result = run("presets", "list", env_extra={name: value})
        assert result.code == 2 and f"fix: Set {name} to a number from" in result.err, result.err


def test_an_existing_speech_file_names_force(run, make_audio, tmp_path):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    out = tmp_path / "out.wav"
    out.write_bytes(b"mine")
    result = run("speak", "--preset", "Host", "Hi.", "-o", out)
    assert result.code == 2 and "(or add --force to replace it)" in result.err and out.read_bytes() == b"mine"


def test_a_clone_without_text_says_no_preview_was_made_and_a_reuse_offers_a_new_id(run, make_audio):
    take = make_audio("t.wav", 12)
    first = run("clone", take, "--voice-id", "HostVoice01")
    assert "No preview was made: give --text to hear the voice" in first.out
    again = run("clone", take, "--voice-id", "HostVoice01")
    assert "nothing was sent" in again.out and "--voice-id HostVoice01-2" in again.out and "--force" not in again.out


def test_presets_remove_takes_json(run, make_audio):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    result = run("presets", "remove", "Host", "--json")
    assert result.code == 0 and result.json()["removed"] == "Host"
    assert result.json()["preset"]["voice_id"] == "HostVoice01"


def test_a_sandbox_on_a_taken_port_says_so_and_suggests_another(run, sandbox):
    port = int(sandbox.base_url.rsplit(":", 1)[1])
    result = run("sandbox", "--port", port)
    assert result.code == 2 and f"port {port} on 127.0.0.1 is already taken" in result.err
    assert f"--port {port + 1}" in result.err and "unexpected" not in result.err


def test_audacity_doctor_without_audacity_does_not_send_the_user_back_to_itself(monkeypatch, tmp_path, run):
    from voiceclone.hosts.audacity import commands, pipe

    monkeypatch.setattr(pipe, "default_paths", lambda: (tmp_path / "no-to", tmp_path / "no-from"))
    monkeypatch.setattr(commands, "default_paths", lambda: (tmp_path / "no-to", tmp_path / "no-from"), raising=False)
    result = run("audacity", "doctor")
    assert result.code == 2 and "Audacity is not running" in result.out
    assert "run `voiceclone audacity doctor`" not in result.out and "Edit > Preferences > Modules" in result.out


def test_a_long_voice_id_without_name_is_cloned_under_a_shortened_preset_name(run, env, make_audio):
    voice_id = "HostVoice" + "x" * 150 + "1"
    result = run("clone", make_audio("t.wav", 12), "--voice-id", voice_id)
    assert result.code == 0, result.err
    ((name, preset),) = presets_of(env).items()
    assert preset["voice_id"] == voice_id and len(name) == 64


@pytest.mark.parametrize("what", ["dither", "two seconds of speech"])
def test_a_sample_with_too_little_speech_is_refused_before_anything_is_sent(run, sandbox, tmp_path, what):
    import numpy as np

    from helpers import signal

    rng = np.random.default_rng(3)
    rate = 16000
    data = rng.integers(-1, 2, rate * 20).astype(np.float32) / 32768  # +-1 LSB at about -90 dBFS
    if what != "dither":
        data[: 2 * rate] += signal(2, rate)[:, 0]
    path = tmp_path / "near-silence.wav"
    sf.write(str(path), data, rate, subtype="PCM_16")
    checked = run("validate", path)
    assert checked.code == 2 and "rises above its noise floor; a clone needs at least 3 s of speech" in checked.out
    result = run("clone", path, "--voice-id", "HostVoice01")
    assert result.code == 2 and "a clone needs at least 3 s of speech" in result.err
    assert sandbox.requests_seen() == []


def test_system_voices_are_listed_without_a_made_up_date(run, sandbox):
    result = run("voices", "list", "--type", "all")
    assert result.code == 0 and "1970-01-01" not in result.out


def _all_parsers(parser, path=()):
    import argparse

    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _all_parsers(child, path + (name,))


def test_help_describes_every_option_and_offers_only_what_a_command_uses():
    from voiceclone import cli

    parser = cli.build_parser()
    undescribed = [
        f"{' '.join(path)} {action.dest}"
        for path, sub in _all_parsers(parser)
        for action in sub._actions
        if not action.help and action.dest not in ("help", "command", "action")
    ]
    assert undescribed == []
    assert "--debug" in parser.format_help()
    offered = {" ".join(path): sub._option_string_actions for path, sub in _all_parsers(parser)}
    for local in (
        "validate",
        "sandbox",
        "demo",
        "devices",
        "play",
        "record",
        "reaper install",
        "reaper index",
        "audacity doctor",
    ):
        assert "--provider" not in offered[local] and "--presets" not in offered[local], local
    assert "--provider" in offered["clone"] and "--presets" in offered["presets list"]


def test_debug_before_the_command_shows_the_traceback(run, make_audio, tmp_path):
    result = run("--debug", "validate", tmp_path / "missing.wav")
    assert result.code == 2 and "Traceback" in result.err


def test_a_fix_to_the_sample_is_told_before_the_upload_so_a_failed_clone_still_says_it(run, make_audio, sandbox):
    sandbox.add_fault("code", path="/v1/files/upload", code=1026)
    result = run("clone", make_audio("long.wav", 330), "--voice-id", "HostVoice01")
    assert result.code == 3
    assert result.err.count("warning: fixed: trimmed to 5:00") == 1, result.err


def test_each_warning_is_said_once_on_success(run, make_audio):
    result = run("clone", make_audio("long.wav", 330), "--voice-id", "HostVoice01")
    assert result.code == 0, result.err
    assert result.err.count("warning: fixed: trimmed to 5:00") == 1, result.err


def test_the_warnings_come_before_the_upload_starts(env, make_audio):
    from voiceclone import jobs
    from voiceclone.options import CloneOptions
    from voiceclone.settings import Settings

    seen = []
    jobs.clone(
        Settings.from_env(env),
        CloneOptions(audio=make_audio("long.wav", 330), voice_id="HostVoice01"),
        on_event=lambda event: seen.append(event.stage),
    )
    assert "warning" in seen and seen.index("warning") < seen.index("upload")


def test_validate_calls_exact_zeros_between_words_digital_silence_not_minus_200_dbfs(run, tmp_path):
    from helpers import signal

    voice = signal(20, 16000)
    gaps = np.concatenate(
        [np.concatenate([voice[i : i + 8000], np.zeros((8000, 1), np.float32)]) for i in range(0, len(voice), 8000)]
    )
    sf.write(str(tmp_path / "espeak-like.wav"), gaps, 16000, subtype="PCM_16")
    result = run("validate", tmp_path / "espeak-like.wav")
    assert "noise floor digital silence between the words" in result.out, result.out
    assert "-200" not in result.out


def test_debug_shows_the_cause_of_a_failure_and_the_plain_message_does_not(run, tmp_path, env):
    """Errors chain their cause: the library's own exception is in --debug's traceback."""
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 40)
    plain, debug = run("validate", broken), run("--debug", "validate", broken)
    assert "LibsndfileError" in debug.err and "direct cause" in debug.err
    assert "Traceback" not in plain.err and "LibsndfileError" not in plain.err
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    offline = run("--debug", "voices", "list", env_extra={"MINIMAX_BASE_URL": dead, "VOICECLONE_RETRIES": "1"})
    assert offline.code == 4 and "ConnectionRefusedError" in offline.err and "NotConnected" in offline.err, offline.err


def test_output_piped_into_a_reader_that_stops_early_is_not_an_error(env, tmp_path):
    """`voiceclone ... | head -1`: the reader closing the pipe is not a bug to report."""
    child = subprocess.Popen(
        [sys.executable, "-m", "voiceclone", "reaper", "install", "--resource-path", str(tmp_path)],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    child.stdout.close()  # before the command writes its first line
    _, errors = child.communicate(timeout=60)
    assert child.returncode == 0 and "internal error" not in errors and "BrokenPipe" not in errors, errors
    assert (tmp_path / "Scripts" / "VoiceClone").is_dir(), "the install itself was done"


def test_a_presets_speech_settings_are_set_once_and_sent_with_every_speech(run, env, sandbox, make_audio, tmp_path):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    result = run(
        "presets", "set", "Host", "--speed", "1.1", "--pitch", "-2", "--say", "Nguyen=(wɪn)", "--say", "SQL=sequel"
    )
    assert result.code == 0, result.err
    assert "Preset 'Host' speaks with speed 1.1, pitch -2; says Nguyen/(wɪn), SQL/sequel" in result.out
    stored = presets_of(env)["Host"]["speech"]
    assert stored == {"speed": 1.1, "pitch": -2, "pronunciation": ["Nguyen/(wɪn)", "SQL/sequel"]}
    assert run("speak", "--preset", "Host", "Nguyen likes SQL.", "-o", tmp_path / "a.wav").code == 0
    assert run("speak", "--preset", "Host", "Once faster.", "-o", tmp_path / "b.wav", "--speed", "1.5").code == 0
    first, second = sandbox.state.spoken
    assert first == {"voice_id": "HostVoice01", "text": "(wɪn) likes sequel.", "speed": 1.1, "pitch": -2}
    assert second["speed"] == 1.5 and second["pitch"] == -2, "a one-off --speed, the preset's pitch"
    assert presets_of(env)["Host"]["speech"]["speed"] == 1.1, "a one-off setting does not change the preset"
    cleared = run("presets", "set", "Host", "--unsay", "SQL", "--json")
    assert cleared.json()["speech"]["pronunciation"] == ["Nguyen/(wɪn)"]


def test_every_broken_speech_setting_is_named_at_once_and_nothing_changes(run, env, make_audio):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    before = presets_of(env)
    result = run("presets", "set", "Host", "--speed", "3", "--pitch", "20", "--say", "bad")
    assert result.code == 2
    assert "speed 3 is outside 0.5-2; pitch 20 must be a whole number of semitones from -12 to 12" in result.err
    assert "pronunciation 'bad' must read WORD=HOW" in result.err
    assert run("presets", "set", "Host", "--emotion", "whisper").code == 2
    assert run("presets", "set", "Host", "--unsay", "Nobody").code == 2
    assert presets_of(env) == before


def test_the_command_names_the_parser_builds_alone_are_all_its_commands():
    """A command line builds only the parser of the command it names: the list of names that can
    be built alone is the parser's own list, and a command built alone parses as when built with all."""
    from voiceclone import cli

    full = cli.build_parser()
    commands = next(a for a in full._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert tuple(commands) == cli.COMMANDS
    argv = ["speak", "--voice-id", "HostVoice01", "Hello there.", "-o", "out.wav", "--format", "mp3"]
    assert vars(cli.build_parser(argv).parse_args(argv)) == vars(full.parse_args(argv))
    alone = cli.build_parser(argv)
    built = next(a for a in alone._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert list(built) == ["speak"]


def test_a_clone_whose_upload_file_does_not_fit_the_temporary_folder_says_so_and_sends_nothing(
    run, make_audio, sandbox, small_disk, monkeypatch
):
    """A real full disk (a 256 kB tmpfs as TMPDIR): the 24-bit take is made into a 16-bit file of
    2.3 MB there, which cannot be written. The writing happens on a thread of its own: its failure
    must still come out as the disk being full, with nothing sent and no file left."""
    take = make_audio("take.wav", 12, sample_rate=48000, channels=2, subtype="PCM_24")
    monkeypatch.setattr(tempfile, "tempdir", str(small_disk))  # what TMPDIR is read into, once per process
    result = run("clone", take, "--voice-id", "HostVoice01")
    assert result.code == 6, result.err
    assert "could not write the file to upload in" in result.err and "the disk is full" in result.err
    assert "nothing was sent" in result.err and "Traceback" not in result.err
    assert sandbox.requests_seen() == [] and list(small_disk.iterdir()) == []
