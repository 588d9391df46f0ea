"""The REAPER actions, run as REAPER runs them (tests/reaper/fake_reaper.py stands in for REAPER),
with the real background job against the sandbox and real audio files."""

import io
import json
import re
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from episode_track import clean_host_overlap, episode_track
from helpers import pending_of, presets_of, spoken_take, uploads
from voiceclone.hosts.reaper import install

CLONE = "Voice clone - Clone voice from selection.py"
SPEAK = "Voice clone - Speak text with voice preset at edit cursor.py"
PRESETS = "Voice clone - Voice presets.py"
CANCEL = "Voice clone - Cancel running voice job.py"


@pytest.fixture
def scripts(reaper, env, monkeypatch):
    """The plugin installed into the fake REAPER; background jobs see the test user's environment."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    install.install(reaper.resource_path, python=sys.executable)
    return reaper.resource_path / "Scripts" / "VoiceClone"


@pytest.fixture
def project(reaper, make_audio):
    """Track 'Host' (selected) with a 30 s take at 5 s, and a 'Music' track below it."""
    take = make_audio("host.wav", 30, 16000)
    host = reaper.add_track("Host", selected=True)
    music = reaper.add_track("Music")
    reaper.add_item(host, str(take), position=5.0, take_name="host take 3")
    reaper.add_item(music, str(make_audio("music.wav", 40, 16000, kind="tone")), position=0.0)
    reaper.set_cursor(3.0)
    return take


def dialogs_while_a_job_runs(reaper) -> list:
    """Record, for every modal dialog, whether a voice job was running when it opened."""
    running = []

    def watch(name):
        original = getattr(reaper, name)

        def call(*args):
            if reaper.RPR_GetExtState("VoiceClone", "job_running") != "":
                running.append(name)
            return original(*args)

        setattr(reaper, name, call)

    watch("RPR_GetUserInputs")
    watch("RPR_ShowMessageBox")
    return running


def answers(
    name="Host",
    voice_id="HostVoice01",
    text="Welcome back.",
    model="speech-2.8-hd",
    language="English",
    consent="Ben agreed on 2026-11-20",
    pick="no",
):
    return [name, voice_id, text, model, language, consent, pick]


def test_clone_from_a_time_selection_puts_the_preview_under_the_source_at_the_region_start(
    reaper, scripts, project, sandbox, env
):
    reaper.set_time_selection(8.0, 20.0)
    reaper.answer_inputs(values=answers())
    before = reaper.net_changes()
    reaper.run_script(scripts / CLONE, max_ticks=3000)
    reaper.assert_clean()

    assert reaper.track_names() == ["Host", "Voice clone: Host", "Music"]
    (item,) = reaper.items_on(1)
    preview = Path(item["source"])
    assert item["position"] == 8.0
    assert item["length"] == pytest.approx(sf.info(str(preview)).duration)
    assert item["peaks_built"]
    assert preview.parent == Path(reaper.RPR_GetProjectPathEx(0, "", 4096)[1])
    assert preview.name.startswith("Voice clone - Host - preview ") and preview.suffix == ".mp3"
    (served,) = [name for name in sandbox.state.audio.names() if "preview-HostVoice01" in name]
    assert preview.read_bytes().endswith(sandbox.state.audio.get(served)[1]), "the inserted audio is the preview"
    assert preview.read_bytes().startswith(b"ID3"), "marked as AI-generated in front of the untouched frames"
    assert reaper.undo_history == ["Voice clone: insert preview"]
    assert reaper.dialogs_freezing_the_loop == []
    touched = {c.kind for c in reaper.net_changes()[len(before) :]}
    assert not touched & {"item_selection", "track_selection", "edit_cursor", "time_selection"}, touched
    assert reaper.RPR_GetCursorPosition() == 3.0 and reaper.items_on(0)[0]["selected"] is False

    preset = presets_of(env)["Host"]
    assert preset["voice_id"] == "HostVoice01" and preset["language_boost"] == "English"
    assert preset["sample"]["duration_s"] == 12.0
    assert preset["sample"]["source"] == "REAPER project (unsaved), track 'Host', 8.00-20.00 s"
    assert preset["provenance"]["consent"]["text"] == "Ben agreed on 2026-11-20"


def test_the_uploaded_audio_is_what_the_track_plays_over_the_region(reaper, scripts, project, sandbox):
    reaper.set_time_selection(8.0, 20.0)
    reaper.answer_inputs(values=answers())
    reaper.run_script(scripts / CLONE, max_ticks=3000)
    (upload,) = uploads(sandbox)
    uploaded, rate = sf.read(io.BytesIO(upload.data), dtype="float32")
    source, _ = sf.read(str(project), dtype="float32")
    expected = source[3 * 16000 : 15 * 16000]  # the take starts at 5 s: 8-20 s is 3-15 s of the file
    assert rate == 16000 and len(uploaded) == len(expected)
    assert np.max(np.abs(uploaded - expected)) < 2 / 32767


def test_selected_items_are_captured_without_muted_items_and_with_their_volume(reaper, scripts, make_audio, sandbox):
    host = reaper.add_track("Host")
    first = make_audio("a.wav", 8, 16000)
    reaper.add_item(host, str(first), position=0.0, selected=True, item_vol=0.5)
    reaper.add_item(host, str(make_audio("b.wav", 8, 16000)), position=8.0, selected=True, mute=True)
    reaper.add_item(host, str(make_audio("c.wav", 8, 16000)), position=16.0, selected=True)
    reaper.answer_inputs(values=answers())
    reaper.run_script(scripts / CLONE, max_ticks=3000)
    (upload,) = uploads(sandbox)
    uploaded, _ = sf.read(io.BytesIO(upload.data), dtype="float32")
    assert len(uploaded) == 24 * 16000
    source, _ = sf.read(str(first), dtype="float32")
    np.testing.assert_allclose(uploaded[: 8 * 16000], 0.5 * source, atol=2 / 32767)
    assert np.max(np.abs(uploaded[8 * 16000 : 16 * 16000])) == 0.0, "the muted item is left out"


def test_a_selection_under_10_seconds_is_refused_before_anything_else(reaper, scripts, project, sandbox):
    reaper.set_time_selection(8.0, 17.5)
    reaper.answer_message_box(1)
    reaper.run_script(scripts / CLONE)
    (box,) = reaper.message_boxes
    assert "the selection is 9.5 s; a voice clone needs 10 s to 5 min" in box.message
    assert reaper.input_dialogs == [] and sandbox.requests_seen() == []
    assert reaper.track_names() == ["Host", "Music"]


def test_a_selection_over_5_minutes_offers_to_pick_its_best_speech(reaper, scripts, make_audio):
    track = reaper.add_track("Host", selected=True)
    reaper.add_item(track, str(make_audio("long.wav", 400, 8000, kind="tone")), position=0.0)
    reaper.set_time_selection(0.0, 390.0)
    reaper.answer_inputs(ok=False)
    reaper.run_script(scripts / CLONE)
    (dialog,) = reaper.input_dialogs
    assert (
        dialog.title == "Clone voice from selection (6:30 selected: pick its best speech, or the first 5:00 are used)"
    )
    assert dialog.defaults[-1] == "yes", "picking is the default for a long selection"


def test_nothing_selected_says_what_to_select(reaper, scripts, project):
    reaper.answer_message_box(1)
    reaper.run_script(scripts / CLONE)
    assert "nothing is selected" in reaper.message_boxes[0].message


def test_a_midi_take_is_refused_with_what_to_do(reaper, scripts, make_audio):
    track = reaper.add_track("Keys", selected=True)
    reaper.add_item(track, None, position=0.0, length=20.0, source_type="MIDI", selected=True)
    reaper.answer_message_box(1)
    reaper.run_script(scripts / CLONE)
    assert "is MIDI, not audio" in reaper.message_boxes[0].message


def test_the_dialog_suggests_a_valid_voice_id_and_remembers_text_model_and_language(reaper, scripts, project):
    reaper.set_time_selection(8.0, 20.0)
    reaper.answer_inputs(values=answers(text="Hi there.", model="speech-2.6-hd", language="German"))
    reaper.run_script(scripts / CLONE, max_ticks=3000)
    first = reaper.input_dialogs[0].defaults
    assert first[0] == "host take 3" and first[1].startswith("host_take_3_")
    reaper.answer_inputs(ok=False)
    reaper.run_script(scripts / CLONE)
    assert reaper.input_dialogs[1].defaults[2:5] == ["Hi there.", "speech-2.6-hd", "German"]
    assert reaper.input_dialogs[1].defaults[5] == "", "consent is asked afresh for every voice"


def test_cancelling_the_dialog_does_nothing(reaper, scripts, project, sandbox):
    reaper.set_time_selection(8.0, 20.0)
    reaper.answer_inputs(ok=False)
    reaper.run_script(scripts / CLONE)
    assert sandbox.requests_seen() == [] and reaper.track_names() == ["Host", "Music"]
    assert reaper.undo_history == []


@pytest.mark.parametrize("cancel_tick", [1, 30], ids=["while-the-job-starts", "while-it-uploads"])
def test_cancel_ends_the_job_and_leaves_the_project_as_it_was(reaper, scripts, project, sandbox, env, cancel_tick):
    sandbox.add_fault("slow", path="/v1/voice_clone", seconds=5)
    reaper.set_time_selection(8.0, 20.0)
    reaper.answer_inputs(values=answers())

    def press_cancel(fake, tick):
        """The user runs the Cancel action (its own script, its own globals) while the job runs."""
        time.sleep(1 / 30)
        if tick == cancel_tick:
            exec(compile((scripts / CANCEL).read_bytes(), str(scripts / CANCEL), "exec"), fake.main_globals())

    reaper.run_script(scripts / CLONE, max_ticks=3000, tick_hook=press_cancel)
    assert reaper.track_names() == ["Host", "Music"]
    assert reaper.undo_history == []
    assert presets_of(env) == {}
    if pending_of(env):  # cancelled while MiniMax worked: the voice may exist, and the console says so
        assert "it may have made voice 'HostVoice01'" in reaper.console
        assert "kept as unconfirmed preset 'Host'" in reaper.console
    else:
        assert re.search(
            r"cancelled(;| before the clone was sent;) nothing was (inserted or saved|saved)", reaper.console
        )
    assert reaper.RPR_GetExtState("VoiceClone", "job_running") == ""
    assert reaper.message_boxes == [], "a cancel is reported in the console, not in a dialog"


def test_speak_inserts_the_speech_at_the_edit_cursor_on_the_voices_track(reaper, scripts, project, run, make_audio):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    reaper.set_cursor(12.5)
    reaper.answer_inputs(values=["Host", "Thanks for listening (laughs)."])
    reaper.answer_message_box(6)  # yes to "this first speech makes the voice permanent and charges the fee"
    frozen = dialogs_while_a_job_runs(reaper)
    reaper.run_script(scripts / SPEAK, max_ticks=3000)
    reaper.assert_clean()
    assert reaper.track_names() == ["Host", "Voice clone: Host", "Music"]
    (item,) = reaper.items_on(1)
    assert item["position"] == 12.5
    assert sf.info(item["source"]).format == "WAV"
    assert reaper.undo_history == ["Voice clone: insert speech"]
    assert frozen == [], "the preset dialog opens after the presets were read, never during a job"


def test_a_second_line_goes_onto_the_same_voice_track(reaper, scripts, project, run, make_audio):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    for cursor, text in ((2.0, "First line."), (9.0, "Second line.")):
        reaper.set_cursor(cursor)
        reaper.answer_inputs(values=["Host", text])
        if cursor == 2.0:
            reaper.answer_message_box(6)  # the cost is asked once: before the first speech
        reaper.run_script(scripts / SPEAK, max_ticks=3000)
    assert len(reaper.message_boxes) == 1
    assert reaper.track_names() == ["Host", "Voice clone: Host", "Music"]
    assert [item["position"] for item in reaper.items_on(1)] == [2.0, 9.0]
    first, second = (Path(item["source"]) for item in reaper.items_on(1))
    assert first != second and first.exists() and second.exists(), "each line keeps its own media file"
    assert reaper.undo_history == ["Voice clone: insert speech"] * 2


def test_voice_presets_lists_time_left_and_removes_a_preset(reaper, scripts, project, run, make_audio, env):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    reaper.answer_inputs(values=["Host", "remove"])
    reaper.run_script(scripts / PRESETS, max_ticks=3000)
    assert "Host: HostVoice01, temporary, " in reaper.console
    assert presets_of(env) == {}


@pytest.mark.parametrize(
    "action, check",
    [
        (
            "activate",
            lambda sandbox, env: (
                sandbox.state.voices["HostVoice01"].activated and presets_of(env)["Host"]["expires_at"] is None
            ),
        ),
        (
            "re-clone",
            lambda sandbox, env: (
                presets_of(env)["Host"]["voice_id"] == "HostVoice01-r2" and "HostVoice01-r2" in sandbox.state.voices
            ),
        ),
    ],
)
def test_voice_presets_activates_or_reclones_after_asking(
    reaper, scripts, project, run, make_audio, env, sandbox, action, check
):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    reaper.answer_inputs(values=["Host", action])
    reaper.answer_message_box(6)
    reaper.run_script(scripts / PRESETS, max_ticks=3000)
    reaper.assert_clean()
    assert "charges" in reaper.message_boxes[0].message
    assert check(sandbox, env)


def test_saying_no_to_the_cost_question_spends_nothing(reaper, scripts, project, run, make_audio, sandbox):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    calls = len(sandbox.requests_seen())
    reaper.answer_inputs(values=["Host", "activate"])
    reaper.answer_message_box(7)
    reaper.run_script(scripts / PRESETS, max_ticks=3000)
    assert len(sandbox.requests_seen()) == calls


def test_an_action_without_the_install_config_says_how_to_set_it_up(reaper, scripts, project):
    (reaper.resource_path / install.CONFIG).unlink()
    reaper.set_time_selection(8.0, 20.0)
    reaper.answer_message_box(1)
    reaper.run_script(scripts / CLONE)
    assert "run `voiceclone reaper install`" in reaper.message_boxes[0].message


def test_an_action_whose_python_was_removed_says_to_reinstall(reaper, scripts, project, tmp_path):
    config = reaper.resource_path / install.CONFIG
    settings = json.loads(config.read_text())
    config.write_text(json.dumps({**settings, "python": str(tmp_path / "gone" / "python3")}))
    reaper.set_time_selection(8.0, 20.0)
    reaper.answer_inputs(values=answers())
    reaper.answer_message_box(1)
    reaper.run_script(scripts / CLONE)
    assert "no longer exists" in reaper.message_boxes[0].message
    assert "`voiceclone reaper install`" in reaper.message_boxes[0].message
    assert reaper.track_names() == ["Host", "Music"]


def test_the_job_runs_in_the_background_across_many_defer_ticks(reaper, scripts, project, sandbox):
    sandbox.add_fault("slow", path="/v1/voice_clone", seconds=2)
    reaper.set_time_selection(8.0, 20.0)
    reaper.answer_inputs(values=answers())
    reaper.run_script(scripts / CLONE, max_ticks=3000)
    assert len(reaper.tick_times) > 40, "the job ran across many ticks"
    assert reaper.track_names()[1] == "Voice clone: Host"


# --- what a REAPER user sees through the real bridge (tests/reaper/fake_reaper.py's pointer check) ---


def source_length(reaper, item: dict) -> float:
    """What REAPER itself says the take plays: its source's length, read through the bridge."""
    take = reaper.RPR_GetActiveTake(item["handle"])
    return reaper.RPR_GetMediaSourceLength(reaper.RPR_GetMediaItemTake_Source(take), False)[0]


