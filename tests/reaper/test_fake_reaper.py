"""The fake REAPER keeps the documented bridge behaviour (REAPER's ``reaper_python.py`` and the
ReaScript API docs): string handles with truthy NULLs, out-parameters echoed in tuples, RPR_defer
only in __main__, undo blocks, and modal dialogs a test must expect."""

import re
import sys
import textwrap
from types import SimpleNamespace

import pytest
from fake_reaper import BUILD_PEAKS, null_handle, parse_captions

NULL = "0x0000000000000000"


def write_script(folder, name, source):
    path = folder / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


@pytest.fixture
def scene(reaper, make_audio):
    """A "Voice" track with one selected item playing a 3 s 16 kHz file from 0.5 s, and a second
    item playing a SECTION (1.0 s from 0.25 s) of the same file."""
    wav = make_audio("voice.wav", 3, 16000)
    track = reaper.add_track("Voice", selected=True)
    item = reaper.add_item(track, wav, position=10.0, length=2.0, start_offset=0.5, selected=True)
    section_item = reaper.add_item(
        track, wav, position=20.0, source_type="SECTION", section_offset=0.25, section_length=1.0
    )
    take = reaper.RPR_GetActiveTake(item)
    section_source = reaper.RPR_GetMediaItemTake_Source(reaper.RPR_GetActiveTake(section_item))
    return SimpleNamespace(
        wav=wav,
        track=track,
        item=item,
        take=take,
        source=reaper.RPR_GetMediaItemTake_Source(take),
        section_item=section_item,
        section_source=section_source,
    )


# --- handles (reaper_python.py) -------------------------------------------------------------------


def test_a_null_handle_is_a_truthy_string_ending_in_zeros(reaper):
    track = reaper.RPR_GetTrack(0, 0)
    assert track == "(MediaTrack*)" + NULL
    assert track and isinstance(track, str)
    assert reaper.RPR_GetSelectedMediaItem(0, 0) == "(MediaItem*)" + NULL


def test_getting_by_an_index_out_of_range_gives_the_null_handle_of_that_type(scene, reaper):
    assert reaper.RPR_GetTrack(0, 1) == null_handle("MediaTrack*")
    assert reaper.RPR_GetTrack(0, -1).endswith(NULL)
    assert reaper.RPR_GetTrackMediaItem(scene.track, 2) == "(MediaItem*)" + NULL
    assert reaper.RPR_GetSelectedMediaItem(0, 1) == "(MediaItem*)" + NULL
    assert reaper.RPR_GetActiveTake(reaper.RPR_AddMediaItemToTrack(scene.track)) == "(MediaItem_Take*)" + NULL
    assert reaper.RPR_GetMediaSourceParent(scene.source) == "(PCM_source*)" + NULL


def test_handles_are_pointer_strings_stable_and_unique(scene, reaper):
    assert re.fullmatch(r"\(MediaTrack\*\)0x[0-9A-F]{16}", scene.track)
    assert re.fullmatch(r"\(MediaItem_Take\*\)0x[0-9A-F]{16}", scene.take)
    assert reaper.RPR_GetTrack(0, 0) == reaper.RPR_GetTrack(0, 0) == scene.track
    assert scene.item != scene.section_item


def test_a_handle_of_the_wrong_type_acts_as_null(scene, reaper):
    assert reaper.RPR_GetMediaTrackInfo_Value(scene.item, "IP_TRACKNUMBER") == 0.0
    assert reaper.RPR_GetTrackName(scene.item, "", 512) == (0, scene.item, "", 512)
    assert reaper.RPR_CountTrackMediaItems(scene.take) == 0
    assert reaper.RPR_GetActiveTake(scene.track) == "(MediaItem_Take*)" + NULL
    assert reaper.RPR_SetMediaItemInfo_Value(scene.track, "D_POSITION", 1.0) == 0
    assert reaper.RPR_ValidatePtr2(0, scene.item, "MediaTrack*") == 0


def test_malformed_or_zero_handles_act_as_null_without_an_exception(scene, reaper):
    lower_case = scene.track.lower().replace("(mediatrack*)", "(MediaTrack*)")
    for bad in (lower_case, 0, None, "", "(MediaTrack*)0x0000000012345678"):
        assert reaper.RPR_CountTrackMediaItems(bad) == 0
        assert reaper.RPR_GetMediaItemInfo_Value(bad, "D_LENGTH") == 0.0


def test_project_arguments_take_0_none_or_the_project_handle(scene, reaper):
    project = reaper.RPR_EnumProjects(-1, "", 4096)[0]
    assert reaper.RPR_CountTracks(0) == reaper.RPR_CountTracks(None) == reaper.RPR_CountTracks(project) == 1


