"""WAV samples read straight from the file with numpy are the very floats libsndfile gives, for every
PCM width, float, the extensible header and files whose chunks are out of the ordinary; anything
else is left to libsndfile."""

import numpy as np
import pytest
import soundfile as sf

from voiceclone import audio, wav_pcm

RATE = 48000


def _noise(frames: int, channels: int) -> np.ndarray:
    rng = np.random.default_rng(frames + channels)
    return np.clip(rng.standard_normal((frames, channels)) * 0.3, -1, 1)


def _read_all(path, start=0, end=None, block=4096) -> np.ndarray:
    info = audio.probe(path)
    end = info.num_frames if end is None else end
    return np.concatenate(list(audio.blocks(info, start, end, block)))


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "PCM_32", "FLOAT"])
@pytest.mark.parametrize("container", ["WAV", "WAVEX"])
@pytest.mark.parametrize("channels", [1, 2, 3])
def test_numpy_reads_what_libsndfile_reads_bit_for_bit(tmp_path, subtype, container, channels):
    path = tmp_path / "take.wav"
    sf.write(str(path), _noise(RATE + 123, channels), RATE, subtype=subtype, format=container)
    assert wav_pcm.layout(path) is not None, "the fast path is the one tested"
    expected, _ = sf.read(str(path), dtype="float32", always_2d=True)
    assert np.array_equal(_read_all(path, block=1000), expected)
    assert np.array_equal(_read_all(path, 777, 30001, 4096), expected[777:30001])


def test_chunks_before_and_after_the_samples_are_stepped_over(tmp_path):
    path = tmp_path / "tagged.wav"
    with sf.SoundFile(str(path), "w", RATE, 2, "PCM_24") as handle:
        handle.title, handle.comment = "a title", "an odd-length comment"
        handle.write(_noise(RATE, 2))
    assert wav_pcm.layout(path) is not None
    expected, _ = sf.read(str(path), dtype="float32", always_2d=True)
    assert np.array_equal(_read_all(path), expected)


def test_a_file_cut_short_reads_the_frames_it_holds(tmp_path):
    path = tmp_path / "cut.wav"
    sf.write(str(path), _noise(RATE, 2), RATE, subtype="PCM_24")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 3 * 2 * 1000 - 2])  # 1000 frames and part of one gone
    expected, _ = sf.read(str(path), dtype="float32", always_2d=True)
    assert len(expected) == RATE - 1001
    assert np.array_equal(_read_all(path), expected)


@pytest.mark.parametrize("subtype", ["PCM_U8", "DOUBLE", "ULAW"])
def test_other_encodings_are_left_to_libsndfile(tmp_path, subtype):
    path = tmp_path / "other.wav"
    sf.write(str(path), _noise(RATE, 1), RATE, subtype=subtype)
    assert wav_pcm.layout(path) is None
    expected, _ = sf.read(str(path), dtype="float32", always_2d=True)
    assert np.array_equal(_read_all(path), expected)


def _sha256(path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "subtype, channels, rate, seconds",
    [("PCM_16", 1, 16000, 12), ("PCM_24", 2, 48000, 12), ("PCM_16", 2, 48000, 130)],
    ids=["untouched 16-bit mono", "rewritten 24-bit stereo", "downmixed and resampled to fit 20 MB"],
)
def test_the_uploads_hash_is_the_hash_of_its_bytes(tmp_path, monkeypatch, subtype, channels, rate, seconds):
    """Hashed while it is read (untouched) or written (fixed), never read again: the same digest."""
    from voiceclone import files

    def second_read(path):
        raise AssertionError(f"{path} was read again to hash it")

    monkeypatch.setattr(files, "sha256_file", second_read)
    take = tmp_path / "take.wav"
    t = np.arange(seconds * rate) / rate
    voice = 0.3 * np.sin(2 * np.pi * 150 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    with sf.SoundFile(str(take), "w", rate, channels, subtype) as handle:
        handle.comment = "a chunk after the samples"
        handle.write(np.repeat(voice[:, None], channels, axis=1))
    prepared = audio.prepare(take, tmp_path)
    assert prepared.untouched == (subtype == "PCM_16" and seconds == 12)
    assert prepared.sha256 == _sha256(prepared.path)


def test_a_written_file_whose_count_differs_from_its_promise_is_mended_and_hashed_again(tmp_path):
    path = tmp_path / "out.wav"
    writer = wav_pcm.Writer(path, 16000, 1, frames=1000)
    writer.write(np.arange(990, dtype=np.int16))
    digest = writer.close()
    assert digest == _sha256(path)
    data, rate = sf.read(str(path), dtype="int16")
    assert rate == 16000 and np.array_equal(data, np.arange(990, dtype=np.int16))
