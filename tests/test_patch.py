"""Patching a flubbed phrase: real speech (espeak-ng) with a room's noise, the sandbox's voice
fitted into the gap, and the figures a listener's ear stands for: loudness, noise floor, length,
seams, and the take left bit for bit around the patch."""

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from helpers import patch_figures, presets_of, spoken_take
from voiceclone import blend


@pytest.fixture
def take(tmp_path):
    """A 10-odd second spoken take with a room's noise (about -52 dBFS) under it."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (tests/run installs it)")
    return spoken_take(tmp_path / "take.wav")


def _clone_host(run, make_audio):
    assert run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host").code == 0


def test_bs1770_loudness_reads_the_standards_reference_sine():
    """EBU Tech 3341 case 1: a stereo 1 kHz sine at -23 dBFS reads -23.0 LUFS (+-0.1)."""
    t = np.arange(20 * 48000) / 48000
    sine = (10 ** (-23 / 20) * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    assert blend.loudness(np.column_stack([sine, sine]), 48000) == pytest.approx(-23.0, abs=0.1)
    quieter = np.column_stack([sine, sine]) * np.float32(10 ** (-10 / 20))
    assert blend.loudness(quieter, 48000) == pytest.approx(-33.0, abs=0.1)


def test_a_patch_fits_the_gap_matches_the_take_and_leaves_the_rest_bit_for_bit(run, make_audio, take, tmp_path):
    _clone_host(run, make_audio)
    start, end = 4.30, 7.30  # long enough for the synthetic voice to pause between its words
    result = run(
        "patch",
        take,
        "--start",
        start,
        "--end",
        end,
        "--text",
        "I said exactly the right word, right here, today.",
        "--preset",
        "Host",
        "-o",
        tmp_path / "patched.wav",
        "--patch-only",
        tmp_path / "patch.wav",
        "--json",
    )
    assert result.code == 0, result.err
    data = result.json()
    original, rate = sf.read(str(take), dtype="int16", always_2d=True)
    patched, patched_rate = sf.read(str(tmp_path / "patched.wav"), dtype="int16", always_2d=True)
    fade = int(blend.FADE_S * rate) + int(blend.ZERO_CROSSING_S * rate)
    first, last = int(start * rate) - fade, int(end * rate) + fade
    assert patched_rate == rate and patched.shape == original.shape
    assert np.array_equal(patched[:first], original[:first]) and np.array_equal(patched[last:], original[last:])

    assert abs(data["spoken_s"] - (end - start)) <= 0.05 * (end - start), "within 5 % of the selection"
    figures = patch_figures(original.astype(np.float32) / 32768, patched.astype(np.float32) / 32768, rate, start, end)
    assert abs(figures["loudness_delta_lu"]) <= 1.0, "|dLUFS| <= 1 LU"
    assert abs(figures["noise_floor_delta_db"]) <= 3.0, "the patch's pauses hold the take's room tone"
    assert figures["worst_seam_step"] <= 1.5, "no jump at a seam bigger than the signal's own steps"

    alone, _ = sf.read(str(tmp_path / "patch.wav"), dtype="int16", always_2d=True)
    begin = int(round(data["patch_start_s"] * rate))
    assert np.array_equal(alone, patched[begin : begin + len(alone)]), "the patch alone drops in over the original"
    assert len(alone) == int(round((end - start) * rate)) + 2 * int(blend.FADE_S * rate)
    assert alone[0, 0] == original[begin, 0] and alone[-1, 0] == original[begin + len(alone) - 1, 0]
    assert data["speech_path"] and sf.info(data["speech_path"]).duration > 1.0, "the paid speech is kept"


def test_a_text_that_cannot_fit_at_a_natural_speed_is_refused_before_anything_is_paid(
    run, make_audio, take, sandbox, tmp_path
):
    _clone_host(run, make_audio)
    spoken_before = len(sandbox.state.spoken)
    result = run(
        "patch",
        take,
        "--start",
        "4.3",
        "--end",
        "4.9",
        "--text",
        "A much longer sentence than the gap holds.",
        "--preset",
        "Host",
        "-o",
        tmp_path / "patched.wav",
    )
    assert result.code == 2 and "Select" in result.err and "or change the text" in result.err
    assert len(sandbox.state.spoken) == spoken_before and not (tmp_path / "patched.wav").exists()


def test_the_voices_measured_rate_is_kept_for_the_next_patch(run, make_audio, env, take, tmp_path):
    _clone_host(run, make_audio)
    assert (
        run(
            "patch",
            take,
            "--start",
            "4.3",
            "--end",
            "5.9",
            "--text",
            "I said the right word.",
            "--preset",
            "Host",
            "-o",
            tmp_path / "patched.wav",
        ).code
        == 0
    )
    measured = presets_of(env)["Host"]["speech"]["chars_per_s"]
    assert 12 < measured < 18, "the sandbox's voice speaks about 15 characters a second"


def test_a_start_alone_patches_the_phrase_up_to_the_pause_where_the_text_ends(run, make_audio, take, tmp_path):
    """The editor points at where the flubbed sentence starts and types the right one: the phrase
    replaced runs to the sentence's pause, not into the next sentence, and the rest is untouched."""
    _clone_host(run, make_audio)
    original, rate = sf.read(str(take), dtype="int16", always_2d=True)
    level = 20 * np.log10(np.sqrt(np.mean((original[:, 0] / 32768.0) ** 2)) + 1e-12)
    start = 3.95  # "I said the wrong word right here by mistake." runs from here to its full stop's pause
    argv = ["patch", take, "--start", start, "--text", "I said the right word here.", "--preset", "Host"]
    result = run(*argv, "-o", tmp_path / "patched.wav", "--json")
    assert result.code == 0, result.err
    data = result.json()
    end = start + data["selection_s"]
    pause = original[int((end - 0.02) * rate) : int((end + 0.05) * rate), 0] / 32768.0
    assert 20 * np.log10(np.sqrt(np.mean(pause**2))) < level - 20, "the phrase ends in a pause"
    assert 5.9 < end < 6.4, "at the sentence's own pause, not a pause inside the next sentence"
    assert any("the phrase is taken to end at the pause at" in w for w in data["warnings"])
    patched, _ = sf.read(str(tmp_path / "patched.wav"), dtype="int16", always_2d=True)
    after = int(end * rate) + int((blend.FADE_S + blend.ZERO_CROSSING_S) * rate)
    assert np.array_equal(patched[after:], original[after:])
    assert abs(data["spoken_s"] - data["selection_s"]) <= 0.05 * data["selection_s"]