def test_numbers_pass_through_ctypes_so_a_float_index_fails_as_in_reaper(scene, reaper):
    with pytest.raises(TypeError):
        reaper.RPR_GetTrack(0, 0.0)


def test_c_bools_come_back_as_int(scene, reaper):
    for value in (
        reaper.RPR_TakeIsMIDI(scene.take),
        reaper.RPR_HasExtState("x", "y"),
        reaper.RPR_ValidatePtr2(0, scene.item, "MediaItem*"),
        reaper.RPR_MoveMediaItemToTrack(scene.item, scene.track),
    ):
        assert type(value) is int


# --- out-parameter tuples: the reference's tables (the ReaScript API docs) ------------------------

OUT_PARAMETER_SHAPES = {
    "GetMediaSourceFileName": (
        lambda r, s: r.RPR_GetMediaSourceFileName(s.source, "", 4096),
        lambda r, s: (s.source, str(s.wav), 4096),
    ),
    "GetMediaSourceType": (
        lambda r, s: r.RPR_GetMediaSourceType(s.source, "", 64),
        lambda r, s: (s.source, "WAVE", 64),
    ),
    "GetMediaSourceLength": (lambda r, s: r.RPR_GetMediaSourceLength(s.source, False), lambda r, s: (3.0, s.source, 0)),
    "PCM_Source_GetSectionInfo": (
        lambda r, s: r.RPR_PCM_Source_GetSectionInfo(s.section_source, 0.0, 0.0, False),
        lambda r, s: (1, s.section_source, 0.25, 1.0, 0),
    ),
    "GetSet_LoopTimeRange2": (
        lambda r, s: r.RPR_GetSet_LoopTimeRange2(0, False, False, 0.0, 0.0, False),
        lambda r, s: (0, False, False, 11.0, 21.5, False),
    ),
    "GetTrackName": (lambda r, s: r.RPR_GetTrackName(s.track, "", 512), lambda r, s: (1, s.track, "Voice", 512)),
    "GetSetMediaTrackInfo_String get": (
        lambda r, s: r.RPR_GetSetMediaTrackInfo_String(s.track, "P_NAME", "", False),
        lambda r, s: (1, s.track, "P_NAME", "Voice", False),
    ),
    "GetSetMediaTrackInfo_String set": (
        lambda r, s: r.RPR_GetSetMediaTrackInfo_String(s.track, "P_NAME", "New", True),
        lambda r, s: (1, s.track, "P_NAME", "New", True),
    ),
    "GetSetMediaItemTakeInfo_String": (
        lambda r, s: r.RPR_GetSetMediaItemTakeInfo_String(s.take, "P_NAME", "", False),
        lambda r, s: (1, s.take, "P_NAME", "voice.wav", False),
    ),
    "GetProjectPathEx": (
        lambda r, s: r.RPR_GetProjectPathEx(0, "", 4096),
        lambda r, s: (0, r.project.media_path, 4096),
    ),
    "EnumProjects": (lambda r, s: r.RPR_EnumProjects(-1, "", 4096), lambda r, s: (r.project.handle, -1, "", 4096)),
}


@pytest.mark.parametrize("name", OUT_PARAMETER_SHAPES)
def test_out_parameters_come_back_as_a_tuple_echoing_every_argument(scene, reaper, name):
    reaper.set_time_selection(11.0, 21.5)
    call, expected = OUT_PARAMETER_SHAPES[name]
    assert call(reaper, scene) == expected(reaper, scene)


def test_plain_returns_have_the_types_of_the_reference_tables(scene, reaper):
    assert reaper.RPR_GetTakeNumStretchMarkers(scene.take) == 0
    assert reaper.RPR_GetMediaItemTakeInfo_Value(scene.take, "D_STARTOFFS") == 0.5
    assert type(reaper.RPR_GetMediaItemTakeInfo_Value(scene.take, "I_CHANMODE")) is float
    assert reaper.RPR_GetMediaItemInfo_Value(scene.item, "D_POSITION") == 10.0
    assert (reaper.RPR_CountSelectedMediaItems(0), reaper.RPR_GetSelectedMediaItem(0, 0)) == (1, scene.item)
    assert reaper.RPR_GetMediaItem_Track(scene.item) == scene.track
    assert reaper.RPR_GetExtState("VoiceClone", "missing") == ""