def test_the_preview_track_sits_directly_below_the_source_even_when_tracks_move_meanwhile(
    reaper, scripts, make_audio, sandbox
):
    reaper.add_track("Intro")
    host = reaper.add_track("Host", selected=True)
    reaper.add_track("Music")
    reaper.add_item(host, str(make_audio("host.wav", 30, 16000)), position=5.0)
    reaper.set_time_selection(8.0, 20.0)
    reaper.answer_inputs(values=answers())

    def add_a_track_above(fake, tick):
        time.sleep(1 / 30)
        if tick == 3:
            fake.RPR_InsertTrackAtIndex(0, True)  # the user adds a track at the top while the job runs

    reaper.run_script(scripts / CLONE, max_ticks=3000, tick_hook=add_a_track_above)
    reaper.assert_clean()
    assert reaper.track_names() == ["", "Intro", "Host", "Voice clone: Host", "Music"]
    (item,) = reaper.items_on(3)
    assert item["source"] and source_length(reaper, item) == pytest.approx(sf.info(item["source"]).duration)
    assert item["length"] == pytest.approx(sf.info(item["source"]).duration) and item["position"] == 8.0


def test_a_result_goes_into_the_tab_the_job_started_in_while_the_user_works_in_another(
    reaper, scripts, project, sandbox, tmp_path
):
    job_tab = reaper.RPR_EnumProjects(-1, "", 4096)[0]
    reaper.set_time_selection(8.0, 20.0)
    reaper.answer_inputs(values=answers())
    other = []

    def open_another_tab(fake, tick):
        time.sleep(1 / 30)
        if tick == 2:
            other.append(fake.open_project(tmp_path / "other"))
            fake.add_track("Guest", selected=True)

    reaper.run_script(scripts / CLONE, max_ticks=3000, tick_hook=open_another_tab)
    reaper.assert_clean()
    assert reaper.RPR_EnumProjects(-1, "", 4096)[0] == other[0], "the user's tab stays in front"
    assert reaper.track_names() == ["Guest"] and reaper.undo_history == []
    assert reaper.track_names(job_tab) == ["Host", "Voice clone: Host", "Music"]
    assert reaper.undo_points(job_tab) == ["Voice clone: insert preview"]
    (item,) = reaper.items_on(1, job_tab)
    assert item["position"] == 8.0 and Path(item["source"]).is_file()


