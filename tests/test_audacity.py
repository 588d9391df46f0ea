"""`voiceclone audacity ...` against a real Audacity (headless, under Xvfb), the sandbox and real files."""

import io
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr

from episode_track import clean_host_overlap, episode_track
from helpers import presets_of, spoken_take, uploads
from voiceclone.errors import HostUnavailable
from voiceclone.hosts.audacity.pipe import Pipe
from voiceclone.hosts.audacity.project import info, read_selection


class Connect:
    """Commands to Audacity from the test, one connection each (as a user's commands take turns:
    a connection held across a test would keep the plugin waiting for its turn)."""

    def send(self, command, **values):
        with Pipe(timeout=15.0) as connection:
            return connection.send(command, **values)


@pytest.fixture
def pipe(audacity):
    """An empty Audacity project, and a way to send it commands."""
    connection = Connect()
    connection.send("SelectAll")
    connection.send("RemoveTracks")
    return connection


@pytest.fixture
def take(pipe, make_audio):
    """A 30 s speech-like take on track 'host', with 2.5-14.25 s selected."""
    path = make_audio("host.wav", 30, 16000)
    pipe.send("Import2", Filename=str(path))
    select(pipe, 0, 2.5, 14.25)
    return path


def select(pipe, track, start, end):
    pipe.send("SelectTracks", Track=track, TrackCount=1, Mode="Set")
    pipe.send("SelectTime", Start=start, End=end, RelativeTo="ProjectStart")


def track_audio(pipe, index, folder: Path):
    """Export one track's clip and read it back."""
    (clip,) = [c for c in info(pipe, "Clips") if c["track"] == index]
    select(pipe, index, clip["start"], clip["end"])
    out = folder / f"track{index}.wav"
    pipe.send("Export2", Filename=str(out), NumChannels=1)
    data, rate = sf.read(str(out), dtype="float32")
    return data, rate


