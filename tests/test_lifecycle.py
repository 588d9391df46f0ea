"""Voices that last: the sample archive, activation, re-cloning, states, expiry warnings and sync."""

import hashlib
import io
import json
import re
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from helpers import FAKE_KEY, presets_of, uploads
from voiceclone.lifecycle import derive_voice_id
from voiceclone.presets import expiring_soon, parse_timestamp, state

#: MiniMax API docs, Voice Cloning - Clone (voice_id): 8 to 256 characters, a letter first, then letters,
#: digits, '-' or '_', not ending in '-' or '_'.
DOCUMENTED_VOICE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{6,254}[A-Za-z0-9]")


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO())


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
    run(
        "clone",
        make_audio("t.wav", 12),
        "--voice-id",
        "HostVoice01",
        "--name",
        "Host",
        "--text",
        "Hello.",
        "--language-boost",
        "German",
        "--noise-reduction",
    )
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


@pytest.mark.parametrize(
    "old, taken, new",
    [
        ("HostVoice01", set(), "HostVoice01-r2"),
        ("HostVoice01-r2", {"HostVoice01-r2"}, "HostVoice01-r3"),
        ("HostVoice01", {"HostVoice01-r2", "HostVoice01-r3"}, "HostVoice01-r4"),
        ("V" * 256, set(), "V" * 253 + "-r2"),
    ],
)
def test_derived_voice_ids_are_new_and_valid(old, taken, new):
    assert derive_voice_id(old, taken) == new
    assert DOCUMENTED_VOICE_ID.fullmatch(new)


# -- states, expiry warnings, sync ---------------------------------------------------------------

CREATED = parse_timestamp("2026-11-20T12:00:00Z")
TEMPORARY = {"voice_id": "HostVoice01", "created_at": "2026-11-20T12:00:00Z", "expires_at": "2026-11-27T12:00:00Z"}


@pytest.mark.parametrize(
    "after, expected",
    [
        (timedelta(0), ("temporary", timedelta(days=7))),
        (timedelta(days=6, hours=23, minutes=59, seconds=59), ("temporary", timedelta(seconds=1))),
        (timedelta(days=7), ("expired", None)),
        (timedelta(days=30), ("expired", None)),
    ],
)
def test_a_temporary_voice_expires_exactly_seven_days_after_cloning(after, expected):
    assert state(TEMPORARY, CREATED + after) == expected


@pytest.mark.parametrize(
    "extra, expected",
    [
        ({"activated_at": "2026-11-21T09:00:00Z", "expires_at": None}, "active"),
        ({"missing_since": "2026-11-22T09:00:00Z"}, "missing"),
        ({"deleted_at": "2026-11-22T09:00:00Z", "missing_since": "2026-11-22T09:00:00Z"}, "deleted"),
    ],
)
def test_activated_missing_and_deleted_voices_name_their_state(extra, expected):
    assert state({**TEMPORARY, **extra}, CREATED + timedelta(days=30)) == (expected, None)


def test_only_temporary_voices_within_24_hours_count_as_expiring_soon():
    voices = {
        "soon": TEMPORARY,
        "later": {**TEMPORARY, "expires_at": "2026-11-29T12:00:00Z"},
        "kept": {**TEMPORARY, "activated_at": "2026-11-21T09:00:00Z"},
    }
    assert expiring_soon(voices, CREATED + timedelta(days=6, hours=1)) == {"soon": timedelta(hours=23)}
    assert expiring_soon(voices, CREATED + timedelta(days=5, hours=23)) == {}