def test_a_job_whose_tab_was_closed_keeps_the_preview_and_the_preset_and_says_where(
    reaper, scripts, project, sandbox, tmp_path, env
):
    job_tab = reaper.RPR_EnumProjects(-1, "", 4096)[0]
    reaper.set_time_selection(8.0, 20.0)
    reaper.answer_inputs(values=answers())
    reaper.answer_message_box(1)

    def close_the_tab(fake, tick):
        time.sleep(1 / 30)
        if tick == 2:
            fake.open_project(tmp_path / "other")
            fake.close_project(job_tab)

    reaper.run_script(scripts / CLONE, max_ticks=3000, tick_hook=close_the_tab)
    reaper.assert_clean()
    (box,) = reaper.message_boxes
    assert "the project (unsaved) this job started in is no longer open" in box.message
    kept = Path(re.search(r"The audio is kept as (.+?\.mp3)", box.message).group(1))
    assert kept.is_file() and presets_of(env)["Host"]["voice_id"] == "HostVoice01"
    assert reaper.track_names() == []


def test_an_error_in_a_tick_ends_the_job_cleanly_and_says_so(reaper, scripts, project, sandbox, monkeypatch):
    from voiceclone.events_file import EventsFileReader

    calls = []
    original = EventsFileReader.poll

    def poll(self):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("events file vanished")
        return original(self)

    monkeypatch.setattr(EventsFileReader, "poll", poll)
    sandbox.add_fault("slow", path="/v1/voice_clone", seconds=3)
    reaper.set_time_selection(8.0, 20.0)
    reaper.answer_inputs(values=answers())
    reaper.answer_message_box(1)
    namespace = reaper.run_script(scripts / CLONE, max_ticks=3000)
    reaper.assert_clean()
    assert "internal error: unexpected RuntimeError: events file vanished" in reaper.message_boxes[0].message
    assert reaper.RPR_GetExtState("VoiceClone", "job_running") == ""
    child = namespace["_voiceclone_tick"].__self__.child
    assert child.poll() is not None, "the background job was stopped"