def test_p_ext_values_are_stored_per_object_and_logged(scene, reaper):
    assert reaper.RPR_GetSetMediaTrackInfo_String(scene.track, "P_EXT:voiceclone", "", False) == (
        0,
        scene.track,
        "P_EXT:voiceclone",
        "",
        False,
    )
    assert reaper.RPR_GetSetMediaTrackInfo_String(scene.track, "P_EXT:voiceclone", "job 7", True)[0] == 1
    assert reaper.RPR_GetSetMediaTrackInfo_String(scene.track, "P_EXT:voiceclone", "", False)[3] == "job 7"
    reaper.RPR_GetSetMediaItemTakeInfo_String(scene.take, "P_EXT:voiceclone", '{"voice": "Host"}', True)
    assert (
        reaper.RPR_GetSetMediaItemTakeInfo_String(scene.take, "P_EXT:voiceclone", "", False)[3] == '{"voice": "Host"}'
    )
    assert [(c.kind, c.what) for c in reaper.changes] == [
        ("track_ext", "P_EXT:voiceclone"),
        ("take_ext", "P_EXT:voiceclone"),
    ]


def test_the_first_project_is_unsaved_and_the_only_one_open(reaper):
    assert reaper.RPR_EnumProjects(-1, "", 4096)[2] == ""
    assert reaper.RPR_EnumProjects(0, "", 4096)[0] == reaper.project.handle
    assert reaper.RPR_EnumProjects(1, "", 4096)[0].endswith(NULL)


def test_the_size_passed_for_an_out_buffer_is_what_reaper_fills(scene, reaper):
    assert reaper.RPR_GetTrackName(scene.track, "", 4) == (1, scene.track, "Voi", 4)


def test_an_unnamed_track_is_called_track_n_but_its_own_name_is_empty(reaper):
    reaper.add_track("Voice")
    reaper.RPR_InsertTrackAtIndex(1, True)
    new = reaper.RPR_GetTrack(0, 1)
    assert reaper.RPR_GetTrackName(new, "", 512) == (1, new, "Track 2", 512)
    assert reaper.RPR_GetSetMediaTrackInfo_String(new, "P_NAME", "", False)[3] == ""


def test_insert_track_at_index_shifts_the_later_tracks(reaper):
    first, second = reaper.add_track("A"), reaper.add_track("B")
    reaper.RPR_InsertTrackAtIndex(1, True)
    assert reaper.RPR_GetTrack(0, 0) == first
    assert reaper.RPR_GetTrack(0, 2) == second
    assert reaper.RPR_GetMediaTrackInfo_Value(second, "IP_TRACKNUMBER") == 3.0
    reaper.RPR_InsertTrackAtIndex(99, False)
    assert reaper.track_names() == ["A", "", "B", ""]


def test_the_time_selection_is_set_and_read_through_the_same_call(reaper):
    reaper.RPR_GetSet_LoopTimeRange2(0, True, False, 2.0, 14.5, False)
    assert reaper.RPR_GetSet_LoopTimeRange2(0, False, False, 0.0, 0.0, False)[3:5] == (2.0, 14.5)
    assert reaper.RPR_GetSet_LoopTimeRange2(0, False, True, 0.0, 0.0, False)[3:5] == (0.0, 0.0)
    assert [c.kind for c in reaper.changes] == ["time_selection"]


# --- GetUserInputs and ShowMessageBox (the ReaScript API docs) ------------------------------------


def test_user_inputs_split_and_join_values_with_the_separator_pseudo_caption(reaper):
    reaper.answer_inputs(ok=True, values=["Hello, world.", "15"])
    result = reaper.RPR_GetUserInputs("Speak", 2, "Text,Seconds,extrawidth=300,separator=\n", "Hi, there\n10", 4096)
    assert result == (1, "Speak", 2, "Text,Seconds,extrawidth=300,separator=\n", "Hello, world.\n15", 4096)
    dialog = reaper.modal_calls[0]
    assert (dialog.captions, dialog.defaults, dialog.separator) == (["Text", "Seconds"], ["Hi, there", "10"], "\n")


def test_user_inputs_use_commas_by_default_and_keep_defaults_on_cancel(reaper):
    reaper.answer_inputs(ok=False)
    assert reaper.RPR_GetUserInputs("Clone", 2, "Name,Voice id", "Host,host_1", 4096) == (
        0,
        "Clone",
        2,
        "Name,Voice id",
        "Host,host_1",
        4096,
    )
    assert reaper.modal_calls[0].captions == ["Name", "Voice id"]


def test_user_inputs_answered_with_the_defaults_return_them(reaper):
    reaper.answer_inputs(ok=True)
    assert reaper.RPR_GetUserInputs("Clone", 2, "Name,Voice id", "Host,host_1", 4096)[4] == "Host,host_1"


@pytest.mark.parametrize(
    "captions, expected",
    [
        ("A,B,separator=|", (["A", "B"], "|")),
        ("A,B,separator=,", (["A", "B"], ",")),
        ("A,extrawidth=200", (["A", ""], ",")),
    ],
)
def test_caption_pseudo_fields_are_not_captions(captions, expected):
    assert parse_captions(captions, 2) == expected