def similarity(a, b) -> float:
    """Peak normalised cross-correlation of two signals."""
    n = len(a) + len(b)
    spectrum = np.fft.rfft(a, n) * np.conj(np.fft.rfft(b, n))
    return float(np.max(np.abs(np.fft.irfft(spectrum, n))) / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_clone_adds_the_preview_as_a_track_at_the_selection_start_and_keeps_the_selection(
    pipe, take, run, env, tmp_path
):
    result = run(
        "audacity", "clone", "--voice-id", "HostVoice01", "--name", "Host", "--text", "Welcome back.", "--json"
    )
    assert result.code == 0, result.err
    tracks = info(pipe, "Tracks")
    assert [t["name"] for t in tracks] == ["host", "Voice clone: Host"]
    (clip,) = [c for c in info(pipe, "Clips") if c["track"] == 1]
    assert clip["start"] == pytest.approx(2.5)
    preview = Path(result.json()["preview_path"])
    expected, rate = sf.read(str(preview), dtype="float32")
    assert clip["end"] - clip["start"] == pytest.approx(len(expected) / rate, abs=0.06)

    selection = read_selection(pipe)
    assert (selection.start_s, selection.end_s, selection.tracks) == (2.5, 14.25, [0])
    preset = presets_of(env)["Host"]
    assert preset["voice_id"] == "HostVoice01"
    assert preset["sample"]["source"] == "Audacity track 'host', 2.50-14.25 s"
    assert preset["sample"]["duration_s"] == pytest.approx(11.75, abs=0.01)

    inserted, project_rate = track_audio(pipe, 1, tmp_path)  # exported at the project's rate
    assert similarity(soxr.resample(inserted, project_rate, rate), expected) > 0.95


def test_the_uploaded_sample_is_the_selected_audio(pipe, take, run, sandbox):
    assert run("audacity", "clone", "--voice-id", "HostVoice01").code == 0
    (upload,) = uploads(sandbox)
    uploaded, rate = sf.read(io.BytesIO(upload.data), dtype="float32", always_2d=True)
    source, _ = sf.read(str(take), dtype="float32")
    expected = source[int(2.5 * 16000) : int(14.25 * 16000)]
    assert rate == 16000 and abs(len(uploaded) - len(expected)) <= 1
    assert similarity(uploaded[:, 0], expected) > 0.99


def test_without_a_voice_id_one_is_made_from_the_track_name(pipe, take, run):
    data = run("audacity", "clone", "--json").json()
    assert data["voice_id"].startswith("host_") and data["preset"] == "host"


def test_speak_adds_the_speech_at_the_cursor(pipe, take, run, make_audio):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    select(pipe, 0, 7.0, 7.0)
    result = run("audacity", "speak", "--preset", "Host", "Thanks for listening.")
    assert result.code == 0, result.err
    assert "Added track 'Voice clone: Host' at 7.00 s" in result.out
    (clip,) = [c for c in info(pipe, "Clips") if c["track"] == 1]
    assert clip["start"] == pytest.approx(7.0)


def test_a_short_selection_is_refused_and_nothing_changes(pipe, take, run, sandbox):
    select(pipe, 0, 2.0, 7.0)
    result = run("audacity", "clone", "--voice-id", "HostVoice01")
    assert result.code == 2 and "the selection is 5 s; a voice clone needs 10 s to 5 min" in result.err
    assert [t["name"] for t in info(pipe, "Tracks")] == ["host"]
    assert sandbox.requests_seen() == []
    assert read_selection(pipe).start_s == 2.0


def test_nothing_selected_says_what_to_select(pipe, take, run):
    pipe.send("SelectNone")
    result = run("audacity", "clone", "--voice-id", "HostVoice01")
    assert result.code == 2 and "nothing is selected in Audacity" in result.err


def test_doctor_reports_a_running_audacity(audacity, run):
    result = run("audacity", "doctor")
    assert result.code == 0, result.out
    assert "running and answering on its pipe" in result.out


def test_doctor_says_how_to_enable_the_module(audacity, run, tmp_path, monkeypatch):
    config = tmp_path / "xdg" / "audacity"
    config.mkdir(parents=True)
    (config / "audacity.cfg").write_text("[Module]\nmod-script-pipe=0\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    result = run("audacity", "doctor")
    assert result.code == 2
    assert "mod-script-pipe: disabled in" in result.out and "Edit > Preferences > Modules" in result.out


def test_no_audacity_is_a_plain_error(run, tmp_path, monkeypatch):
    from voiceclone.hosts.audacity import pipe as pipe_module

    monkeypatch.setattr(pipe_module, "default_paths", lambda: (tmp_path / "to", tmp_path / "from"))
    result = run("audacity", "clone", "--voice-id", "HostVoice01")
    assert result.code == 5 and "Audacity is not running, or its mod-script-pipe module is off" in result.err
    assert "Traceback" not in result.err


def test_an_audacity_busy_with_a_dialog_gets_a_bounded_wait_and_a_message(audacity, pipe, run):
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed (tests/run installs it): it closes the dialog afterwards")
    with Pipe(timeout=1.0) as other, pytest.raises(HostUnavailable, match="did not answer in time"):
        other.send("Import2", Filename="/nonexistent/take.wav")  # opens Audacity's modal error dialog
    started = time.monotonic()
    result = run("audacity", "clone", "--voice-id", "HostVoice01")
    assert result.code == 5 and "a dialog may be open in Audacity" in result.err
    assert "Close the open dialog in Audacity" in result.err
    assert time.monotonic() - started < 20, "a bounded wait, never a hang"
    assert audacity.dismiss_dialogs("Error Importing") == 1
    with Pipe(timeout=10.0) as after:
        assert info(after, "Tracks") == [], "Audacity answers again once the dialog is closed"


def _start(env, *argv):
    return subprocess.Popen(
        [sys.executable, "-m", "voiceclone", *argv],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_shortcuts_pressed_at_once_each_get_their_own_result(pipe, take, run, env, sandbox, make_audio):
    """Two commands on one Audacity take turns on its pipe: neither reads the other's replies."""
    run("clone", make_audio("t.wav", 12), "--voice-id", "GuestVoice01", "--name", "Guest")
    sandbox.add_fault("slow", path="/v1/voice_clone", seconds=1.0)  # both wait for MiniMax together
    jobs = [
        _start(env, "audacity", "clone", "--voice-id", "HostVoice01", "--name", "Host", "--text", "Hello.", "--json"),
        _start(env, "audacity", "speak", "--preset", "Guest", "Thanks for listening.", "--json"),
    ]
    results = [job.communicate(timeout=120) for job in jobs]
    assert [job.returncode for job in jobs] == [0, 0], [err for _, err in results]
    names = sorted(t["name"] for t in info(pipe, "Tracks"))
    assert names == ["Voice clone: Guest", "Voice clone: Host", "host"]
    for index, track in enumerate(info(pipe, "Tracks")):
        if track["name"] != "host":
            (clip,) = [c for c in info(pipe, "Clips") if c["track"] == index]
            assert clip["start"] == pytest.approx(2.5), track["name"]
    (upload,) = [u for u in uploads(sandbox) if u.filename == "selection.wav"]
    uploaded, _ = sf.read(io.BytesIO(upload.data), dtype="float32", always_2d=True)
    assert abs(len(uploaded) - int(11.75 * 16000)) <= 1, "the clone uploaded exactly the selection"
    selection = read_selection(pipe)
    assert (selection.start_s, selection.end_s, selection.tracks) == (2.5, 14.25, [0])


def test_speech_audacity_cannot_take_is_kept_and_named(pipe, take, run, env, make_audio, monkeypatch):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    from voiceclone.hosts.audacity import host

    def refuse(*args, **kwargs):
        raise HostUnavailable("Audacity closed its script pipe (it quit or crashed)", fix="Start Audacity again.")

    monkeypatch.setattr(host, "import_track", refuse)
    result = run("audacity", "speak", "--preset", "Host", "Thanks for listening.")
    assert result.code == 5, result.err
    kept = Path(result.err.split("it is kept as ")[1].split("\n")[0])
    assert kept.is_file() and sf.info(str(kept)).duration > 0.5
    assert f"import {kept} with File > Import > Audio" in result.err


def test_the_next_command_keeps_the_last_ones_track_name_and_place(pipe, take, run, make_audio):
    """Audacity's scripting changes make no undo state; the selection read's Undo must not take
    back the name and the place of the track the previous command added."""
    assert run("audacity", "clone", "--voice-id", "HostVoice01", "--name", "Host", "--text", "Hi.").code == 0
    select(pipe, 0, 20.0, 20.0)
    assert run("audacity", "speak", "--preset", "Host", "Thanks for listening.").code == 0
    tracks = info(pipe, "Tracks")
    assert [t["name"] for t in tracks] == ["host", "Voice clone: Host", "Voice clone: Host"]
    starts = [c["start"] for c in sorted(info(pipe, "Clips"), key=lambda c: c["track"])]
    assert starts == pytest.approx([0.0, 20.0, 2.5]), "the speech goes directly below the selected track"


def test_the_preview_goes_directly_below_the_source_track_and_the_selection_stays(pipe, take, run, make_audio):
    pipe.send("Import2", Filename=str(make_audio("music.wav", 30, 16000, kind="tone")))
    pipe.send("SelectTracks", Track=1, TrackCount=1, Mode="Set")
    pipe.send("SetTrack", Name="music")
    select(pipe, 0, 2.5, 14.25)
    pipe.send("SelectTracks", Track=1, TrackCount=1, Mode="Add")  # both tracks selected
    result = run("audacity", "clone", "--voice-id", "HostVoice01", "--name", "Host", "--text", "Hi.")
    assert result.code == 0, result.err
    assert [t["name"] for t in info(pipe, "Tracks")] == ["host", "Voice clone: Host", "music"]
    selection = read_selection(pipe)
    assert (selection.start_s, selection.end_s, selection.tracks) == (2.5, 14.25, [0, 2])


def test_start_and_end_clone_that_part_of_the_selected_track_without_a_time_range(pipe, take, run, sandbox, tmp_path):
    select(pipe, 0, 20.0, 20.0)  # the track is selected; the cursor is elsewhere
    result = run(
        "audacity",
        "clone",
        "--voice-id",
        "HostVoice01",
        "--start",
        "0:03",
        "--end",
        "15.5",
        "--text",
        "Hello.",
        "--preview-out",
        tmp_path / "out" / "host-preview.mp3",
        "--json",
    )
    assert result.code == 0, result.err
    (upload,) = uploads(sandbox)
    uploaded, _ = sf.read(io.BytesIO(upload.data), dtype="float32", always_2d=True)
    source, _ = sf.read(str(take), dtype="float32")
    expected = source[3 * 16000 : int(15.5 * 16000)]
    assert abs(len(uploaded) - len(expected)) <= 1 and similarity(uploaded[:, 0], expected) > 0.99
    data = result.json()
    assert data["preview_path"] == str(tmp_path / "out" / "host-preview.mp3")
    assert sf.info(data["preview_path"]).format == "MP3"
    (clip,) = [c for c in info(pipe, "Clips") if c["track"] == 1]
    assert clip["start"] == pytest.approx(3.0)
    selection = read_selection(pipe, require_range=False)
    assert (selection.start_s, selection.end_s, selection.tracks) == (20.0, 20.0, [0]), "the cursor stays"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--start", "0:40"], "--start (40 s) is beyond the end of the selected tracks (30.0 s)"),
        (["--start", "12", "--end", "5"], "--end (5 s) must come after --start (12 s)"),
        (["--start", "10", "--end", "14"], "the selection is 4 s; a voice clone needs 10 s to 5 min"),
    ],
)
def test_a_bad_start_or_end_is_refused_before_anything_is_sent(pipe, take, run, sandbox, argv, message):
    result = run("audacity", "clone", "--voice-id", "HostVoice01", *argv)
    assert result.code == 2 and message in result.err, result.err
    assert sandbox.requests_seen() == []
    assert [t["name"] for t in info(pipe, "Tracks")] == ["host"]


def test_start_and_end_with_no_track_selected_say_what_to_select(pipe, take, run):
    pipe.send("SelectNone")
    result = run("audacity", "clone", "--voice-id", "HostVoice01", "--start", "3", "--end", "15")
    assert result.code == 2 and "no track is selected in Audacity" in result.err
    assert "Click the voice's track" in result.err


def test_audition_plays_the_preview_after_adding_it(pipe, take, run, sound, tmp_path):
    from voiceclone import device

    recording = tmp_path / "heard.wav"
    listening = threading.Event()
    recorder = threading.Thread(
        target=device.record,
        args=(recording,),
        daemon=True,
        kwargs={"seconds": 12.0, "channels": 1, "sample_rate": 48000, "meter": lambda *block: listening.set()},
    )
    recorder.start()
    assert listening.wait(10)
    result = run("audacity", "clone", "--voice-id", "HostVoice01", "--text", "Hello there.", "--audition", "--json")
    assert result.code == 0, result.err
    recorder.join(20)
    preview, rate = sf.read(result.json()["preview_path"], dtype="float32", always_2d=True)
    heard, _ = sf.read(str(recording), dtype="float32")
    assert similarity(heard, soxr.resample(preview[:, 0], rate, 48000)) > 0.9, "the preview came out of the speakers"


def test_patch_lays_the_phrase_in_the_voice_over_the_take_and_keeps_the_original(pipe, run, tmp_path, make_audio):
    """The selected phrase is replaced by the words in the voice on a track below the take; the
    take's audio there moves to a muted track, so the original is one unmute away."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (tests/run installs it)")
    spoken = tmp_path / "spoken.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-w",
            str(spoken),
            "Welcome back to the show. Today we talk about editing voices. "
            "I said the wrong word right here by mistake. And then we go on with the episode.",
        ],
        check=True,
    )
    voice, rate = sf.read(str(spoken), dtype="float32")
    noise = np.random.default_rng(3).normal(0, 10 ** (-55 / 20), len(voice)).astype(np.float32)
    take = tmp_path / "host.wav"
    sf.write(str(take), voice * 0.7 + noise, rate, subtype="PCM_16")
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    pipe.send("Import2", Filename=str(take))
    select(pipe, 0, 4.3, 7.3)
    result = run(
        "audacity", "patch", "--text", "I said exactly the right word, right here, today.", "--preset", "Host", "--json"
    )
    assert result.code == 0, result.err
    data = result.json()
    tracks = info(pipe, "Tracks")
    assert [t["name"] for t in tracks] == ["host", "Voice clone patch: Host", "Voice clone original (muted)"]
    assert tracks[2]["mute"] == 1 and tracks[1]["mute"] == 0
    (patch_clip,) = [c for c in info(pipe, "Clips") if c["track"] == 1]
    assert patch_clip["start"] == pytest.approx(data["patch_start_s"], abs=0.001)
    selection = read_selection(pipe)
    assert (selection.start_s, selection.end_s, selection.tracks) == (4.3, 7.3, [0]), "the selection stays"

    kept, kept_rate = track_audio(pipe, 2, tmp_path)
    original, _ = sf.read(str(take), dtype="float32")
    begin = int(round(data["patch_start_s"] * rate))
    assert kept_rate == rate and np.allclose(kept, original[begin : begin + len(kept)], atol=1 / 32768)
    assert abs(data["loudness_lufs"]["patch"] - data["loudness_lufs"]["take"]) <= 1.0


def test_a_patch_from_the_cursor_alone_runs_to_the_phrases_pause(pipe, run, tmp_path, make_audio):
    """Clicking where the flubbed sentence starts (no range) is enough: the patch covers that sentence
    up to its pause, on a track below, the original's audio there moved to the muted track."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (tests/run installs it)")
    take = spoken_take(tmp_path / "host.wav")
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    pipe.send("Import2", Filename=str(take))
    select(pipe, 0, 3.95, 3.95)
    result = run("audacity", "patch", "--text", "I said the right word here.", "--preset", "Host", "--json")
    assert result.code == 0, result.err
    assert result.json()["preset"] == "Host"
    tracks = info(pipe, "Tracks")
    assert [t["name"] for t in tracks] == ["host", "Voice clone patch: Host", "Voice clone original (muted)"]
    (patch_clip,) = [c for c in info(pipe, "Clips") if c["track"] == 1]
    assert 3.85 < patch_clip["start"] < 3.95 and 5.9 < patch_clip["end"] < 6.5, patch_clip
    assert "the phrase is taken to end at the pause" in result.err


def test_patch_remembers_which_voice_speaks_on_a_track(pipe, run, make_audio, tmp_path):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    pipe.send("Import2", Filename=str(make_audio("host.wav", 30, 22050)))
    select(pipe, 0, 10.0, 11.6)
    line = ["audacity", "patch", "--text", "I said the right word."]
    unknown = run(*line)
    assert unknown.code == 2 and "no voice is tied to the track 'host' yet" in unknown.err
    assert "Give --preset NAME once; it is remembered for this track." in unknown.err
    assert run(*line, "--preset", "Host").code == 0
    select(pipe, 0, 20.0, 21.6)
    again = run(*line, "--json")
    assert again.code == 0, again.err
    assert again.json()["preset"] == "Host", "the track's voice was remembered"


def test_patch_with_the_tracks_voice_says_once_what_a_temporary_voices_first_speech_costs(pipe, run, make_audio):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    pipe.send("Import2", Filename=str(make_audio("Host.wav", 30, 22050)))  # a track named like the preset
    select(pipe, 0, 10.0, 11.6)
    first = run("audacity", "patch", "--text", "I said the right word.")
    assert first.code == 0, first.err
    assert first.err.count("note: this is the first speech of voice 'HostVoice01'") == 1
    select(pipe, 0, 20.0, 21.6)
    again = run("audacity", "patch", "--text", "I said the right word.")
    assert again.code == 0 and "first speech" not in again.err, "the voice is paid for now"


def test_patch_variants_lie_muted_below_the_patch_to_pick_by_ear(pipe, run, make_audio):
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    pipe.send("Import2", Filename=str(make_audio("host.wav", 30, 22050)))
    select(pipe, 0, 10.0, 11.6)
    result = run("audacity", "patch", "--text", "I said the right word.", "--preset", "Host", "--variants", "3")
    assert result.code == 0, result.err
    tracks = info(pipe, "Tracks")
    assert [(t["name"], t["mute"]) for t in tracks] == [
        ("host", 0),
        ("Voice clone patch: Host", 0),
        ("Voice clone patch: Host (calm)", 1),
        ("Voice clone patch: Host (happy)", 1),
        ("Voice clone original (muted)", 1),
    ]


def test_a_10_line_script_from_labels_lands_one_track_per_speaker_with_sentence_labels(
    pipe, run, make_audio, sandbox, tmp_path
):
    """Each label is a line ([Preset] prefix: its speaker); the speakers' tracks hold their lines at
    the labels' starts, the sentences come back as labels, and a rerun pays for nothing."""
    for name, voice_id in (("Host", "HostVoice01"), ("Guest", "GuestVoice01")):
        assert run("clone", make_audio(f"{name}.wav", 12), "--voice-id", voice_id, "--name", name).code == 0
        assert run("activate", name, "--yes").code == 0
    pipe.send("NewLabelTrack")
    starts = [2.0 + 6.0 * n for n in range(10)]
    for number, start in enumerate(starts):
        speaker = "Guest" if number % 3 == 2 else "Host"
        select(pipe, 0, start, start)
        pipe.send("AddLabel")
        pipe.send("SetLabel", Label=number, Text=f"[{speaker}] Line {number + 1}. It has two sentences.")
    spoken_before = len(sandbox.state.spoken)
    out = tmp_path / "lines"
    result = run("audacity", "script", "--subtitles", "--out", out, "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert (data["spoken"], data["failed"]) == (10, 0)
    assert len(sandbox.state.spoken) - spoken_before == 10
    tracks = info(pipe, "Tracks")
    names = [t["name"] for t in tracks]
    assert "Voice clone: Host" in names and "Voice clone: Guest" in names and "Voice clone sentences" in names
    clips = info(pipe, "Clips")
    host_clip = [c for c in clips if c["track"] == names.index("Voice clone: Host")]
    guest_clip = [c for c in clips if c["track"] == names.index("Voice clone: Guest")]
    assert host_clip[0]["start"] == pytest.approx(starts[0], abs=0.01)
    assert guest_clip[0]["start"] == pytest.approx(starts[2], abs=0.01)
    labels = dict(info(pipe, "Labels"))[names.index("Voice clone sentences")]
    assert len(labels) == 20 and labels[0][2] == "Line 1." and labels[0][0] == pytest.approx(starts[0], abs=0.01)
    assert len((out / "voiceclone-journal.jsonl").read_text().splitlines()) == 10

    again = run("audacity", "script", "--out", out, "--json")
    assert again.code == 0, again.err
    assert (again.json()["spoken"], again.json()["reused"]) == (0, 10)
    assert len(sandbox.state.spoken) - spoken_before == 10, "nothing paid twice"


def test_clone_pick_marks_the_picked_pieces_as_labels_and_clones_them(pipe, run, sandbox, tmp_path):
    """A whole episode track: the picker's pieces are labelled on a track of their own, in project
    time, and exactly those are uploaded."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (tests/run installs it)")
    episode = tmp_path / "episode.wav"
    parts = episode_track(episode, minutes=6)
    pipe.send("Import2", Filename=str(episode))
    select(pipe, 0, 30.0, 6 * 60)
    result = run("audacity", "clone", "--pick-length", "1:00", "--voice-id", "HostVoice01", "--json")
    assert result.code == 0, result.err
    names = [t["name"] for t in info(pipe, "Tracks")]
    labels = dict(info(pipe, "Labels"))[names.index("Voice clone pick")]
    pieces = [(float(start), float(end)) for start, end, _ in labels]
    assert [text for _, _, text in labels] == [f"Voice clone pick {n}" for n in range(1, len(labels) + 1)]
    inside, total = clean_host_overlap(parts, pieces)
    assert inside / total >= 0.95 and 50 <= total <= 70
    picked = result.json()["pieces"]  # in the exported selection's seconds: it starts at 30 s
    assert len(picked) == len(pieces)
    for piece, (start, end) in zip(picked, pieces):
        assert (piece["start_s"] + 30.0, piece["end_s"] + 30.0) == (
            pytest.approx(start, abs=0.01),
            pytest.approx(end, abs=0.01),
        )
    (upload,) = uploads(sandbox)
    assert upload.duration_s == pytest.approx(total - (len(pieces) - 1) * 0.03, abs=0.05)