def test_cancel_clears_a_running_mark_no_live_job_keeps_fresh(reaper, scripts, project):
    reaper.RPR_SetExtState("VoiceClone", "job_running", "1", False)  # left by a script REAPER ended
    reaper.RPR_SetExtState("VoiceClone", "job_heartbeat", repr(time.time() - 120), False)
    reaper.run_script(scripts / CANCEL)
    assert "cleared a stale 'job running' mark" in reaper.console
    assert reaper.RPR_GetExtState("VoiceClone", "job_running") == ""
    reaper.run_script(scripts / CANCEL)
    assert reaper.console.endswith("Voice clone: no voice job is running.\n")


def test_a_live_job_is_not_taken_for_a_stale_one(reaper, scripts, project, sandbox, monkeypatch):
    from voiceclone.hosts.reaper import runner

    monkeypatch.setattr(runner, "STALE_AFTER_S", 0.5)
    monkeypatch.setattr(runner, "BEAT_S", 0.1)
    sandbox.add_fault("slow", path="/v1/voice_clone", seconds=5)
    reaper.set_time_selection(8.0, 20.0)
    reaper.answer_inputs(values=answers())

    def try_a_second_clone(fake, tick):
        time.sleep(1 / 30)
        if tick == 60:  # 2 s in: four times the stale limit, so only a fresh heartbeat keeps it live
            exec(compile((scripts / CLONE).read_bytes(), str(scripts / CLONE), "exec"), fake.main_globals())
            exec(compile((scripts / CANCEL).read_bytes(), str(scripts / CANCEL), "exec"), fake.main_globals())

    reaper.run_script(scripts / CLONE, max_ticks=3000, tick_hook=try_a_second_clone)
    assert "a voice job is already running" in reaper.console
    assert "Voice clone: cancelled" in reaper.console, "the Cancel reached the live job"


def test_the_speech_dialog_holds_the_longest_text_the_api_takes(reaper, scripts, project, run, make_audio):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    text = ("Straße über Bäume. " * 600)[:9999]
    reaper.answer_inputs(values=["Host", text])
    reaper.answer_message_box(6)
    reaper.run_script(scripts / SPEAK, max_ticks=3000)
    reaper.assert_clean()
    assert "spoke 9999 characters with 'Host'" in reaper.console
    assert len(reaper.items_on(1)) == 1


def test_an_action_imports_the_plugin_from_its_folder_and_leaves_reapers_sys_path_as_it_was(
    reaper, scripts, project, run, make_audio, env, tmp_path
):
    import shutil

    import voiceclone
    from voiceclone import version

    site = tmp_path / "site"
    shutil.copytree(Path(voiceclone.__file__).parent, site / "voiceclone")
    shutil.copyfile(version.MANIFEST_PATH, site / "voiceclone" / "manifest.yaml")  # as the build ships it
    config = reaper.resource_path / install.CONFIG
    config.write_text(json.dumps({**json.loads(config.read_text()), "package_path": str(site)}))
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    reaper.python_path = [p for p in reaper.python_path if not (Path(p) / "voiceclone").is_dir()]
    before = list(reaper.python_path)
    ours = {name: module for name, module in sys.modules.items() if name.split(".")[0] == "voiceclone"}
    for name in ours:
        del sys.modules[name]
    try:
        reaper.answer_inputs(values=["Host", "remove"])
        reaper.run_script(scripts / PRESETS, max_ticks=3000)
        loaded_from = Path(sys.modules["voiceclone"].__file__)
    finally:
        for name in [n for n in sys.modules if n.split(".")[0] == "voiceclone"]:
            del sys.modules[name]
        sys.modules.update(ours)
    reaper.assert_clean()
    assert loaded_from == site / "voiceclone" / "__init__.py"
    assert "Host: HostVoice01, temporary, " in reaper.console and presets_of(env) == {}
    assert reaper.python_path == before


def test_a_voiceclone_already_loaded_from_elsewhere_is_named_in_the_message(reaper, scripts, project, tmp_path):
    config = reaper.resource_path / install.CONFIG
    config.write_text(json.dumps({**json.loads(config.read_text()), "package_path": str(tmp_path / "site")}))
    before = list(reaper.python_path)
    reaper.answer_message_box(1)
    reaper.run_script(scripts / CLONE)
    assert "voiceclone was already loaded from" in reaper.message_boxes[0].message
    assert "restart REAPER" in reaper.message_boxes[0].message
    assert reaper.python_path == before