def test_a_start_alone_with_no_pause_in_reach_asks_for_the_end(run, make_audio, take, sandbox, tmp_path):
    _clone_host(run, make_audio)
    spoken = len(sandbox.state.spoken)
    long_line = "A line far longer than anything left in the take after this point, " * 3
    result = run("patch", take, "--start", "9", "--text", long_line, "--preset", "Host", "-o", tmp_path / "out.wav")
    assert result.code == 2 and "no pause between words was found" in result.err, result.err
    assert "Give the phrase's end too" in result.err and len(sandbox.state.spoken) == spoken


@pytest.mark.parametrize(
    "argv, said",
    [
        (["--start", "8", "--end", "30"], "--end (30 s) is beyond the end of the take"),
        (["--start", "5", "--end", "4"], "--end (4 s) must come after --start (5 s)"),
        (["--start", "0.001", "--end", "1.5"], "must leave 20 ms of the take on each side"),
        (["--start", "4.3", "--end", "4.5"], "a patch needs at least 0.3 s"),
    ],
)
def test_a_bad_selection_is_refused_before_anything_is_paid(run, make_audio, take, sandbox, tmp_path, argv, said):
    _clone_host(run, make_audio)
    spoken = len(sandbox.state.spoken)
    result = run("patch", take, *argv, "--text", "Hi there.", "--preset", "Host", "-o", tmp_path / "out.wav")
    assert result.code == 2 and said in result.err, result.err
    assert len(sandbox.state.spoken) == spoken


def test_a_patch_without_an_output_says_where_to_put_it(run, make_audio, take):
    _clone_host(run, make_audio)
    result = run("patch", take, "--start", "4.3", "--end", "5.9", "--text", "Hi there.", "--preset", "Host")
    assert result.code == 2 and "Give -o PATCHED.wav and/or --patch-only PATCH.wav" in result.err


def test_a_24_bit_stereo_flac_take_stays_bit_for_bit_outside_the_patch(run, make_audio, take, tmp_path):
    _clone_host(run, make_audio)
    mono, rate = sf.read(str(take), dtype="float32")
    flac = tmp_path / "take.flac"
    sf.write(str(flac), np.column_stack([mono, 0.8 * mono]), rate, subtype="PCM_24")
    out = tmp_path / "patched.flac"
    assert (
        run(
            "patch",
            flac,
            "--start",
            "4.3",
            "--end",
            "5.9",
            "--text",
            "I said the right word.",
            "--preset",
            "Host",
            "-o",
            out,
        ).code
        == 0
    )
    original, _ = sf.read(str(flac), dtype="int32")
    patched, _ = sf.read(str(out), dtype="int32")
    assert sf.info(str(out)).subtype == "PCM_24" and patched.shape == original.shape
    edge = int((blend.FADE_S + blend.ZERO_CROSSING_S) * rate)
    first, last = int(4.3 * rate) - edge, int(5.9 * rate) + edge
    assert np.array_equal(patched[:first], original[:first]) and np.array_equal(patched[last:], original[last:])
    assert not np.array_equal(patched[first:last], original[first:last])


