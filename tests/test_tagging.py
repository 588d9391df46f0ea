"""Every audio file the plugin writes says it is AI-generated, with the voice_id, model and date."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from voiceclone import tagging


def metadata(path) -> dict:
    with sf.SoundFile(str(path)) as f:
        return f.copy_metadata()


@pytest.mark.parametrize("fmt, subtype", [("WAV", "PCM_16"), ("FLAC", "PCM_16"), ("MP3", None)])
def test_tags_read_back_and_the_audio_is_unchanged(tmp_path, fmt, subtype):
    path = tmp_path / f"speech.{fmt.lower()}"
    sf.write(str(path), (0.3 * np.sin(np.arange(24000) / 5)).astype(np.float32), 24000, subtype=subtype, format=fmt)
    before, _ = sf.read(str(path), dtype="float32")
    tagging.tag(path, voice_id="HostVoice01", model="speech-2.8-hd", date="2026-11-25T10:00:00Z")
    found = metadata(path)
    assert found["title"] == "AI-generated voice"
    assert (
        "AI-generated speech in a cloned voice: MiniMax voice_id HostVoice01, model speech-2.8-hd, made "
        "2026-11-25T10:00:00Z" in found["comment"]
    )
    after, _ = sf.read(str(path), dtype="float32")
    assert np.array_equal(before, after)


def test_an_mp3_tag_is_replaced_not_stacked(tmp_path):
    path = tmp_path / "p.mp3"
    sf.write(str(path), np.zeros(24000, np.float32), 24000, format="MP3")
    tagging.tag(path, voice_id="OldVoice01", model="m", date="d")
    tagging.tag(path, voice_id="NewVoice01", model="m", date="d")
    assert "NewVoice01" in metadata(path)["comment"]
    assert path.read_bytes().count(b"ID3") == 1


def test_cloned_previews_and_spoken_files_are_tagged(run, make_audio, tmp_path):
    data = run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--text", "Hi.", "--json").json()
    assert "voice_id HostVoice01, model speech-2.8-hd" in metadata(Path(data["preview_path"]))["comment"]
    for name in ("line.wav", "line.flac", "line.mp3"):
        assert run("speak", "--voice-id", "HostVoice01", "Hello.", "-o", tmp_path / name).code == 0
        assert "voice_id HostVoice01" in metadata(tmp_path / name)["comment"], name


def test_a_wav_tag_is_replaced_not_stacked_and_its_sample_bytes_stay_as_they_were(tmp_path):
    path = tmp_path / "line.wav"
    sf.write(str(path), (0.3 * np.sin(np.arange(24001) / 5)).astype(np.float32), 24000, subtype="PCM_24")
    original = path.read_bytes()
    tagging.tag(path, voice_id="OldVoice01", model="m", date="d")
    tagging.tag(path, voice_id="NewVoice01", model="m", date="d")
    tagged = path.read_bytes()
    assert tagged.count(b"LIST") == 1 and "NewVoice01" in metadata(path)["comment"]
    start = original.index(b"data")
    size = int.from_bytes(original[start + 4 : start + 8], "little")
    assert original[start : start + 8 + size] in tagged, "the data chunk is copied byte for byte"
    assert int.from_bytes(tagged[4:8], "little") == len(tagged) - 8, "the RIFF size covers the new chunk"