def test_the_background_job_finds_the_package_in_a_python_that_does_not_have_it(
    reaper, scripts, project, run, make_audio, env
):
    import subprocess

    base = getattr(sys, "_base_executable", "")
    probe = subprocess.run([base, "-c", "import voiceclone"], capture_output=True, env={}) if base else None
    if probe is None or probe.returncode == 0:
        pytest.skip(f"no Python without the plugin to try ({base or 'no base interpreter'})")
    import yaml

    if not Path(yaml.__file__).resolve().is_relative_to(install.PACKAGE_PATH):
        pytest.skip(f"the plugin is installed in editable mode: {install.PACKAGE_PATH} does not hold its dependencies")
    config = reaper.resource_path / install.CONFIG
    config.write_text(json.dumps({**json.loads(config.read_text()), "python": base}))
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    reaper.answer_inputs(values=["Host", "remove"])
    reaper.run_script(scripts / PRESETS, max_ticks=3000)
    reaper.assert_clean()
    assert "Host: HostVoice01, temporary, " in reaper.console and presets_of(env) == {}


def test_a_failed_insert_leaves_no_empty_track_keeps_the_file_and_the_preset(reaper, scripts, project, sandbox, env):
    reaper.RPR_InsertMedia = lambda path, mode: 0  # REAPER could not open the file it was given
    reaper.set_time_selection(8.0, 20.0)
    reaper.answer_inputs(values=answers())
    reaper.answer_message_box(1)
    reaper.run_script(scripts / CLONE, max_ticks=3000)
    reaper.assert_clean()
    (box,) = reaper.message_boxes
    assert "REAPER did not insert Voice clone - Host - preview" in box.message
    assert Path(re.search(r"The audio is kept as (.+?\.mp3)", box.message).group(1)).is_file()
    assert reaper.track_names() == ["Host", "Music"] and reaper.RPR_GetCursorPosition() == 3.0
    assert presets_of(env)["Host"]["voice_id"] == "HostVoice01"


def test_speech_lands_in_its_jobs_tab_with_its_file_in_that_projects_media_folder(
    reaper, scripts, project, run, make_audio, tmp_path
):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    job_tab = reaper.RPR_EnumProjects(-1, "", 4096)[0]
    media = Path(reaper.RPR_GetProjectPathEx(0, "", 4096)[1])
    reaper.set_cursor(12.5)
    reaper.answer_inputs(values=["Host", "Thanks for listening."])
    reaper.answer_message_box(6)

    def switch_tabs_while_the_presets_are_read(fake, tick):
        time.sleep(1 / 30)
        if tick == 0:
            assert fake.input_dialogs == []
            fake.open_project(tmp_path / "other")

    reaper.run_script(scripts / SPEAK, max_ticks=3000, tick_hook=switch_tabs_while_the_presets_are_read)
    reaper.assert_clean()
    assert len(reaper.projects) == 2 and reaper.track_names() == []
    (item,) = reaper.items_on(1, job_tab)
    assert item["position"] == 12.5 and Path(item["source"]).parent == media


def test_a_tab_saved_under_a_new_name_meanwhile_still_gets_its_result(reaper, scripts, project, sandbox, tmp_path):
    reaper.set_time_selection(8.0, 20.0)
    reaper.answer_inputs(values=answers())

    def save_as(fake, tick):
        time.sleep(1 / 30)
        if tick == 2:
            fake.project.file_name = str(tmp_path / "episode 12.rpp")
            fake.open_project(tmp_path / "other")

    reaper.run_script(scripts / CLONE, max_ticks=3000, tick_hook=save_as)
    reaper.assert_clean()
    assert reaper.track_names(reaper.projects[0].handle) == ["Host", "Voice clone: Host", "Music"]


def test_the_first_speech_of_a_temporary_voice_asks_about_its_cost_and_no_spends_nothing(
    reaper, scripts, project, run, make_audio, sandbox
):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    calls = len(sandbox.requests_seen())
    reaper.answer_inputs(values=["Host", "Thanks for listening."])
    reaper.answer_message_box(7)
    reaper.run_script(scripts / SPEAK, max_ticks=3000)
    reaper.assert_clean()
    (box,) = reaper.message_boxes
    assert box.box_type == 4 and "makes the voice permanent now and charges the clone fee" in box.message
    assert len(sandbox.requests_seen()) == calls and reaper.track_names() == ["Host", "Music"]


def test_recloning_an_active_voice_from_the_presets_action_says_it_was_paid_for(
    reaper, scripts, project, run, make_audio, tmp_path
):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    run("speak", "--preset", "Host", "Hi.", "-o", tmp_path / "line.wav")
    reaper.answer_inputs(values=["Host", "re-clone"])
    reaper.answer_message_box(7)
    reaper.run_script(scripts / PRESETS, max_ticks=3000)
    assert "holds an active voice, already paid for" in reaper.message_boxes[0].message


def test_the_presets_dialogs_name_a_voice_that_may_exist_but_is_unconfirmed(
    reaper, scripts, project, run, make_audio, sandbox, env
):
    take = make_audio("t.wav", 12)
    run("clone", take, "--voice-id", "HostVoice01", "--name", "Host")
    sandbox.add_fault("drop", path="/v1/voice_clone", times=4)
    assert run("clone", make_audio("g.wav", 13), "--voice-id", "GuestVoice01", "--name", "Guest").code == 4
    reaper.answer_inputs(ok=False)
    reaper.run_script(scripts / PRESETS, max_ticks=3000)
    assert "warning: voice 'GuestVoice01' (preset 'Guest') may exist on MiniMax but is not confirmed" in reaper.console


def test_a_warning_is_said_in_the_console_before_the_upload_and_only_once(reaper, scripts, project, sandbox):
    reaper.set_time_selection(8.0, 20.0)
    reaper.answer_inputs(values=answers())
    reaper.run_script(scripts / CLONE, max_ticks=3000)
    reaper.assert_clean()
    said = "warning: only 9.7 s of the sample has sound above the noise"
    assert reaper.console.count(said) == 1, reaper.console
    assert reaper.console.index(said) < reaper.console.index("Uploading"), reaper.console


def test_interjection_tags_the_preview_model_cannot_perform_are_removed_and_said(reaper, scripts, project, env):
    reaper.set_time_selection(8.0, 20.0)
    reaper.answer_inputs(values=answers(text="(laughs) Welcome back.", model="speech-02-hd"))
    reaper.run_script(scripts / CLONE, max_ticks=3000)
    reaper.assert_clean()
    assert "note: removed 1 interjection tag(s) such as (laughs)" in reaper.console
    assert presets_of(env)["Host"]["preview"]["text"] == "Welcome back."