def test_a_dialog_the_test_did_not_script_fails_loudly_with_its_title(reaper):
    with pytest.raises(AssertionError, match="unexpected modal GetUserInputs 'Clone voice'"):
        reaper.RPR_GetUserInputs("Clone voice", 1, "Name", "", 4096)
    with pytest.raises(AssertionError, match="unexpected modal ShowMessageBox 'Voice clone'.*no selection"):
        reaper.RPR_ShowMessageBox("There is no selection.", "Voice clone", 0)


def test_a_message_box_returns_the_scripted_button_its_type_allows(reaper):
    reaper.answer_message_box(7)
    assert reaper.RPR_ShowMessageBox("Replace the preset?", "Voice clone", 4) == 7
    reaper.answer_message_box(1)
    with pytest.raises(AssertionError, match="type 4 message box answers one of"):
        reaper.RPR_ShowMessageBox("Again?", "Voice clone", 4)
    assert [(c.title, c.message, c.box_type) for c in reaper.message_boxes] == [
        ("Voice clone", "Replace the preset?", 4),
        ("Voice clone", "Again?", 4),
    ]


# --- the defer loop and the script's globals (reaper_python.py; the ReaScript API docs) -----------


def test_main_globals_hold_the_rpr_functions_and_the_defer_trio_but_no_file(reaper):
    namespace = reaper.main_globals()
    assert {"RPR_defer", "RPR_runloop", "RPR_atexit", "RPR_GetTrack", "sys"} <= set(namespace)
    assert namespace["__name__"] == "__main__" and "__file__" not in namespace


COUNTER = """
count = 0

def tick():
    global count
    count += 1
    if count < 5:
        RPR_defer("tick()")

def done():
    RPR_SetExtState("test", "done", str(count), False)

RPR_atexit("done()")
RPR_defer("tick()")
"""


def test_a_script_that_defers_a_counter_five_times_runs_five_ticks_then_its_atexit(reaper, tmp_path):
    seen = []
    namespace = reaper.run_script(
        write_script(tmp_path, "counter.py", COUNTER), tick_hook=lambda fake, index: seen.append(index)
    )
    assert namespace["count"] == 5
    assert seen == [0, 1, 2, 3, 4]
    assert len(reaper.tick_times) == 5
    assert reaper.RPR_GetExtState("test", "done") == "5"


FOREVER = """
ticks = 0

def tick():
    global ticks
    ticks += 1
    RPR_defer("tick()")

RPR_atexit("RPR_ShowConsoleMsg('stopped after %d ticks' % ticks)")
RPR_defer("tick()")
"""


def test_stopping_a_script_drops_its_deferred_code_and_runs_its_atexit(reaper, tmp_path):
    reaper.run_script(write_script(tmp_path, "forever.py", FOREVER), max_ticks=3, tick_hook=lambda *_: None)
    assert reaper.console == ""
    reaper.stop_script()
    assert reaper.console == "stopped after 3 ticks"
    reaper.stop_script()
    assert reaper.console == "stopped after 3 ticks"


def test_the_user_can_stop_a_script_between_two_ticks(reaper, tmp_path):
    def stop_at_two(fake, index):
        if index == 2:
            fake.stop_script()

    reaper.run_script(write_script(tmp_path, "forever.py", FOREVER), tick_hook=stop_at_two)
    assert reaper.console == "stopped after 2 ticks"


def test_an_error_in_deferred_code_ends_the_script_and_is_raised(reaper, tmp_path):
    script = write_script(
        tmp_path,
        "broken.py",
        """
        def tick():
            raise ValueError("the job file is gone")
        RPR_atexit("RPR_ShowConsoleMsg('cleaned up')")
        RPR_defer("tick()")
        """,
    )
    with pytest.raises(ValueError, match="the job file is gone"):
        reaper.run_script(script, tick_hook=lambda *_: None)
    assert [e.phase for e in reaper.script_errors] == ["defer"]
    assert "broken.py" in reaper.script_errors[0].traceback
    assert reaper.console == "cleaned up"


def test_file_is_not_defined_in_the_main_script(reaper, tmp_path):
    with pytest.raises(NameError, match="__file__"):
        reaper.run_script(write_script(tmp_path, "where.py", "print(__file__)\n"))


def test_library_code_reaches_the_script_globals_through_main(reaper, tmp_path):
    write_script(
        tmp_path,
        "helper_lib.py",
        """
        import sys

        def later(code):
            sys.modules["__main__"].RPR_defer(code)

        def track_count():
            return sys.modules["__main__"].RPR_CountTracks(0)
        """,
    )
    script = write_script(
        tmp_path,
        "main.py",
        f"""
        sys.path.insert(0, {str(tmp_path)!r})
        import helper_lib
        seen = []
        helper_lib.later("seen.append(helper_lib.track_count())")
        """,
    )
    reaper.add_track("Voice")
    try:
        namespace = reaper.run_script(script, tick_hook=lambda *_: None)
    finally:
        sys.modules.pop("helper_lib", None)
    assert namespace["seen"] == [1]
    assert str(tmp_path) not in sys.path