def test_variants_are_numbered_files_each_in_another_emotion_and_fitted_alike(run, make_audio, take, sandbox, tmp_path):
    _clone_host(run, make_audio)
    result = run(
        "patch",
        take,
        "--start",
        "4.3",
        "--end",
        "5.9",
        "--text",
        "I said the right word.",
        "--preset",
        "Host",
        "-o",
        tmp_path / "patched.wav",
        "--variants",
        "3",
        "--json",
    )
    assert result.code == 0, result.err
    data = result.json()
    takes = [data, *data["variants"]]
    assert [t["path"] for t in takes] == [str(tmp_path / f"patched-{n}.wav") for n in (1, 2, 3)]
    assert [t["emotion"] for t in takes] == [None, "calm", "happy"]
    assert all(abs(t["spoken_s"] - 1.6) <= 0.05 * 1.6 for t in takes), "each variant fits the gap"
    assert [entry.get("emotion") for entry in sandbox.state.spoken[-3:]] == [None, "calm", "happy"]
    heard = [sf.read(t["path"], dtype="float32")[0] for t in takes]
    assert not np.array_equal(heard[0], heard[1]) and not np.array_equal(heard[1], heard[2])
    assert not (tmp_path / "patched.wav").exists()


def test_an_output_folder_that_cannot_be_written_is_refused_before_anything_is_paid(
    run, make_audio, take, sandbox, tmp_path
):
    _clone_host(run, make_audio)
    spoken = len(sandbox.state.spoken)
    line = ["patch", take, "--start", "4.3", "--end", "5.9", "--text", "I said the right word.", "--preset", "Host"]
    missing = run(*line, "-o", tmp_path / "nowhere" / "patched.wav")
    assert missing.code == 2 and "the folder of -o" in missing.err and "does not exist" in missing.err
    if os.geteuid() != 0:  # root writes anywhere: a read-only folder is refused for other users only
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        refused = run(*line, "-o", locked / "patched.wav")
        assert refused.code == 2 and "cannot be written" in refused.err
    assert len(sandbox.state.spoken) == spoken


def test_a_patch_that_cannot_be_written_after_the_speech_says_where_the_speech_is_kept(
    run, make_audio, take, tmp_path, monkeypatch
):
    import errno

    from voiceclone import audio

    _clone_host(run, make_audio)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(audio, "write_sound", full)
    monkeypatch.setattr(audio, "write_spliced", full)
    result = run(
        "patch",
        take,
        "--start",
        "4.3",
        "--end",
        "5.9",
        "--text",
        "I said the right word.",
        "--preset",
        "Host",
        "-o",
        tmp_path / "patched.wav",
    )
    assert result.code == 6, result.err
    kept = result.err.split("The speech is kept as ")[1].split(". Free some space")[0]
    assert Path(kept).is_file() and sf.info(kept).duration > 1.0
    assert not (tmp_path / "patched.wav").exists()


def test_a_patch_deep_in_a_long_take_is_the_take_bit_for_bit_around_it(run, make_audio, take, tmp_path):
    """Only the minute around the phrase is read; the rest of the take, before and after, is copied
    block by block as it is decoded, and comes out exactly as it was (a 24-bit take, 2 minutes)."""
    _clone_host(run, make_audio)
    once, rate = sf.read(str(take), dtype="float32", always_2d=True)
    repeats = int(np.ceil(120 * rate / len(once)))
    long_take = tmp_path / "long.wav"
    sf.write(str(long_take), np.tile(once, (repeats, 1)), rate, subtype="PCM_24")
    offset = (repeats - 2) * len(once) / rate  # a copy of the phrase well past the first window
    start, end = offset + 4.30, offset + 7.30
    argv = ["patch", long_take, "--start", f"{start:.3f}", "--end", f"{end:.3f}"]
    argv += ["--text", "I said exactly the right word, right here, today.", "--preset", "Host"]
    result = run(*argv, "-o", tmp_path / "patched.wav", "--json")
    assert result.code == 0, result.err
    data = result.json()
    original, _ = sf.read(str(long_take), dtype="int32", always_2d=True)
    patched, _ = sf.read(str(tmp_path / "patched.wav"), dtype="int32", always_2d=True)
    assert patched.shape == original.shape and sf.info(str(tmp_path / "patched.wav")).subtype == "PCM_24"
    begin, finish = int(round(data["patch_start_s"] * rate)), int(round(data["patch_end_s"] * rate))
    assert begin > (start - 5) * rate > 60 * rate, "the patch lies deep in the take"
    assert np.array_equal(patched[:begin], original[:begin])
    assert np.array_equal(patched[finish:], original[finish:])
    assert not np.array_equal(patched[begin:finish], original[begin:finish])


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_a_patch_onto_a_really_full_disk_says_so_and_where_the_speech_is_kept(run, make_audio, take, small_disk):
    """A real full disk (a 256 kB tmpfs), not a raised error: the patched take cannot be written,
    the message says the disk is full and where the paid speech is kept, and no partial file stays.
    No error is left inside libsndfile's write callback (it printed a traceback, or came out as an
    AssertionError: an internal error)."""
    _clone_host(run, make_audio)
    argv = ["patch", take, "--start", "4.3", "--end", "5.9", "--text", "I said the right word."]
    result = run(*argv, "--preset", "Host", "-o", small_disk / "patched.wav")
    assert result.code == 6, result.err
    assert "the disk is full" in result.err and "Traceback" not in result.err
    kept = result.err.split("The speech is kept as ")[1].split(". Free some space")[0]
    assert Path(kept).is_file() and sf.info(kept).duration > 1.0
    assert list(small_disk.iterdir()) == []