def test_what_runs_inside_reaper_imports_only_the_standard_library():
    """REAPER's embedded Python has none of the plugin's dependencies: the actions and every module
    they load must import with all of them missing."""
    code = """
import importlib.abc, sys
BLOCKED = {"numpy", "soundfile", "soxr", "av", "yaml", "requests", "urllib3", "platformdirs", "tqdm",
           "pyaudio", "scipy", "webrtcvad", "_webrtcvad", "pyloudnorm"}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not in REAPER's Python")
sys.meta_path.insert(0, Block())
import voiceclone.hosts.reaper.actions, voiceclone.hosts.reaper.install
print(sorted(m for m in sys.modules if m.startswith("voiceclone")))
"""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    loaded = eval(done.stdout)
    assert "voiceclone.hosts.flows" in loaded and "voiceclone.hosts.reaper.host" in loaded


def test_voice_presets_sets_how_a_voice_speaks_and_every_speech_sends_it(
    reaper, scripts, project, run, make_audio, env, sandbox, tmp_path
):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    reaper.answer_inputs(values=["Host", "speech"])
    reaper.answer_inputs(values=["1.2", "", "-2", "calm", "Nguyen=(wɪn); SQL=sequel"])
    reaper.run_script(scripts / PRESETS, max_ticks=3000)
    reaper.assert_clean()
    assert reaper.input_dialogs[1].title == "How 'Host' speaks (empty: MiniMax's default)"
    assert presets_of(env)["Host"]["speech"] == {
        "speed": 1.2,
        "pitch": -2,
        "emotion": "calm",
        "pronunciation": ["Nguyen/(wɪn)", "SQL/sequel"],
    }
    assert run("speak", "--preset", "Host", "Nguyen knows SQL.", "-o", tmp_path / "s.wav").code == 0
    assert sandbox.state.spoken[-1] == {
        "voice_id": "HostVoice01",
        "text": "(wɪn) knows sequel.",
        "speed": 1.2,
        "pitch": -2,
        "emotion": "calm",
    }


PATCH = "Voice clone - Patch selected phrase.py"


@pytest.mark.parametrize("becomes_active", [True, False], ids=["insert-activates", "insert-leaves-active"])
def test_patch_adds_the_patched_item_as_a_new_active_take_in_one_undo_point(
    reaper, scripts, project, run, make_audio, env, becomes_active
):
    """The phrase's item gets a take of the patched item: REAPER's take switching flips between the
    original and the patch; the original take is untouched; the track remembers its voice."""
    reaper.insert_take_becomes_active = becomes_active
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    reaper.set_time_selection(12.0, 13.6)
    reaper.answer_inputs(values=["I said the right word.", "Host", "1"])
    reaper.answer_message_box(6)  # yes to "this first speech makes the voice permanent and charges the fee"
    before = reaper.net_changes()
    reaper.run_script(scripts / PATCH, max_ticks=3000)
    reaper.assert_clean()
    (item,) = reaper.items_on(0)
    assert item["takes"] == 2 and item["take_name"] == "Voice clone patch: Host", "the patch is the active take"
    assert reaper.undo_history == ["Voice clone: patch"]
    touched = {c.kind for c in reaper.net_changes()[len(before) :]}
    assert not touched & {"item_selection", "track_selection", "edit_cursor", "time_selection"}, touched
    patched, rate = sf.read(item["source"], dtype="float32")
    original, _ = sf.read(str(project), dtype="float32")
    assert len(patched) == len(original) == int(item["length"] * rate)
    edge = int(0.03 * rate)
    first, last = int((12.0 - 5.0) * rate) - edge, int((13.6 - 5.0) * rate) + edge
    assert np.allclose(patched[:first], original[:first], atol=1 / 32768)
    assert np.allclose(patched[last:], original[last:], atol=1 / 32768)
    assert not np.allclose(patched[first:last], original[first:last], atol=1e-3)
    host = reaper.RPR_GetTrack(0, 0)
    assert reaper.RPR_GetSetMediaTrackInfo_String(host, "P_EXT:voiceclone_preset", "", False)[3] == "Host"


def test_a_patch_outside_one_item_says_what_to_select(reaper, scripts, project, run, make_audio, sandbox):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    reaper.set_time_selection(3.0, 6.0)  # starts before the take's item
    reaper.answer_message_box(1)
    reaper.run_script(scripts / PATCH, max_ticks=300)
    assert "the selected phrase does not lie within one audible item" in reaper.message_boxes[0].message
    assert reaper.input_dialogs == [] and reaper.items_on(0)[0]["takes"] == 1


def test_patch_variants_are_more_takes_of_the_item_in_the_same_undo_point(
    reaper, scripts, project, run, make_audio, sandbox
):
    """Three takes of the line land as three takes of the one item, the first one playing: the
    editor picks by ear with REAPER's take switching, and one undo takes them all back."""
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    reaper.set_time_selection(12.0, 13.6)
    reaper.answer_inputs(values=["I said the right word.", "Host", "3"])
    reaper.answer_message_box(6)
    reaper.run_script(scripts / PATCH, max_ticks=6000)
    reaper.assert_clean()
    (item,) = reaper.items_on(0)
    assert item["take_names"][1:] == [
        "Voice clone patch: Host",
        "Voice clone patch: Host (calm)",
        "Voice clone patch: Host (happy)",
    ]
    assert item["take_name"] == "Voice clone patch: Host", "the model's own take plays"
    assert reaper.undo_history == ["Voice clone: patch"]
    assert [spoken.get("emotion") for spoken in sandbox.state.spoken[-3:]] == [None, "calm", "happy"]


def test_the_patch_dialog_asks_before_a_temporary_voices_first_speech_and_no_spends_nothing(
    reaper, scripts, project, run, make_audio, sandbox
):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    calls = len(sandbox.requests_seen())
    reaper.set_time_selection(12.0, 13.6)
    reaper.answer_inputs(values=["I said the right word.", "Host", "1"])
    reaper.answer_message_box(7)
    reaper.run_script(scripts / PATCH, max_ticks=3000)
    (question,) = reaper.message_boxes
    assert "first speech of voice 'HostVoice01'" in question.message and "charges the clone fee" in question.message
    assert len(sandbox.requests_seen()) == calls and sandbox.state.spoken == []
    assert reaper.items_on(0)[0]["takes"] == 1 and reaper.undo_history == []