def test_modal_calls_say_whether_the_defer_loop_was_running(reaper, tmp_path):
    for _ in range(3):
        reaper.answer_message_box(1)
    reaper.run_script(
        write_script(
            tmp_path,
            "modal.py",
            """
        def progress():
            RPR_ShowMessageBox("during the job", "Voice clone", 0)
            RPR_defer("RPR_ShowMessageBox('job done', 'Voice clone', 0)")

        RPR_ShowMessageBox("before the job", "Voice clone", 0)
        RPR_defer("progress()")
        """,
        ),
        tick_hook=lambda *_: None,
    )
    assert [(c.message, c.during_defer_loop, c.tick, c.loop_went_on) for c in reaper.modal_calls] == [
        ("before the job", False, None, None),
        ("during the job", True, 0, True),
        ("job done", True, 1, False),
    ]
    assert [c.message for c in reaper.dialogs_freezing_the_loop] == ["during the job"]


def test_rpr_defer_takes_a_code_string_not_a_function(reaper):
    with pytest.raises(TypeError, match="string of code"):
        reaper.main_globals()["RPR_defer"](print)


# --- undo, change log, UI refresh (the ReaScript API docs) ----------------------------------------


def test_nested_undo_blocks_make_one_undo_point_named_by_the_outermost_end(scene, reaper):
    reaper.RPR_Undo_BeginBlock2(0)
    reaper.RPR_Undo_BeginBlock2(0)
    reaper.RPR_GetSetMediaTrackInfo_String(scene.track, "P_NAME", "Host", True)
    reaper.RPR_Undo_EndBlock2(0, "inner", -1)
    reaper.RPR_SetMediaItemInfo_Value(scene.item, "D_POSITION", 12.0)
    reaper.RPR_Undo_EndBlock2(0, "Voice clone: insert", -1)
    assert reaper.undo_history == ["Voice clone: insert"]
    entry = reaper.project.undo_history[0]
    assert [(c.kind, c.old, c.new) for c in entry.changes] == [
        ("track_renamed", "Voice", "Host"),
        ("item_moved", 10.0, 12.0),
    ]
    assert all(c.in_undo_block for c in reaper.changes)


def test_edits_outside_an_undo_block_are_applied_but_flagged(scene, reaper):
    reaper.RPR_SetEditCurPos(4.0, False, False)
    reaper.RPR_SetMediaItemSelected(scene.item, False)
    assert reaper.RPR_GetCursorPosition() == 4.0
    assert [(c.kind, c.in_undo_block) for c in reaper.changes] == [("edit_cursor", False), ("item_selection", False)]
    assert reaper.undo_history == []


def test_a_selection_saved_and_restored_leaves_no_net_change(scene, reaper):
    reaper.RPR_SelectAllMediaItems(0, False)
    reaper.RPR_SetMediaItemSelected(scene.item, True)
    reaper.RPR_SetEditCurPos(3.0, False, False)
    reaper.RPR_SetEditCurPos(0.0, False, False)
    assert len(reaper.changes) == 4
    assert reaper.net_changes() == []


def test_unbalanced_undo_and_refresh_calls_are_reported(reaper):
    reaper.RPR_PreventUIRefresh(1)
    assert reaper.ui_refresh_depth == 1
    reaper.RPR_PreventUIRefresh(-1)
    reaper.RPR_Undo_EndBlock2(0, "orphan", -1)
    assert reaper.ui_refresh_depth == 0
    assert reaper.protocol_errors == ["Undo_EndBlock2('orphan') without an open undo block"]
    with pytest.raises(AssertionError, match="without an open undo block"):
        reaper.assert_clean()


# --- the pointer check: what rpr_packp does to handles (reaper_python.py) -------------------------


def test_validateptr2_is_always_false_from_python_because_its_pointer_is_packed_as_void(scene, reaper):
    """reaper_python.py (5.95, 6.x): ``RPR_ValidatePtr2`` packs ``pointer`` with
    ``rpr_packp('void*', ...)``, which asks ``ValidatePtr(p, 'void*')``: REAPER knows no type
    "void*", so REAPER always gets NULL (reapy CHANGELOG 0.7.0)."""
    assert reaper.RPR_ValidatePtr2(0, scene.track, "MediaTrack*") == 0
    assert reaper.RPR_ValidatePtr2(0, scene.item, "MediaItem*") == 0
    assert reaper.RPR_ValidatePtr2(0, reaper.RPR_EnumProjects(-1, "", 4096)[0], "ReaProject*") == 0


