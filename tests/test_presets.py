"""The YAML preset store: round trips, atomic writes, corrupt files left alone, concurrent writers."""
import multiprocessing
from pathlib import Path

import pytest
import yaml

from voiceclone.errors import PresetError
from voiceclone.presets import PresetStore, expiry_after, parse_timestamp, timestamp, utc_now


def preset(voice_id: str) -> dict:
    now = utc_now()
    return {"voice_id": voice_id, "base_url": "https://api.minimax.io", "created_at": timestamp(now),
            "expires_at": expiry_after(now), "model": "speech-2.8-hd", "language_boost": None,
            "sample": {"sha256": "ab" * 32, "duration_s": 12.0, "sample_rate": 16000}}


def test_a_saved_preset_reads_back_the_same_from_a_real_yaml_file(tmp_path):
    store = PresetStore(tmp_path / "presets.yaml")
    saved = preset("HostVoice01")
    store.change(lambda voices: voices.update({"Host voice": saved}))

    again = PresetStore(tmp_path / "presets.yaml")
    assert again.voices() == {"Host voice": saved}
    raw = yaml.safe_load((tmp_path / "presets.yaml").read_text())
    assert raw["schema"] == 1
    assert raw["voices"]["Host voice"]["voice_id"] == "HostVoice01"
    assert isinstance(raw["voices"]["Host voice"]["created_at"], str), "timestamps stay strings in YAML"


def test_expiry_is_seven_days_after_creation():
    created = parse_timestamp("2026-11-25T09:00:00Z")
    assert expiry_after(created) == "2026-12-02T09:00:00Z"


def test_a_hand_edited_unquoted_timestamp_still_reads():
    assert timestamp(parse_timestamp(yaml.safe_load("t: 2026-11-25T09:00:00Z")["t"])) == "2026-11-25T09:00:00Z"


def test_a_missing_file_is_an_empty_library_and_is_created_on_first_save(tmp_path):
    store = PresetStore(tmp_path / "new" / "folder" / "presets.yaml")
    assert store.voices() == {}
    store.change(lambda voices: voices.update({"A": preset("VoiceAaaa1")}))
    assert store.path.exists()


@pytest.mark.parametrize("content, words", [
    ("voices: [unclosed", "not valid YAML at line"),
    ("- just\n- a list\n", "not a preset library"),
    ("schema: 9\nvoices: {}\n", "schema 9"),
    ("schema: 1\nvoices:\n  A: {model: x}\n", "without a voice_id"),
])
def test_a_corrupt_file_is_reported_and_never_overwritten(tmp_path, content, words):
    path = tmp_path / "presets.yaml"
    path.write_text(content)
    store = PresetStore(path)
    with pytest.raises(PresetError) as caught:
        store.change(lambda voices: voices.update({"B": preset("VoiceBbbb2")}))
    assert words in str(caught.value)
    assert "left untouched" in str(caught.value)
    assert path.read_text() == content
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_an_edit_that_fails_writes_nothing(tmp_path):
    store = PresetStore(tmp_path / "presets.yaml")
    store.change(lambda voices: voices.update({"A": preset("VoiceAaaa1")}))
    before = store.path.read_bytes()

    def broken(voices):
        voices["B"] = preset("VoiceBbbb2")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        store.change(broken)
    assert store.path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_unknown_preset_names_the_ones_that_exist(tmp_path):
    store = PresetStore(tmp_path / "presets.yaml")
    store.change(lambda voices: voices.update({"Anna": preset("AnnaVoice1")}))
    with pytest.raises(PresetError, match="no preset named 'Bob'.*") as caught:
        store.get("Bob")
    assert "Anna" in caught.value.fix


def _add_presets(path: str, worker: int, count: int) -> None:
    store = PresetStore(Path(path))
    for i in range(count):
        store.change(lambda voices: voices.update({f"w{worker}-{i}": preset(f"Worker{worker}Voice{i}")}))


def test_concurrent_writers_from_several_processes_lose_nothing(tmp_path):
    path = str(tmp_path / "presets.yaml")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_add_presets, args=(path, w, 10)) for w in range(6)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    voices = PresetStore(Path(path)).voices()
    assert len(voices) == 60
    assert {p["voice_id"] for p in voices.values()} == {f"Worker{w}Voice{i}" for w in range(6) for i in range(10)}


def test_the_shipped_example_library_loads():
    example = Path(__file__).resolve().parents[1] / "presets" / "example.yaml"
    voices = PresetStore(example).voices()
    assert {p["voice_id"] for p in voices.values()} == {"HostVoice01", "GuestVoice02"}
