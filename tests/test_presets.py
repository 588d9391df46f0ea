"""The YAML preset store: round trips, atomic writes, corrupt files left alone, concurrent writers."""

import multiprocessing
from pathlib import Path

import pytest
import yaml

from voiceclone.errors import PresetError
from voiceclone.presets import PresetStore, expiry_after, parse_timestamp, timestamp, utc_now


def preset(voice_id: str) -> dict:
    """A preset in the stored shape (every field of the schema present)."""
    now = utc_now()
    return {
        "voice_id": voice_id,
        "base_url": "https://api.minimax.io",
        "created_at": timestamp(now),
        "expires_at": expiry_after(now),
        "model": "speech-2.8-hd",
        "language_boost": None,
        "noise_reduction": False,
        "volume_normalization": False,
        "watermark": False,
        "sample": {
            "sha256": "ab" * 32,
            "duration_s": 12.0,
            "sample_rate": 16000,
            "num_channels": 1,
            "format": "wav",
            "file_id": 7,
            "source": "file /takes/a.wav",
            "archive": None,
        },
        "preview": {"text": None, "path": None},
    }


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


def test_repeated_reads_hand_out_copies_and_see_every_change_to_the_file(tmp_path):
    """A command reads its presets file several times: the same text is parsed once, each read is
    a copy of its own, and a file another program changed (same size, same second) reads anew."""
    path = tmp_path / "presets.yaml"
    store = PresetStore(path)
    store.change(lambda voices: voices.update({"Host": preset("HostVoice01")}))
    first = store.voices()
    first["Host"]["model"] = "changed in memory only"
    assert store.voices()["Host"]["model"] == "speech-2.8-hd"
    text = path.read_text()
    path.write_text(text.replace("HostVoice01", "HostVoice02"))  # the same length, at once
    assert PresetStore(path).voices()["Host"]["voice_id"] == "HostVoice02"


def test_what_a_write_keeps_in_memory_is_what_the_file_reads_back_as(tmp_path):
    """A write keeps what it wrote for the next read (no parse of the file it just wrote): the same
    presets, in the same order, as a fresh read of the file, for values YAML could turn into others."""
    import json

    from voiceclone import presets

    path = tmp_path / "presets.yaml"
    store = PresetStore(path)
    tricky = {**preset("TrickyVoice1"), "model": "yes", "language_boost": "2026-12-01", "mic": "1e3"}
    tricky["preview"] = {"text": "~ null 0x10 : no", "path": "Ünïcode – ☃.mp3"}
    store.change(lambda voices: voices.update({"Zed": preset("ZedVoice01"), "Ålvar ☃": tricky}))
    store.change_library(lambda data: data["pending"].update({"PendingVoice1": {"name": "P", "at": "on"}}))
    for edit in ({"pending"}, set()):
        kept = json.dumps({"voices": store.voices(), "pending": store.pending()})
        presets._PARSED.clear()
        assert json.dumps({"voices": store.voices(), "pending": store.pending()}) == kept
        store.change_library(lambda data, edit=edit: [data[key].clear() for key in edit])
    assert store.pending() == {} and list(store.voices()) == ["Zed", "Ålvar ☃"]


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


@pytest.mark.parametrize(
    "content, words",
    [
        ("voices: [unclosed", "not valid YAML at line"),
        ("- just\n- a list\n", "not a preset library"),
        ("schema: 9\nvoices: {}\n", "schema 9"),
        ("schema: 1\nvoices:\n  A: {model: x}\n", "without a voice_id"),
    ],
)
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
        store.change(lambda voices, i=i: voices.update({f"w{worker}-{i}": preset(f"Worker{worker}Voice{i}")}))


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


OLD_SHAPE = """\
schema: 1
voices:
  Host:
    voice_id: HostVoice01
    created_at: '2026-11-20T14:02:11Z'
    expires_at: null
    sample: {sha256: abc123, source: file /takes/host.wav, archive: samples/abc123.wav}
    preview: {text: Hi., path: null}
    provenance: {operator: Anna, cloned_at: '2026-11-20T14:02:11Z', tool: voiceclone 0.1.0,
                 sample_sha256: abc123, source: file /takes/host.wav, watermark: true, consent: {text: Ben agreed}}
    studio_notes: keep for the Christmas show
"""


def test_a_file_of_the_older_shape_loads_and_is_stored_with_each_fact_once(tmp_path):
    from voiceclone.presets import Preset

    path = tmp_path / "presets.yaml"
    path.write_text(OLD_SHAPE)
    store = PresetStore(path)
    host = store.get("Host")
    assert host["watermark"] is True and host["sample"]["sha256"] == "abc123"
    assert host["provenance"] == {
        "operator": "Anna",
        "cloned_at": "2026-11-20T14:02:11Z",
        "tool": "voiceclone 0.1.0",
        "consent": {"text": "Ben agreed", "audio": None, "audio_sha256": None},
    }
    assert host["studio_notes"] == "keep for the Christmas show", "unknown keys are kept"
    assert path.read_text() == OLD_SHAPE, "reading alone rewrites nothing"
    store.change(lambda voices: voices["Host"].update(last_used_at="2026-11-21T10:00:00Z"))
    written = yaml.safe_load(path.read_text())["voices"]["Host"]
    assert "sample_sha256" not in written["provenance"] and written["sample"]["source"] == "file /takes/host.wav"
    view = Preset.from_mapping(written).provenance_view()
    assert (view["sample_sha256"], view["source"], view["watermark"], view["operator"]) == (
        "abc123",
        "file /takes/host.wav",
        True,
        "Anna",
    )


def test_the_example_library_is_exactly_the_stored_shape():
    from voiceclone.presets import Preset

    example = yaml.safe_load((Path(__file__).resolve().parents[1] / "presets" / "example.yaml").read_text())
    for stored in example["voices"].values():
        assert Preset.from_mapping(stored).to_mapping() == stored, "the documented example is the stored shape"


def test_keys_the_plugin_does_not_know_stay_in_every_record(tmp_path):
    path = tmp_path / "presets.yaml"
    path.write_text(
        OLD_SHAPE.replace("archive: samples/abc123.wav}", "archive: samples/abc123.wav, mic: SM7B}")
        .replace("consent: {text: Ben agreed}", "consent: {text: Ben agreed, witness: Cleo}")
        .replace("sample_sha256: abc123", "sample_sha256: 0ther")
    )
    store = PresetStore(path)
    store.change(lambda voices: voices["Host"].update(last_used_at="2026-11-21T10:00:00Z"))
    written = yaml.safe_load(path.read_text())["voices"]["Host"]
    assert written["sample"]["mic"] == "SM7B" and written["provenance"]["consent"]["witness"] == "Cleo"
    assert written["provenance"]["sample_sha256"] == "0ther", "a copy that disagrees is kept as it was"