def test_the_api_only_insert_recipe_leaves_an_empty_item_because_a_fresh_source_goes_in_as_null(reaper, make_audio):
    """reapy #38 ("This does nothing and the take source file does not change"): a source fresh
    from ``PCM_Source_CreateFromFile`` is used by no take, fails ``ValidatePtr(p, 'PCM_source*')``
    and reaches ``SetMediaItemTake_Source`` as NULL; its length reads 0 the same way."""
    wav = make_audio("result.wav", 12, 16000)
    rpr = SimpleNamespace(**{name[4:]: getattr(reaper, name) for name in reaper.rpr_names()})
    rpr.InsertTrackAtIndex(0, True)
    item = rpr.AddMediaItemToTrack(rpr.GetTrack(0, 0))
    take = rpr.AddTakeToMediaItem(item)
    source = rpr.PCM_Source_CreateFromFile(str(wav))
    assert re.fullmatch(r"\(PCM_source\*\)0x[0-9A-F]{16}", source) and not source.endswith(NULL)
    assert rpr.SetMediaItemTake_Source(take, source) == 0
    assert rpr.GetMediaSourceLength(source, False)[0] == 0.0
    view = reaper.items_on(0)[0]
    assert (view["source"], view["length"]) == ("", 0.0), "the item REAPER shows is empty"


def test_a_source_a_take_uses_passes_the_check(scene, reaper):
    assert reaper.RPR_GetMediaSourceLength(scene.source, False)[0] == 3.0


@pytest.mark.parametrize("valid", [False, True], ids=["parent-null", "parent-valid"])
def test_whether_a_sections_parent_passes_is_open_so_the_fake_does_both(scene, reaper, valid):
    """A section's parent file source is used by no take directly; whether REAPER's check counts it
    is not documented, so ``section_parents_valid`` chooses."""
    reaper.section_parents_valid = valid
    parent = reaper.RPR_GetMediaSourceParent(scene.section_source)
    assert not parent.endswith(NULL), "the handle itself comes back as a string"
    assert reaper.RPR_GetMediaSourceType(parent, "", 64)[1] == ("WAVE" if valid else "")


def test_handles_of_another_project_tab_go_in_as_null(scene, reaper, tmp_path):
    """reapy #80: for a project that is not the current tab, its tracks' items come back empty:
    ``ValidatePtr`` checks handles against the current project."""
    first = reaper.RPR_EnumProjects(-1, "", 4096)[0]
    second = reaper.open_project(tmp_path / "second")
    assert reaper.RPR_EnumProjects(-1, "", 4096)[0] == second != first
    assert reaper.RPR_CountTrackMediaItems(scene.track) == 0
    assert reaper.RPR_GetTrackName(scene.track, "", 512)[0] == 0
    assert reaper.RPR_CountTracks(first) == 1, "a project handle of an open tab stays valid"
    reaper.switch_project(first)
    assert reaper.RPR_CountTrackMediaItems(scene.track) == 2


def test_enum_projects_lists_the_tabs_and_select_project_instance_switches(reaper, tmp_path):
    """EnumProjects: "idx=-1 for current project"; 0, 1... the tabs, NULL past the last (scripts
    and SWS loop until NULL); SelectProjectInstance switches tabs."""
    first = reaper.RPR_EnumProjects(0, "", 4096)[0]
    second = reaper.open_project(tmp_path / "second", file_name=str(tmp_path / "second.rpp"))
    assert [reaper.RPR_EnumProjects(i, "", 4096)[0] for i in range(3)] == [first, second, null_handle("ReaProject*")]
    assert reaper.RPR_EnumProjects(-1, "", 4096)[2] == str(tmp_path / "second.rpp")
    reaper.RPR_SelectProjectInstance(first)
    assert reaper.RPR_EnumProjects(-1, "", 4096)[0] == first
    reaper.close_project(second)
    reaper.RPR_SelectProjectInstance(second)
    assert reaper.RPR_EnumProjects(-1, "", 4096)[0] == first, "a closed tab's handle is NULL"


def test_a_deleted_track_goes_in_as_null(scene, reaper):
    reaper.delete_track(scene.track)
    assert reaper.RPR_CountTrackMediaItems(scene.track) == 0
    assert reaper.RPR_GetMediaItemInfo_Value(scene.item, "D_POSITION") == 0.0


def test_a_tracks_guid_reads_as_a_braced_string(scene, reaper):
    """GetSetMediaTrackInfo_String: "GUID ... If using a _String() function, GUID is a string {xyz-...}"."""
    guid = reaper.RPR_GetSetMediaTrackInfo_String(scene.track, "GUID", "", False)[3]
    assert re.fullmatch(r"\{[0-9A-F-]{36}\}", guid)


# --- InsertMedia (the ReaScript API docs) ---------------------------------------------------------


