"""What the REAPER host captures: the plan for exactly what the track plays over the selection."""

import re
import sys

import pytest

from voiceclone.errors import InputError
from voiceclone.files import media_path
from voiceclone.hosts.base import suggest_voice_id
from voiceclone.hosts.reaper.api import Reaper
from voiceclone.hosts.reaper.project import capture_selection

#: MiniMax API docs, Voice Cloning - Clone (voice_id): 8 to 256 characters, a letter first, then letters,
#: digits, '-' or '_', not ending in '-' or '_'.
DOCUMENTED_VOICE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{6,254}[A-Za-z0-9]")


def capture(reaper):
    return capture_selection(Reaper(reaper.main_globals(), sys.executable, ""))


def test_a_time_selection_clips_the_items_and_keeps_their_offsets(reaper, make_audio):
    track = reaper.add_track("Host", selected=True)
    reaper.add_item(track, str(make_audio("a.wav", 20)), position=2.0, start_offset=1.5, item_vol=0.5, take_vol=0.8)
    reaper.add_item(track, str(make_audio("b.wav", 20)), position=30.0, mute=True)
    reaper.set_time_selection(6.0, 26.0)
    captured = capture(reaper)
    (segment,) = captured.plan.segments
    assert (captured.start_s, captured.plan.length_s) == (6.0, 20.0)
    assert segment.position_s == 0.0 and segment.length_s == 14.5  # the item ends at 2 + (20 - 1.5) s
    assert segment.source_start_s == pytest.approx(1.5 + 4.0)
    assert segment.gain == pytest.approx(0.4)


def test_only_the_selected_track_is_captured_under_a_time_selection(reaper, make_audio):
    host = reaper.add_track("Host", selected=True)
    other = reaper.add_track("Music")
    reaper.add_item(host, str(make_audio("a.wav", 20)), position=0.0)
    reaper.add_item(other, str(make_audio("m.wav", 20, kind="tone")), position=0.0)
    reaper.set_time_selection(0.0, 15.0)
    assert [s.source.endswith("a.wav") for s in capture(reaper).plan.segments] == [True]


def test_the_voice_is_named_after_the_first_take_heard_in_the_time_selection(reaper, make_audio):
    track = reaper.add_track("Host", selected=True)
    reaper.add_item(track, str(make_audio("intro.wav", 12)), position=0.0, take_name="Intro music")
    reaper.add_item(track, str(make_audio("guest.wav", 20)), position=20.0, take_name="Guest take 2")
    reaper.set_time_selection(22.0, 38.0)
    assert capture(reaper).take_name == "Guest take 2"


def test_playrate_without_pitch_preservation_is_reproduced(reaper, make_audio):
    track = reaper.add_track("Host")
    reaper.add_item(
        track,
        str(make_audio("a.wav", 40)),
        position=0.0,
        length=15.0,
        playrate=2.0,
        preserve_pitch=False,
        selected=True,
    )
    (segment,) = capture(reaper).plan.segments
    assert segment.playrate == 2.0 and segment.length_s == 15.0


def test_a_section_source_reads_the_right_part_of_its_parent_file(reaper, make_audio):
    reaper.section_parents_valid = True
    track = reaper.add_track("Host")
    reaper.add_item(
        track,
        str(make_audio("a.wav", 40)),
        position=0.0,
        length=12.0,
        source_type="SECTION",
        section_offset=10.0,
        section_length=20.0,
        selected=True,
    )
    (segment,) = capture(reaper).plan.segments
    assert segment.source.endswith("a.wav") and segment.source_start_s == pytest.approx(10.0)


def test_a_section_whose_parent_the_bridge_passes_as_null_is_refused_with_what_to_do(reaper, make_audio):
    """Whether REAPER's pointer check passes a section's parent source is not documented: if it does
    not, the plugin cannot name the file and says to glue the item."""
    reaper.section_parents_valid = False
    track = reaper.add_track("Host")
    reaper.add_item(
        track,
        str(make_audio("a.wav", 40)),
        position=0.0,
        length=12.0,
        source_type="SECTION",
        section_offset=10.0,
        section_length=20.0,
        selected=True,
    )
    with pytest.raises(InputError, match="plays a section of its file") as caught:
        capture(reaper)
    assert "Glue the item" in caught.value.fix


@pytest.mark.parametrize(
    "setup, words",
    [
        (dict(playrate=1.5, preserve_pitch=True), "time-stretched with pitch preserved"),
        (
            dict(source_type="SECTION", section_offset=0.0, section_length=20.0, reversed=True),
            "plays its source reversed",
        ),
    ],
)
def test_takes_the_job_cannot_reproduce_are_refused_with_what_to_do(reaper, make_audio, setup, words):
    track = reaper.add_track("Host")
    reaper.add_item(track, str(make_audio("a.wav", 40)), position=0.0, length=12.0, selected=True, **setup)
    with pytest.raises(InputError, match=words) as caught:
        capture(reaper)
    assert "Glue" in caught.value.fix


def test_items_on_two_tracks_are_refused(reaper, make_audio):
    for name in ("A", "B"):
        reaper.add_item(reaper.add_track(name), str(make_audio(f"{name}.wav", 12)), position=0.0, selected=True)
    with pytest.raises(InputError, match="the selected items are on 2 tracks"):
        capture(reaper)


def test_only_muted_items_means_nothing_audible(reaper, make_audio):
    track = reaper.add_track("Host")
    reaper.add_item(track, str(make_audio("a.wav", 12)), position=0.0, mute=True, selected=True)
    with pytest.raises(InputError, match="no audible audio"):
        capture(reaper)


@pytest.mark.parametrize("name", ["Host take 3", "3rd guest", "Ünïcode Stimme", "", "a" * 300])
def test_the_suggested_voice_id_is_always_valid(name):
    from datetime import datetime

    suggestion = suggest_voice_id(name, datetime(2026, 11, 25, 10, 15))
    assert DOCUMENTED_VOICE_ID.fullmatch(suggestion), suggestion
    assert suggestion.endswith("_11251015")


def test_a_media_file_name_never_points_at_an_existing_file(tmp_path):
    from datetime import datetime

    moment = datetime(2026, 11, 25, 10, 15, 0)
    first = media_path(tmp_path, "Host: take/1", "speech", moment, ".wav")
    assert first.name == "Voice clone - Host_ take_1 - speech 2026-11-25 101500.wav"
    first.write_bytes(b"earlier speech")
    second = media_path(tmp_path, "Host: take/1", "speech", moment, ".wav")
    assert second.name == "Voice clone - Host_ take_1 - speech 2026-11-25 101500 (2).wav"
    second.write_bytes(b"second speech")
    assert media_path(tmp_path, "Host: take/1", "speech", moment, ".wav").name.endswith(" (3).wav")
    assert first.read_bytes() == b"earlier speech"
