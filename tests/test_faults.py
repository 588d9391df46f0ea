"""The fault suite: for every fault a paid clone or speech can meet (tests/faults/scenarios.py),
the exit code and message documented for it, and nothing lost: no voice made on the server without
a preset, pending entry or recovery file, none adopted for the wrong sample, no duplicate voice,
the presets file valid with every earlier entry, no partial file or temp folder left behind.
`python tests/faults/report.py` prints the same figures as a table."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).with_name("faults")))
import scenarios  # noqa: E402
from world import World, mount_tmpfs  # noqa: E402

from helpers import FAKE_KEY  # noqa: E402
from voiceclone.sandbox import Sandbox  # noqa: E402


@pytest.fixture
def worlds(tmp_path):
    """Make fresh worlds (each with its own sandbox), all closed at the end."""
    opened, count = [], [0]

    def make(*, tmpfs: str = None, keeper: bool = True) -> World:
        count[0] += 1
        root = tmp_path / f"world{count[0]}"
        folder = root / "lib"
        if tmpfs is not None:
            why = mount_tmpfs(folder, tmpfs)
            if why:
                print(f"\nskipping a real-disk fault: {why}")
                pytest.skip(why)
            keeper = keeper and tmpfs != "200k"
        sandbox = Sandbox(api_keys={FAKE_KEY})
        sandbox.__enter__()
        opened.append(sandbox)
        world = World(root, sandbox, presets_folder=folder)
        return world.with_keeper() if keeper else world

    yield make
    for sandbox in opened:
        sandbox.__exit__(None, None, None)


def check(row):
    assert (row.exit_code, row.message_ok) == (row.expected, True), row
    assert "failed" not in row.then, row
    assert row.figures.clean, row


@pytest.mark.parametrize("name", list(scenarios.NETWORK))
def test_an_answer_lost_after_the_voice_is_made_keeps_the_voice(worlds, name):
    check(scenarios.NETWORK[name](worlds()))


@pytest.mark.parametrize("name", list(scenarios.SIGNALS))
def test_ctrl_c_at_each_stage_says_what_exists_and_loses_nothing(worlds, name):
    check(scenarios.SIGNALS[name](worlds()))


@pytest.mark.parametrize("name", list(scenarios.DISK))
def test_a_write_error_at_each_file_the_plugin_writes_loses_nothing(worlds, name):
    check(scenarios.DISK[name](worlds()))


def test_twenty_kills_at_random_points_leave_every_voice_recorded(worlds):
    row, after_sending = scenarios.sigkill_at_random_points(worlds, kills=20)
    assert row.runs == 20
    assert after_sending >= 5, f"only {after_sending} of 20 kills came after the clone was sent"
    check(row)


def test_a_full_tmpfs_refuses_before_anything_is_sent(worlds):
    check(scenarios.full_tmpfs(worlds))


def test_a_read_only_presets_folder_refuses_a_clone_and_still_writes_speech(worlds):
    check(scenarios.read_only_presets(worlds))