@pytest.fixture
def two_tracks(reaper, make_audio):
    top = reaper.add_track("Top", selected=True)
    reaper.add_track("Bottom")
    reaper.add_item(top, make_audio("old.wav", 4, 16000), position=0.0, selected=True)
    reaper.set_cursor(7.5)
    return make_audio("result.wav", 12, 16000)


def test_insert_media_puts_the_file_at_the_edit_cursor_on_the_track_of_the_high_word(reaper, two_tracks):
    """InsertMedia: "&512=use high word as absolute track index if mode&3==0"; the item lands at the
    edit cursor, as long as the file, its take named after the file, peaks not built yet."""
    assert reaper.RPR_InsertMedia(str(two_tracks), 512 | (1 << 16)) == 1
    (view,) = reaper.items_on(1)
    assert (view["position"], view["length"], view["source"]) == (7.5, 12.0, str(two_tracks))
    assert (view["take_name"], view["peaks_built"]) == ("result.wav", False)
    take = reaper.RPR_GetActiveTake(view["handle"])
    assert reaper.RPR_GetMediaSourceLength(reaper.RPR_GetMediaItemTake_Source(take), False)[0] == 12.0, (
        "the inserted source is a take's, so it passes the pointer check"
    )


def test_insert_media_selects_only_the_new_item_and_moves_the_cursor_to_its_end(reaper, two_tracks):
    """Scripts rely on the new item being the only selected one ("InsertMedia selects the new item,
    so we grab the selection"); REAPER's default "move edit cursor when pasting/inserting media"
    (User Guide, Editing Behavior) moves the cursor to its end."""
    reaper.RPR_InsertMedia(str(two_tracks), 512 | (1 << 16))
    assert reaper.RPR_CountSelectedMediaItems(0) == 1
    assert reaper.RPR_GetSelectedMediaItem(0, 0) == reaper.items_on(1)[0]["handle"]
    assert reaper.RPR_GetCursorPosition() == 19.5
    reaper.move_cursor_on_insert = False
    reaper.RPR_SetEditCurPos(1.0, False, False)
    reaper.RPR_InsertMedia(str(two_tracks), 512 | (1 << 16))
    assert reaper.RPR_GetCursorPosition() == 1.0


def test_insert_media_makes_its_own_undo_point_outside_an_undo_block(reaper, two_tracks):
    """Ultraschall's InsertMediaItemFromFile: "it creates two undo-points: one for inserting the MediaItem"."""
    reaper.RPR_InsertMedia(str(two_tracks), 512 | (1 << 16))
    assert reaper.undo_history == ["Insert media items"]
    reaper.RPR_Undo_BeginBlock2(0)
    reaper.RPR_InsertMedia(str(two_tracks), 512 | (1 << 16))
    reaper.RPR_Undo_EndBlock2(0, "Voice clone: insert", -1)
    assert reaper.undo_history == ["Insert media items", "Voice clone: insert"]


@pytest.mark.parametrize("becomes_active", [True, False])
def test_insert_media_mode_3_adds_the_file_as_a_take_of_each_selected_item(reaper, two_tracks, becomes_active):
    """InsertMedia mode 3: "add to selected items as takes" (reference §4, from the API doc). Whether
    the new take becomes the active one is not documented: the stand-in runs both ways."""
    reaper.insert_take_becomes_active = becomes_active
    (item,) = [view["handle"] for view in reaper.items_on(0)]
    assert reaper.RPR_CountTakes(item) == 1
    assert reaper.RPR_InsertMedia(str(two_tracks), 3) == 1
    assert reaper.RPR_CountTakes(item) == 2 and reaper.items_on(1) == []
    added = reaper.RPR_GetTake(item, 1)
    assert reaper.RPR_GetSetMediaItemTakeInfo_String(added, "P_NAME", "", False)[3] == "result.wav"
    assert (reaper.RPR_GetActiveTake(item) == added) is becomes_active
    assert reaper.RPR_GetTake(item, 2) == reaper.RPR_GetTake(item, -1) == "(MediaItem_Take*)0x0000000000000000"


def test_insert_media_of_a_missing_file_inserts_nothing(reaper, two_tracks, tmp_path):
    assert reaper.RPR_InsertMedia(str(tmp_path / "gone.wav"), 512 | (1 << 16)) == 0
    assert reaper.items_on(1) == []


def test_modes_the_fake_does_not_model_are_reported(reaper, two_tracks):
    assert reaper.RPR_InsertMedia(str(two_tracks), 1) == 0
    assert "models only 3 and 512 | (index of a track << 16)" in reaper.protocol_errors[0]
    reaper.protocol_errors.clear()


def test_peaks_come_from_40047(reaper, two_tracks):
    reaper.RPR_InsertMedia(str(two_tracks), 512 | (1 << 16))
    reaper.RPR_Main_OnCommand(BUILD_PEAKS, 0)
    assert reaper.items_on(1)[0]["peaks_built"] is True
    assert reaper.commands == [(40047, 0)]