@pytest.mark.parametrize(
    "answers, said",
    [
        (["I said it.", "Guest", "1"], "there is no preset named 'Guest'"),
        (["I said it.", "", "1"], "no voice preset was given"),
        (["I said it.", "Host", "9"], "9 takes of the line is not 1-5"),
        (["I said it.", "Host", "three"], "three takes of the line is not 1-5"),
        (["", "Host", "1"], "text is empty"),
    ],
)
def test_a_wrong_patch_answer_is_said_before_anything_is_sent(
    reaper, scripts, project, run, make_audio, sandbox, answers, said
):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    calls = len(sandbox.requests_seen())
    reaper.set_time_selection(12.0, 13.6)
    reaper.answer_inputs(values=answers)
    reaper.answer_message_box(1)
    reaper.run_script(scripts / PATCH, max_ticks=3000)
    assert said in reaper.message_boxes[-1].message
    assert len(sandbox.requests_seen()) == calls and reaper.items_on(0)[0]["takes"] == 1


def test_a_patch_from_the_edit_cursor_runs_to_the_pause_that_ends_the_phrase(
    reaper, scripts, run, make_audio, tmp_path
):
    """No time selection: the cursor at the flubbed sentence's start is the phrase's start, and the
    patch ends at the sentence's own pause; the rest of the item's audio is the original's."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (tests/run installs it)")
    take = spoken_take(tmp_path / "speaker.wav")
    track = reaper.add_track("Speaker", selected=True)
    reaper.add_item(track, str(take), position=2.0, take_name="speaker take 1")
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    reaper.set_cursor(2.0 + 3.95)  # "I said the wrong word right here by mistake." starts here
    reaper.answer_inputs(values=["I said the right word here.", "Host", "1"])
    reaper.answer_message_box(6)
    reaper.run_script(scripts / PATCH, max_ticks=3000)
    reaper.assert_clean()
    (item,) = reaper.items_on(0)
    assert item["take_name"] == "Voice clone patch: Host" and reaper.undo_history == ["Voice clone: patch"]
    patched, rate = sf.read(item["source"], dtype="float32")
    original, _ = sf.read(str(take), dtype="float32")
    changed = np.flatnonzero(np.abs(patched - original) > 1 / 32768)
    assert 3.9 < changed[0] / rate < 4.0 and 5.9 < changed[-1] / rate < 6.5, (changed[0] / rate, changed[-1] / rate)


SCRIPT = "Voice clone - Speak script from regions.py"


def _script_project(reaper, run, make_audio, tmp_path):
    for name, voice_id in (("Host", "HostVoice01"), ("Guest", "GuestVoice01")):
        assert run("clone", make_audio(f"{name}.wav", 12), "--voice-id", voice_id, "--name", name).code == 0
        assert run("activate", name, "--yes").code == 0
    reaper.add_track("Host", selected=True)
    reaper.add_marker(2.0, "[Host] Welcome back. Today we talk about rooms.", region_end=6.0)
    reaper.add_marker(8.0, "[Guest] Thanks for having me!")
    reaper.add_marker(12.0, "And that is the show.", region_end=15.0)
    reaper.add_marker(20.0, "")  # an unnamed marker is not a line
    for number in range(7):  # ten lines in all
        at = 30.0 + 8 * number
        reaper.add_marker(
            at, f"[{'Guest' if number % 2 else 'Host'}] Line {number + 4} of the script.", region_end=at + 5
        )


@pytest.mark.parametrize(
    "region_api, pointers",
    [(True, True), (True, False), (False, False)],
    ids=["object-api", "object-api-pointer-refused", "saved-project-file"],
)
def test_regions_and_markers_are_spoken_at_their_starts_on_one_track_per_speaker(
    reaper, scripts, run, make_audio, tmp_path, sandbox, region_api, pointers
):
    """The regions' names are the lines; each lands at its start on its speaker's track, its
    sentences as take markers, all one undo point. Without REAPER's object API, or with its marker
    handles turned to NULL by the bridge's pointer check, the names come from the saved project file."""
    reaper.region_api, reaper.marker_pointers_valid = region_api, pointers
    _script_project(reaper, run, make_audio, tmp_path)
    reaper.save_project(tmp_path / "episode.rpp")
    reaper.answer_inputs(values=["Host", "yes"])
    reaper.run_script(scripts / SCRIPT, max_ticks=6000)
    reaper.assert_clean()
    # each speaker's track is made directly below the selected track, in the order the lines are placed
    assert reaper.track_names() == ["Host", "Voice clone: Guest", "Voice clone: Host"]
    host = reaper.track_names().index("Voice clone: Host")
    guest = reaper.track_names().index("Voice clone: Guest")
    host_places = [2.0, 12.0] + [30.0 + 8 * n for n in range(0, 7, 2)]
    guest_places = [8.0] + [30.0 + 8 * n for n in range(1, 7, 2)]
    assert [item["position"] for item in reaper.items_on(host)] == host_places
    assert [item["position"] for item in reaper.items_on(guest)] == guest_places
    assert reaper.undo_history == ["Voice clone: speak script"]
    first = reaper.project.tracks[host].items[0].takes[0]
    assert [name for _, name in first.markers] == ["Welcome back.", "Today we talk about rooms."]
    said = ["Welcome back. Today we talk about rooms.", "Thanks for having me!", "And that is the show."]
    said += [f"Line {n + 4} of the script." for n in range(7)]
    assert sorted(entry["text"] for entry in sandbox.state.spoken[-10:]) == sorted(said)
    journal = Path(reaper.project.media_path) / "Voice clone script" / "voiceclone-journal.jsonl"
    assert len(journal.read_text().splitlines()) == 10
    assert "; 1 of 10, about" in reaper.console and "; 10 of 10, about 0:00 left" in reaper.console, "line by line"
    assert "Voice clone: 10 lines spoken, 0 already spoken, 0 failed." in reaper.console

    before = len(sandbox.state.spoken)
    reaper.save_project(tmp_path / "episode.rpp")
    reaper.answer_inputs(values=["Host", "yes"])
    reaper.run_script(scripts / SCRIPT, max_ticks=6000)
    assert len(sandbox.state.spoken) == before, "a rerun pays for nothing"
    assert [item["position"] for item in reaper.items_on(host)] == host_places, "and adds nothing twice"


