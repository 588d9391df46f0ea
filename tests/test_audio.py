"""Reading and preparing real audio files: the header verdict, and the upload file that meets every
limit of the clone endpoint (10 s to 5 min, 20 MB, mp3/m4a/wav)."""

import hashlib
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
import soundfile as sf

from helpers import signal
from voiceclone import audio
from voiceclone.errors import AudioError

COMPRESSED_TOLERANCE_S = 0.05


def sha256_of(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder) -> set:
    return {p.relative_to(folder) for p in folder.rglob("*")}


@pytest.fixture
def workdir(tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


@pytest.fixture(scope="module")
def studio_take(tmp_path_factory):
    """A 5-minute 48 kHz stereo 24-bit recording of a 1 kHz tone (86 MB), written once."""
    path = tmp_path_factory.mktemp("studio") / "studio take.wav"
    sf.write(str(path), signal(300, 48000, 2, kind="tone"), 48000, subtype="PCM_24")
    return path


def tone_level(data: np.ndarray, sample_rate: int):
    """The strongest frequency (Hz) of ``data`` and its amplitude in dB, from a Hann-windowed FFT."""
    window = np.hanning(len(data))
    spectrum = np.abs(np.fft.rfft(data * window))
    peak = int(np.argmax(spectrum))
    return peak * sample_rate / len(data), 20 * np.log10(2 * spectrum[peak] / window.sum())


# --- probe: the header verdict ------------------------------------------------------------------


def test_a_wav_named_mp3_is_judged_a_wav_by_its_content(make_audio):
    info = audio.probe(make_audio("interview.mp3", 12, fmt="WAV"))
    assert info.format == "wav"
    assert info.subtype == "PCM_16"


def test_an_mp3_named_wav_is_judged_an_mp3_by_its_content(make_audio):
    assert audio.probe(make_audio("interview.wav", 12, fmt="MP3")).format == "mp3"


def test_a_text_file_named_wav_is_refused_as_not_audio(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("These are my notes about the voice, not a recording.\n")
    with pytest.raises(AudioError) as caught:
        audio.probe(path)
    assert "notes.wav is not an audio file" in str(caught.value)
    assert "wav, mp3 or m4a" in caught.value.fix


@pytest.mark.parametrize(
    "name, sample_rate, channels, subtype, tolerance",
    [
        ("voice.wav", 16000, 1, "PCM_16", 0),
        ("voice24.wav", 44100, 2, "PCM_24", 0),
        ("voice.flac", 22050, 2, "PCM_16", 0),
        ("voice.mp3", 44100, 2, "MPEG_LAYER_III", COMPRESSED_TOLERANCE_S),
        # 44.1 kHz: write_m4a does not declare the encoder's 1024 priming samples, which then count as
        # content (64 ms at 16 kHz, 23 ms at 44.1 kHz).
        ("voice.m4a", 44100, 1, "aac", COMPRESSED_TOLERANCE_S),
    ],
)
def test_probe_reports_the_format_rate_channels_and_duration_of_a_real_file(
    make_audio, name, sample_rate, channels, subtype, tolerance
):
    path = make_audio(name, 12, sample_rate, channels, kind="tone", subtype="PCM_24" if "24" in name else "PCM_16")
    info = audio.probe(path)
    assert info.format == name.rsplit(".", 1)[1]
    assert info.subtype == subtype
    assert info.sample_rate == sample_rate
    assert info.num_channels == channels
    assert info.duration_s == pytest.approx(12.0, abs=tolerance)
    assert info.size_bytes == path.stat().st_size


def test_probe_of_a_five_minute_studio_take_gives_its_facts(studio_take):
    info = audio.probe(studio_take)
    assert (info.format, info.subtype, info.sample_rate, info.num_channels) == ("wav", "PCM_24", 48000, 2)
    assert info.duration_s == 300.0
    assert info.size_bytes == studio_take.stat().st_size


def test_a_missing_file_is_refused_by_name(tmp_path):
    with pytest.raises(AudioError) as caught:
        audio.probe(tmp_path / "take 3.wav")
    assert str(caught.value) == f"no such file: {tmp_path / 'take 3.wav'}"


def test_an_empty_file_is_refused_as_empty(tmp_path):
    (tmp_path / "take.wav").touch()
    with pytest.raises(AudioError) as caught:
        audio.probe(tmp_path / "take.wav")
    assert str(caught.value) == f"{tmp_path / 'take.wav'} is empty (0 bytes)"


def test_a_folder_is_refused_as_a_folder(tmp_path):
    with pytest.raises(AudioError) as caught:
        audio.probe(tmp_path)
    assert str(caught.value) == f"{tmp_path} is a folder, not an audio file"


def test_a_wav_with_a_damaged_header_is_refused_as_damaged(tmp_path):
    path = tmp_path / "broken.wav"
    path.write_bytes(b"RIFF\x24\x00\x00\x00WAVEjunkjunkjunk" + bytes(64))
    with pytest.raises(AudioError) as caught:
        audio.probe(path)
    assert "broken.wav looks like wav but its header is damaged" in str(caught.value)


# --- prepare: files already within the limits ---------------------------------------------------


@pytest.mark.parametrize("sample_rate, channels", [(16000, 1), (44100, 2)])
def test_a_16_bit_wav_within_the_limits_is_uploaded_untouched(make_audio, workdir, sample_rate, channels):
    path = make_audio("host.wav", 12, sample_rate, channels, kind="tone")
    prepared = audio.prepare(path, workdir)
    assert prepared.untouched
    assert prepared.path == path
    assert prepared.sha256 == sha256_of(path)
    assert prepared.fixes == ()
    assert (prepared.format, prepared.filename) == ("wav", "host.wav")
    assert (prepared.sample_rate, prepared.num_channels) == (sample_rate, channels)
    assert prepared.duration_s == 12.0
    assert prepared.size_bytes == path.stat().st_size
    assert listing(workdir) == set()


def test_a_wav_named_mp3_is_uploaded_under_a_wav_name(make_audio, workdir):
    prepared = audio.prepare(make_audio("host.mp3", 12, fmt="WAV"), workdir)
    assert prepared.untouched
    assert (prepared.format, prepared.filename) == ("wav", "host.wav")


def test_an_aac_m4a_within_the_limits_is_decoded_checked_and_uploaded_untouched(make_audio, workdir):
    path = make_audio("phone memo.m4a", 12, 44100, kind="tone")
    prepared = audio.prepare(path, workdir)
    assert prepared.untouched
    assert prepared.path == path
    assert prepared.sha256 == sha256_of(path)
    assert prepared.filename == "phone-memo.m4a"
    assert prepared.duration_s == pytest.approx(12.0, abs=COMPRESSED_TOLERANCE_S)
    assert prepared.report.duration_s == pytest.approx(12.0, abs=COMPRESSED_TOLERANCE_S)
    assert prepared.report.peak_dbfs > -12


# --- prepare: files that are fixed --------------------------------------------------------------


@pytest.mark.parametrize("subtype, described", [("PCM_24", "24-bit PCM"), ("FLOAT", "32-bit float")])
def test_a_24_bit_or_float_wav_becomes_a_16_bit_pcm_wav(make_audio, workdir, subtype, described):
    path = make_audio("take.wav", 12, 24000, subtype=subtype)
    prepared = audio.prepare(path, workdir)
    assert not prepared.untouched
    assert prepared.path.parent == workdir
    assert prepared.fixes == (f"converted {described} to 16-bit PCM WAV",)
    written = sf.info(str(prepared.path))
    assert (written.format, written.subtype) == ("WAV", "PCM_16")
    assert (written.samplerate, written.channels, written.duration) == (24000, 1, 12.0)
    assert prepared.sha256 == sha256_of(prepared.path)
    assert prepared.size_bytes == prepared.path.stat().st_size
    assert prepared.filename == "take.wav"
    assert sf.info(str(path)).subtype == subtype  # the user's file is left as it was


def test_a_flac_is_converted_to_wav(make_audio, workdir):
    prepared = audio.prepare(make_audio("take.flac", 12, 22050, 2), workdir)
    assert not prepared.untouched
    assert any("converted flac" in fix and "WAV" in fix for fix in prepared.fixes)
    written = sf.info(str(prepared.path))
    assert (written.format, written.subtype, written.samplerate, written.channels) == ("WAV", "PCM_16", 22050, 2)
    assert written.duration == 12.0
    assert (prepared.format, prepared.filename) == ("wav", "take.wav")


def test_a_six_minute_file_is_trimmed_to_exactly_five_minutes(make_audio, workdir):
    path = make_audio("long read.wav", 360, kind="tone")
    prepared = audio.prepare(path, workdir)
    assert not prepared.untouched
    assert prepared.duration_s == 300.0
    assert sf.info(str(prepared.path)).duration == 300.0
    assert len(prepared.fixes) == 1 and "trimmed to 5:00" in prepared.fixes[0]
    assert "0.00-300.00 s" in prepared.fixes[0]


def test_a_region_gives_exactly_that_stretch_of_the_source(make_audio, workdir):
    path = make_audio("session.wav", 20, subtype="PCM_24")
    prepared = audio.prepare(path, workdir, start=2.5, end=14.25)
    assert prepared.duration_s == 11.75
    assert sf.info(str(prepared.path)).duration == 11.75
    assert "used the region 2.50-14.25 s of the file" in prepared.fixes
    source, rate = sf.read(str(path), dtype="float32")
    written, written_rate = sf.read(str(prepared.path), dtype="int16")
    assert written_rate == rate
    expected = source[int(2.5 * rate) : int(14.25 * rate)]
    assert np.abs(written / 32767.0 - expected).max() < 2 / 32767


def test_a_region_of_an_m4a_is_converted_to_a_wav_of_that_length(make_audio, workdir):
    prepared = audio.prepare(make_audio("memo.m4a", 14, 44100, kind="tone"), workdir, start=1, end=11.5)
    assert not prepared.untouched
    assert (prepared.format, prepared.filename) == ("wav", "memo.wav")
    written = sf.info(str(prepared.path))
    assert (written.format, written.subtype) == ("WAV", "PCM_16")
    assert written.duration == pytest.approx(10.5, abs=1 / 44100)
    assert prepared.duration_s == pytest.approx(10.5, abs=1 / 44100)


def test_a_five_minute_48k_stereo_24_bit_take_is_fitted_under_20_mb_without_changing_the_tone(studio_take, workdir):
    prepared = audio.prepare(studio_take, workdir)
    assert prepared.size_bytes <= 20_000_000
    assert prepared.path.stat().st_size <= 20_000_000
    written = sf.info(str(prepared.path))
    assert (written.format, written.subtype, written.channels, written.samplerate) == ("WAV", "PCM_16", 1, 32000)
    assert written.duration == pytest.approx(300.0, abs=0.001)
    assert (prepared.num_channels, prepared.sample_rate) == (1, 32000)
    fixes = " | ".join(prepared.fixes)
    assert "24-bit" in fixes and "mono" in fixes and "48000 Hz to 32000 Hz" in fixes

    source, rate = sf.read(str(studio_take), start=150 * 48000, frames=48000, dtype="float32")
    output, out_rate = sf.read(str(prepared.path), start=150 * 32000, frames=32000, dtype="float32")
    source_hz, source_db = tone_level(source[:, 0], rate)
    output_hz, output_db = tone_level(output, out_rate)
    assert source_hz == 1000.0
    assert output_hz == 1000.0
    assert output_db == pytest.approx(source_db, abs=0.1)


# --- prepare: files that are refused ------------------------------------------------------------


def test_a_file_just_under_10_seconds_is_refused_with_its_length(make_audio, workdir):
    with pytest.raises(AudioError) as caught:
        audio.prepare(make_audio("short.wav", 9.5), workdir)
    assert "9.5 s" in str(caught.value)
    assert "10 s" in str(caught.value)


def test_the_length_shown_for_a_too_short_file_is_below_10_seconds(make_audio, workdir):
    with pytest.raises(AudioError) as caught:
        audio.prepare(make_audio("short.wav", 9.96), workdir)
    shown = float(re.search(r"is ([0-9.]+) s", str(caught.value)).group(1))
    assert shown < 10


def test_a_region_shorter_than_10_seconds_is_refused_with_its_length(make_audio, workdir):
    with pytest.raises(AudioError, match="the sample is 8 s;"):
        audio.prepare(make_audio("take.wav", 30), workdir, start=5, end=13)


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24"])
def test_digital_silence_is_refused(make_audio, workdir, subtype):
    with pytest.raises(AudioError) as caught:
        audio.prepare(make_audio("muted.wav", 12, kind="silence", subtype=subtype), workdir)
    assert "digital silence" in str(caught.value)


def test_a_nan_sample_is_refused_without_a_numpy_warning(make_audio, workdir):
    path = make_audio("damaged.wav", 12, kind="nan", subtype="FLOAT")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AudioError, match="NaN"):
            audio.prepare(path, workdir)


@pytest.mark.parametrize(
    "make_args",
    [
        dict(name="muted.wav", seconds=12, kind="silence", subtype="PCM_24"),
        dict(name="damaged.wav", seconds=12, kind="nan", subtype="FLOAT"),
        dict(name="short.wav", seconds=9.5, subtype="PCM_24"),
        dict(name="muted.flac", seconds=12, kind="silence"),
    ],
    ids=["silent 24-bit", "NaN float", "too short", "silent flac"],
)
def test_a_refused_file_leaves_nothing_behind_in_the_workdir(make_audio, workdir, make_args):
    path = make_audio(**make_args)
    with pytest.raises(AudioError):
        audio.prepare(path, workdir)
    assert listing(workdir) == set()


@pytest.mark.parametrize("kind, warned", [("clipped", True), ("voice", False)])
def test_clipping_is_reported_as_a_warning(make_audio, workdir, kind, warned):
    prepared = audio.prepare(make_audio("hot.wav", 12, kind=kind), workdir)
    assert any("clipped" in warning for warning in prepared.report.warnings) == warned


# --- prepare: the prompt clip -------------------------------------------------------------------


def test_a_5_second_prompt_clip_is_accepted(make_audio, workdir):
    path = make_audio("prompt.wav", 5)
    prepared = audio.prepare(path, workdir, purpose="prompt_audio")
    assert prepared.untouched
    assert prepared.duration_s == 5.0
    assert prepared.sha256 == sha256_of(path)


@pytest.mark.parametrize("seconds", [8.0, 12.0])
def test_a_prompt_clip_of_8_seconds_or_more_is_refused(make_audio, workdir, seconds):
    with pytest.raises(AudioError) as caught:
        audio.prepare(make_audio("prompt.wav", seconds), workdir, purpose="prompt_audio")
    assert f"the prompt audio is {seconds:.1f} s" in str(caught.value)
    assert "shorter than 8 s" in str(caught.value)
    assert listing(workdir) == set()


def test_a_5_second_region_of_a_long_take_is_accepted_as_a_prompt(make_audio, workdir):
    prepared = audio.prepare(make_audio("take.wav", 30), workdir, purpose="prompt_audio", start=3, end=8)
    assert prepared.duration_s == 5.0
    assert sf.info(str(prepared.path)).duration == 5.0


# --- inspect and convert ------------------------------------------------------------------------


def test_inspect_plans_and_checks_a_file_but_writes_nothing(make_audio, tmp_path, monkeypatch):
    path = make_audio("take.wav", 12, 48000, 2, kind="tone", subtype="PCM_24")
    monkeypatch.chdir(tmp_path)
    before = listing(tmp_path)
    plan, report = audio.inspect(audio.probe(path), start=1, end=11)
    assert listing(tmp_path) == before
    assert not plan.untouched
    assert any("24-bit" in fix for fix in plan.fixes)
    assert report.duration_s == 10.0
    assert report.problem() is None


def test_convert_re_encodes_an_mp3_when_the_target_is_a_wav(make_audio, tmp_path):
    source = make_audio("preview.mp3", 12)
    target = audio.convert(source, tmp_path / "preview.wav")
    assert target == tmp_path / "preview.wav"
    assert not source.exists()
    assert target.read_bytes()[:4] == b"RIFF"
    written = sf.info(str(target))
    assert (written.format, written.subtype) == ("WAV", "PCM_16")
    assert written.duration == pytest.approx(12.0, abs=COMPRESSED_TOLERANCE_S)
    assert [p.name for p in tmp_path.iterdir()] == ["preview.wav"]


@pytest.mark.parametrize(
    "name, target_name", [("preview.mp3", "voice.mp3"), ("preview.wav", "voice.wav"), ("preview.wav", "voice.audio")]
)
def test_convert_moves_the_file_when_no_re_encoding_is_needed(make_audio, tmp_path, name, target_name):
    source = make_audio(name, 12)
    digest = sha256_of(source)
    target = audio.convert(source, tmp_path / target_name)
    assert not source.exists()
    assert sha256_of(target) == digest


def test_convert_writes_a_16_bit_flac_when_the_target_is_a_flac(make_audio, tmp_path):
    source = make_audio("preview.wav", 12, subtype="FLOAT")
    target = audio.convert(source, tmp_path / "preview.flac")
    assert not source.exists()
    written = sf.info(str(target))
    assert (written.format, written.subtype, written.duration) == ("FLAC", "PCM_16", 12.0)


def test_more_than_two_channels_are_mixed_down_to_mono_and_said(make_audio, workdir):
    path = make_audio("surround.wav", 12, 16000, 6)
    prepared = audio.prepare(path, workdir)
    assert not prepared.untouched and prepared.num_channels == 1
    assert any("mixed 6 channels down to mono (the clone endpoint takes mono or stereo)" in f for f in prepared.fixes)
    assert sf.info(str(prepared.path)).channels == 1


def test_a_file_over_the_size_limit_only_by_its_metadata_says_why_it_is_rewritten(make_audio, workdir):
    path = make_audio("tagged.wav", 12, 16000)
    with sf.SoundFile(str(path), "r+") as tagged:
        tagged.comment = "session notes " * 400  # a few KB of metadata beside the audio
    info = audio.probe(path)
    plan = audio.plan_upload(info, max_bytes=info.size_bytes - 100)
    assert not plan.untouched and (plan.sample_rate, plan.num_channels) == (16000, 1)
    assert len(plan.fixes) == 1 and "over the" in plan.fixes[0] and "by what is not audio" in plan.fixes[0]


def test_an_mp3_read_in_blocks_is_the_whole_decode(make_audio):
    """A seek resets the MPEG decoder (it loses the bit reservoir): block reads and --start must not
    seek inside an mp3, or every block boundary is damaged by up to 0.1 of full scale."""
    path = make_audio("take.mp3", 30, 22050)
    info = audio.probe(path)
    whole, _ = sf.read(str(path), dtype="float32", always_2d=True)

    def same(a, b):
        return a.shape == b.shape and float(np.max(np.abs(a - b))) < 1e-6  # float rounding only

    for block_frames in (4096, 65536):
        assert same(np.concatenate(list(audio.blocks(info, 0, info.num_frames, block_frames))), whole)
    assert same(np.concatenate(list(audio.blocks(info, 100_000, 300_000, 4096))), whole[100_000:300_000])
    assert same(audio.read_frames(path, 123_457, 5000), whole[123_457:128_457])


def _voiceclone(env, *argv):
    return subprocess.run(
        [sys.executable, "-m", "voiceclone", *map(str, argv)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_probing_and_cloning_an_mp3_keep_the_terminal_clean(env, make_audio):
    path = make_audio("take.mp3", 30, 22050)
    checked = _voiceclone(env, "validate", path, "--start", "0:03")
    cloned = _voiceclone(env, "clone", path, "--voice-id", "HostVoice01", "--start", "3.5", "--text", "Hi.")
    assert checked.returncode == 0 and cloned.returncode == 0, cloned.stderr
    for done in (checked, cloned):
        assert "libmpg123" not in done.stderr and "part2_3_length" not in done.stderr, done.stderr


def test_a_damaged_mp3_is_refused_in_plain_words_without_the_decoders_chatter(env, make_audio, tmp_path):
    data = bytearray(make_audio("take.mp3", 30, 22050).read_bytes())
    middle = len(data) // 3
    data[middle : middle + 4000] = np.random.default_rng(1).integers(0, 256, 4000, dtype=np.uint8).tobytes()
    broken = tmp_path / "broken.mp3"
    broken.write_bytes(bytes(data))
    done = _voiceclone(env, "clone", broken, "--voice-id", "HostVoice01")
    assert done.returncode == 2, done.stderr
    assert "broken.mp3 is damaged: decoding failed (" in done.stderr
    assert "Export the audio again, or convert it to WAV." in done.stderr
    assert "libmpg123" not in done.stderr and "Note:" not in done.stderr, done.stderr