def test_an_item_moves_to_another_track_keeping_its_position(reaper, two_tracks):
    item = reaper.items_on(0)[0]["handle"]
    assert reaper.RPR_MoveMediaItemToTrack(item, reaper.RPR_GetTrack(0, 1)) == 1
    assert (reaper.items_on(0), reaper.items_on(1)[0]["handle"]) == ([], item)
    assert (reaper.RPR_CountMediaItems(0), reaper.RPR_GetMediaItem(0, 0)) == (1, item)


def test_a_file_reaper_cannot_open_gives_a_null_source(reaper, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    assert reaper.RPR_PCM_Source_CreateFromFile(str(tmp_path / "notes.txt")).endswith(NULL)


# --- state and actions (the ReaScript API docs) ---------------------------------------------------


def test_ext_state_is_read_back_and_a_persisted_multi_line_value_is_reported(reaper):
    reaper.RPR_SetExtState("VoiceClone", "server", "https://api.minimax.io", True)
    assert reaper.RPR_GetExtState("VoiceClone", "server") == "https://api.minimax.io"
    assert (
        reaper.RPR_GetExtState("VoiceClone", "job_running"),
        reaper.RPR_HasExtState("VoiceClone", "job_running"),
    ) == ("", 0)
    reaper.RPR_SetExtState("VoiceClone", "last_error", "line one\nline two", False)
    assert reaper.protocol_errors == []
    reaper.RPR_SetExtState("VoiceClone", "last_error", "line one\nline two", True)
    assert "persists a multi-line value" in reaper.protocol_errors[0]


def test_a_script_is_registered_once_and_a_missing_file_not_at_all(reaper, tmp_path):
    script = write_script(tmp_path, "action.py", "pass\n")
    command = reaper.RPR_AddRemoveReaScript(True, 0, str(script), True)
    assert command > 0
    assert reaper.RPR_AddRemoveReaScript(True, 0, str(script), True) == command
    assert reaper.RPR_AddRemoveReaScript(True, 0, str(tmp_path / "missing.py"), True) == 0
    assert reaper.RPR_AddRemoveReaScript(False, 0, str(script), True) == command
    assert reaper.RPR_AddRemoveReaScript(False, 0, str(script), True) == 0


def test_every_script_shares_reapers_one_python_path(reaper, tmp_path):
    """REAPER loads one Python library (the .dll/.so named in Preferences > ReaScript, the ReaScript API docs) for all
    scripts, so what one script puts on sys.path, every later script sees."""
    marker = str(tmp_path / "left-behind")
    reaper.run_script(write_script(tmp_path, "first.py", f"sys.path.insert(0, {marker!r})\n"))
    namespace = reaper.run_script(write_script(tmp_path, "second.py", "seen = list(sys.path)\n"))
    assert namespace["seen"][0] == marker and reaper.python_path[0] == marker


def test_delete_track_removes_the_track_and_its_items(scene, reaper):
    """DeleteTrack (API doc: "deletes a track"): its handle, and its items', go in as NULL after."""
    reaper.RPR_DeleteTrack(scene.track)
    assert reaper.RPR_CountTracks(0) == 0
    assert reaper.RPR_GetMediaItemInfo_Value(scene.item, "D_LENGTH") == 0.0
    assert [c.kind for c in reaper.changes] == ["track_deleted"]


def test_track_selection_is_read_by_index_among_the_selected_and_set_per_track(scene, reaper):
    """GetSelectedTrack(proj, seltrackidx): "a selected track from a project by selected track count
    (zero-based)"; NULL past the last; SetTrackSelected sets one track's selection."""
    second = reaper.add_track("Second")
    assert (reaper.RPR_CountSelectedTracks(0), reaper.RPR_GetSelectedTrack(0, 0)) == (1, scene.track)
    reaper.RPR_SetTrackSelected(second, True)
    reaper.RPR_SetTrackSelected(scene.track, False)
    assert (reaper.RPR_CountSelectedTracks(0), reaper.RPR_GetSelectedTrack(0, 0)) == (1, second)
    assert reaper.RPR_GetSelectedTrack(0, 1) == null_handle("MediaTrack*")


def test_redraw_calls_return_none_and_the_resource_path_is_a_string(scene, reaper):
    """UpdateItemInProject(item), UpdateArrange() return None; GetResourcePath() -> str (the ReaScript API docs)."""
    assert reaper.RPR_UpdateItemInProject(scene.item) is None and reaper.RPR_UpdateArrange() is None
    assert reaper.update_calls == ["UpdateItemInProject", "UpdateArrange"]
    assert reaper.RPR_GetResourcePath() == str(reaper.resource_path)