def test_the_bridge_never_returns_a_markers_name(reaper):
    """reaper_python.py: EnumProjectMarkers3 packs nameOut with rpr_packp('char**', ...) (NULL for
    a Python string) and returns the argument as given, so the name is whatever was passed in."""
    reaper.add_marker(1.0, "Real name", region_end=2.0)
    found = reaper.RPR_EnumProjectMarkers3(0, 0, False, 0.0, 0.0, "what I passed", 0, 0)
    assert found[6] == "what I passed" and found[3] == 1 and found[4] == 1.0 and found[5] == 2.0


@pytest.mark.parametrize("saved", [False, True], ids=["never-saved", "unsaved-changes"])
def test_without_the_object_api_an_unsaved_project_is_asked_to_be_saved(
    reaper, scripts, run, make_audio, tmp_path, sandbox, saved
):
    reaper.region_api = False
    _script_project(reaper, run, make_audio, tmp_path)
    if saved:
        reaper.save_project(tmp_path / "episode.rpp")
        reaper.add_marker(30.0, "[Host] A line added after saving.")
    before = len(sandbox.state.spoken)
    reaper.answer_message_box(1)
    reaper.run_script(scripts / SCRIPT, max_ticks=3000)
    said = reaper.message_boxes[-1].message
    assert "Save the project (Ctrl+S)" in said
    assert ("it is not saved" if not saved else "it has unsaved changes") in said
    assert len(sandbox.state.spoken) == before and reaper.undo_history == []


def test_a_region_naming_an_unknown_speaker_is_refused_before_anything_is_paid(
    reaper, scripts, run, make_audio, tmp_path, sandbox
):
    _script_project(reaper, run, make_audio, tmp_path)
    reaper.add_marker(25.0, "[Narrator] Once upon a time.")
    before = len(sandbox.state.spoken)
    reaper.answer_inputs(values=["Host", "yes"])
    reaper.answer_message_box(1)
    reaper.run_script(scripts / SCRIPT, max_ticks=3000)
    assert "no preset named 'Narrator'" in reaper.message_boxes[-1].message
    assert len(sandbox.state.spoken) == before and reaper.undo_history == []


def test_clone_picks_the_best_speech_of_a_long_item_shows_it_as_regions_then_clones_it(
    reaper, scripts, sandbox, env, tmp_path
):
    """A whole episode item selected: the picker's pieces become regions first (one undo point),
    then, on the user's yes, exactly those pieces are cloned."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (tests/run installs it)")
    episode = tmp_path / "episode.wav"
    parts = episode_track(episode, minutes=6)
    track = reaper.add_track("Host", selected=True)
    reaper.add_item(track, str(episode), position=10.0, take_name="episode 12")
    reaper.set_time_selection(10.0, 10.0 + 6 * 60)
    reaper.answer_inputs(values=answers(pick="1:00"))
    reaper.answer_message_box(6)  # yes: clone from these pieces
    reaper.run_script(scripts / CLONE, max_ticks=6000)
    reaper.assert_clean()
    regions = [m for m in reaper.project.markers if m.is_region]
    assert regions and [m.name for m in regions] == [f"Voice clone pick {n}" for n in range(1, len(regions) + 1)]
    inside, total = clean_host_overlap(parts, [(m.position - 10.0, m.end - 10.0) for m in regions])
    assert inside / total >= 0.95 and 50 <= total <= 70, (inside, total)
    assert "Clone from these" in reaper.message_boxes[0].message
    assert reaper.undo_history == ["Voice clone: mark picked speech", "Voice clone: insert preview"]
    (upload,) = uploads(sandbox)
    expected = total - (len(regions) - 1) * 0.03
    assert upload.duration_s == pytest.approx(expected, abs=0.05)
    assert presets_of(env)["Host"]["sample"]["pieces"]


def test_saying_no_to_the_picked_pieces_clones_nothing(reaper, scripts, sandbox, tmp_path):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (tests/run installs it)")
    episode = tmp_path / "episode.wav"
    episode_track(episode, minutes=6)
    track = reaper.add_track("Host", selected=True)
    reaper.add_item(track, str(episode), position=0.0)
    reaper.set_time_selection(0.0, 6 * 60)
    reaper.answer_inputs(values=answers(pick="yes"))
    reaper.answer_message_box(7)
    reaper.run_script(scripts / CLONE, max_ticks=6000)
    assert uploads(sandbox) == [] and not sandbox.state.voices
    assert reaper.undo_history == ["Voice clone: mark picked speech"], "the regions stay, to look at"


def test_cancel_during_a_script_keeps_and_places_the_lines_spoken_so_far(
    reaper, scripts, run, make_audio, tmp_path, sandbox
):
    """Cancel stops after the lines in flight; what was spoken (and paid) lands in the project, and
    the next run speaks only the rest."""
    _script_project(reaper, run, make_audio, tmp_path)
    sandbox.add_fault("slow", path="/v1/t2a_v2", seconds=0.4, times=20)
    reaper.answer_inputs(values=["Host", "no"])

    def press_cancel(fake, tick):
        time.sleep(1 / 30)
        journal = Path(fake.project.media_path) / "Voice clone script" / "voiceclone-journal.jsonl"
        if journal.exists() and len(journal.read_text().splitlines()) >= 3 and not pressed:
            pressed.append(tick)
            exec(compile((scripts / CANCEL).read_bytes(), str(scripts / CANCEL), "exec"), fake.main_globals())

    pressed: list = []
    reaper.run_script(scripts / SCRIPT, max_ticks=6000, tick_hook=press_cancel)
    reaper.assert_clean()
    journal = Path(reaper.project.media_path) / "Voice clone script" / "voiceclone-journal.jsonl"
    kept = len(journal.read_text().splitlines())
    placed = sum(len(reaper.items_on(i)) for i in range(1, len(reaper.project.tracks)))
    assert 3 <= kept < 10 and placed == kept, (kept, placed)
    assert reaper.undo_history == ["Voice clone: speak script"]
    assert "(cancelled)" in reaper.console

    sandbox.clear_faults()
    before = len(sandbox.state.spoken)
    reaper.answer_inputs(values=["Host", "no"])
    reaper.run_script(scripts / SCRIPT, max_ticks=6000)
    assert len(sandbox.state.spoken) - before == 10 - kept
    assert sum(len(reaper.items_on(i)) for i in range(1, len(reaper.project.tracks))) == 10