def test_commands_warn_once_about_voices_expiring_within_a_day_and_list_marks_them(run, env, make_audio):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    path = Path(env["VOICECLONE_PRESETS"])
    data = yaml.safe_load(path.read_text())
    soon = (parse_timestamp(data["voices"]["Host"]["created_at"]) + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    data["voices"]["Host"]["expires_at"] = soon
    path.write_text(yaml.safe_dump(data))
    listed = run("presets", "list")
    assert len(re.findall(r"warning: the voice of preset 'Host' expires in (4 h 59|5 h 0) min", listed.err)) == 1
    assert listed.out.splitlines()[1].startswith("! Host")
    assert "expires within 24 hours" in listed.out
    assert run("presets", "list", "--json").json()["Host"]["state"] == "temporary"


def test_sync_marks_active_and_missing_voices_and_removes_no_preset(run, env, sandbox, make_audio, tmp_path):
    run("clone", make_audio("a.wav", 12), "--voice-id", "TempVoice01", "--name", "Temp")
    run("clone", make_audio("b.wav", 14), "--voice-id", "GoneVoice01", "--name", "Gone")
    run("clone", make_audio("c.wav", 16), "--voice-id", "ElseVoice01", "--name", "Elsewhere")
    run("speak", "--preset", "Gone", "Hi.", "-o", tmp_path / "g.wav")
    other = {"VOICECLONE_PRESETS": str(tmp_path / "other.yaml")}
    run("speak", "--voice-id", "ElseVoice01", "Hi.", "-o", tmp_path / "e.wav", env_extra=other)  # another machine
    sandbox.state.voices["GoneVoice01"].deleted = True  # deleted on the account, not by this plugin
    result = run("voices", "sync", "--json")
    assert result.code == 0, result.err
    assert result.json() == {"Gone": ["active", "missing"], "Elsewhere": ["temporary", "active"]}
    voices = presets_of(env)
    assert set(voices) == {"Temp", "Gone", "Elsewhere"}
    assert "temporary" in run("presets", "list").out
    again = run("voices", "sync")
    assert "nothing changed" in again.out


# -- provenance and consent ----------------------------------------------------------------------


def test_each_preset_records_who_cloned_it_from_what_and_with_whose_consent(run, env, make_audio):
    consent_clip = make_audio("consent.wav", 4)
    result = run(
        "clone",
        make_audio("t.wav", 12),
        "--voice-id",
        "HostVoice01",
        "--name",
        "Host",
        "--watermark",
        "--operator",
        "Anna (editor)",
        "--consent",
        "Ben agreed on 2026-11-20, email on file",
        "--consent-audio",
        consent_clip,
    )
    assert result.code == 0, result.err
    stored = presets_of(env)["Host"]
    record = stored["provenance"]
    assert record["operator"] == "Anna (editor)" and stored["watermark"] is True
    assert stored["sample"]["source"].startswith("file ") and record["tool"].startswith("voiceclone ")
    assert not {"sample_sha256", "source", "watermark"} & set(record), "each fact is stored once"
    view = json.loads(run("presets", "show", "Host", "--provenance", "--json").out)
    assert view["sample_sha256"] == stored["sample"]["sha256"] and view["watermark"] is True
    assert view["source"] == stored["sample"]["source"] and view["operator"] == "Anna (editor)"
    consent = record["consent"]
    assert consent["text"] == "Ben agreed on 2026-11-20, email on file"
    assert consent["audio_sha256"] == hashlib.sha256(consent_clip.read_bytes()).hexdigest()
    assert (Path(env["VOICECLONE_PRESETS"]).parent / consent["audio"]).read_bytes() == consent_clip.read_bytes()
    shown = run("presets", "show", "Host", "--provenance")
    assert "operator: Anna (editor)" in shown.out and "Ben agreed" in shown.out and "voice_id" not in shown.out


def test_the_operator_defaults_to_the_os_user(run, env, make_audio):
    import getpass

    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01")
    assert presets_of(env)["HostVoice01"]["provenance"]["operator"] == getpass.getuser()


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_required_consent_refuses_a_clone_without_one_before_anything_is_sent(run, sandbox, make_audio, how):
    args = ["--require-consent"] if how == "flag" else []
    extra = {"VOICECLONE_REQUIRE_CONSENT": "1"} if how == "environment" else {}
    result = run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", *args, env_extra=extra)
    assert result.code == 2 and "cloning needs a consent record here" in result.err
    assert sandbox.requests_seen() == []
    assert (
        run(
            "clone",
            make_audio("t.wav", 12),
            "--voice-id",
            "HostVoice01",
            *args,
            "--consent",
            "Ben, 2026-11-20",
            env_extra=extra,
        ).code
        == 0
    )


def test_a_reclone_keeps_the_consent_of_the_original_clone(run, env, make_audio):
    run(
        "clone",
        make_audio("t.wav", 12),
        "--voice-id",
        "HostVoice01",
        "--name",
        "Host",
        "--consent",
        "Ben agreed",
        "--consent-audio",
        make_audio("c.wav", 3),
    )
    before = presets_of(env)["Host"]["provenance"]["consent"]
    assert run("reclone", "Host", "--yes").code == 0
    assert presets_of(env)["Host"]["provenance"]["consent"] == before


# -- export and import ---------------------------------------------------------------------------


def test_a_library_moves_to_another_machine_with_its_audio_and_no_key(run, env, make_audio, tmp_path):
    run(
        "clone",
        make_audio("t.wav", 12),
        "--voice-id",
        "HostVoice01",
        "--name",
        "Host",
        "--text",
        "Hi.",
        "--consent",
        "Ben agreed",
        "--consent-audio",
        make_audio("c.wav", 3),
    )
    bundle = tmp_path / "library.zip"
    assert run("presets", "export", bundle, "--with-audio").code == 0
    assert FAKE_KEY.encode() not in bundle.read_bytes()
    other = {"VOICECLONE_PRESETS": str(tmp_path / "laptop" / "presets.yaml")}
    result = run("presets", "import", bundle, env_extra=other)
    assert result.code == 0 and "added: Host" in result.out
    moved = yaml.safe_load((tmp_path / "laptop" / "presets.yaml").read_text())["voices"]["Host"]
    original = presets_of(env)["Host"]
    assert moved["voice_id"] == "HostVoice01" and moved["provenance"] == original["provenance"]
    folder = tmp_path / "laptop"
    assert (folder / moved["sample"]["archive"]).read_bytes() == (
        Path(env["VOICECLONE_PRESETS"]).parent / original["sample"]["archive"]
    ).read_bytes()
    assert Path(moved["preview"]["path"]).read_bytes() == Path(original["preview"]["path"]).read_bytes()
    assert Path(moved["preview"]["path"]).parent == folder / "previews"


def test_two_previews_with_the_same_file_name_both_move(run, env, make_audio, tmp_path):
    for voice, folder in (("HostVoice01", "a"), ("GuestVoice01", "b")):
        (tmp_path / folder).mkdir()
        assert (
            run(
                "clone",
                make_audio(f"{voice}.wav", 12),
                "--voice-id",
                voice,
                "--text",
                "Hi.",
                "--preview-out",
                tmp_path / folder / "preview.mp3",
            ).code
            == 0
        )
    bundle = tmp_path / "library.zip"
    assert run("presets", "export", bundle, "--with-audio").code == 0
    other = {"VOICECLONE_PRESETS": str(tmp_path / "laptop" / "presets.yaml")}
    assert run("presets", "import", bundle, env_extra=other).code == 0
    moved = yaml.safe_load((tmp_path / "laptop" / "presets.yaml").read_text())["voices"]
    for voice, folder in (("HostVoice01", "a"), ("GuestVoice01", "b")):
        assert Path(moved[voice]["preview"]["path"]).read_bytes() == (tmp_path / folder / "preview.mp3").read_bytes()


def test_without_audio_only_the_presets_move_and_an_import_never_replaces_a_preset(run, env, make_audio, tmp_path):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    bundle = tmp_path / "library.zip"
    run("presets", "export", bundle)
    import zipfile

    assert zipfile.ZipFile(bundle).namelist() == ["presets.yaml"]
    other = {"VOICECLONE_PRESETS": str(tmp_path / "laptop" / "presets.yaml")}
    run("clone", make_audio("u.wav", 14), "--voice-id", "OtherVoice01", "--name", "Host", env_extra=other)
    result = run("presets", "import", bundle, env_extra=other)
    assert "renamed: Host (2)" in result.out
    voices = yaml.safe_load((tmp_path / "laptop" / "presets.yaml").read_text())["voices"]
    assert voices["Host"]["voice_id"] == "OtherVoice01" and voices["Host (2)"]["voice_id"] == "HostVoice01"
    assert "already here: Host" in run("presets", "import", bundle).out


def test_a_file_that_is_not_an_export_is_refused(run, tmp_path):
    import zipfile

    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("presets.yaml", "schema: 1\nvoices: {}\n")
        archive.writestr("../../outside.txt", "x")
    result = run("presets", "import", evil)
    assert result.code == 2 and "is not a preset library export" in result.err
    assert not (tmp_path.parent / "outside.txt").exists()
    (tmp_path / "plain.txt").write_text("hello")
    assert run("presets", "import", tmp_path / "plain.txt").code == 2
