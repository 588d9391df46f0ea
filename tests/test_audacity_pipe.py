"""The pipe protocol, against FIFOs served by the test itself (no Audacity needed)."""

import os
import threading
import time

import pytest

from voiceclone.errors import HostCommandFailed, HostUnavailable, InputError
from voiceclone.hosts.audacity.pipe import Pipe, quote


@pytest.fixture
def fifos(tmp_path):
    to_path, from_path = tmp_path / "to", tmp_path / "from"
    os.mkfifo(to_path)
    os.mkfifo(from_path)
    return to_path, from_path


def serve(fifos, replies, received, *, not_ready=0, stale=(), silent=False):
    """A stand-in server: opens the FIFOs as Audacity does and answers each line. ``Message`` is
    echoed (after ``not_ready`` bare newlines, and after the ``stale`` replies of an earlier client);
    other commands get the next of ``replies``, each a list of chunks written with small pauses."""
    to_path, from_path = fifos
    replies, stale = list(replies), list(stale)

    def run():
        nonlocal not_ready
        with open(to_path, "rb") as incoming, open(from_path, "wb", buffering=0) as outgoing:
            for raw in incoming:
                line = raw.decode()
                received.append(line)
                if silent:
                    continue
                if line.startswith("Message:"):
                    if not_ready:
                        not_ready -= 1
                        outgoing.write(b"\n")
                        continue
                    chunks = stale + [line.split('Text="')[1].split('"')[0] + "\nBatchCommand finished: OK\n\n"]
                    stale.clear()
                else:
                    chunks = replies.pop(0)
                for chunk in chunks:
                    outgoing.write(chunk.encode())
                    time.sleep(0.02)

    threading.Thread(target=run, daemon=True).start()


def connect(fifos, timeout=5.0) -> Pipe:
    return Pipe(to_path=fifos[0], from_path=fifos[1], timeout=timeout)


def test_a_reply_split_across_writes_is_read_up_to_its_status_line(fifos):
    received = []
    serve(fifos, [["\n", '[ { "name":"host" } ]\n', "BatchCommand finished: OK\n", "\n"]], received)
    with connect(fifos) as pipe:
        assert pipe.send("GetInfo", Type="Tracks", Format="JSON") == ['[ { "name":"host" } ]']
    assert received[-1] == 'GetInfo: Type="Tracks" Format="JSON"\n'


def test_connecting_waits_while_audacity_answers_with_a_bare_newline(fifos):
    received = []
    serve(fifos, [], received, not_ready=2)
    with connect(fifos):
        pass
    assert [line.split(":")[0] for line in received] == ["Message"] * 3


def test_replies_left_by_a_client_that_gave_up_are_skipped(fifos):
    serve(fifos, [["\nBatchCommand finished: OK\n\n"]], [], stale=["Import failed\nBatchCommand finished: Failed!\n\n"])
    with connect(fifos) as pipe:
        assert pipe.send("SelectAll") == []


def test_failed_raises_with_what_audacity_said(fifos):
    serve(fifos, [["Your batch command of Nope was not recognized.\nBatchCommand finished: Failed!\n\n"]], [])
    with connect(fifos) as pipe, pytest.raises(HostCommandFailed) as caught:
        pipe.send("Nope")
    assert "was not recognized" in str(caught.value)


def test_a_fifo_nobody_reads_is_reported_within_the_timeout(fifos):
    started = time.monotonic()
    with pytest.raises(HostUnavailable, match="nobody reads it"):
        connect(fifos, timeout=0.5).connect()
    assert time.monotonic() - started < 3


def test_no_answer_is_reported_within_the_timeout(fifos):
    serve(fifos, [], [], silent=True)
    started = time.monotonic()
    with pytest.raises(HostUnavailable, match="did not answer in time"):
        connect(fifos, timeout=0.5).connect()
    assert time.monotonic() - started < 3


def test_missing_pipes_mean_audacity_is_not_running(tmp_path):
    with pytest.raises(HostUnavailable, match="not running, or its mod-script-pipe module is off") as caught:
        Pipe(to_path=tmp_path / "to", from_path=tmp_path / "from", timeout=0.2).connect()
    assert "voiceclone audacity doctor" in caught.value.fix


def test_commands_stay_under_1_kib_and_values_are_quoted(fifos):
    with pytest.raises(InputError, match="under 1 KiB"):
        connect(fifos).send("Import2", Filename="/" + "x" * 1100)
    assert quote("/a b/c.wav") == '"/a b/c.wav"' and quote(2.5) == "2.5" and quote(3) == "3"
    with pytest.raises(InputError, match="holds a quote"):
        quote('/a"b.wav')


def serve_sessions(fifos, received, sessions):
    """A stand-in server that, like Audacity, serves one client after another: ``sessions`` says for
    each how many ``Message`` lines it answers before it closes both FIFOs (0: close at once, as a
    client that connects while Audacity is leaving the last one's FIFOs sees)."""
    to_path, from_path = fifos

    def run():
        for answers in sessions:
            with open(to_path, "rb") as incoming, open(from_path, "wb", buffering=0) as outgoing:
                for _ in range(answers):
                    raw = incoming.readline()
                    if not raw:
                        break
                    received.append(raw.decode())
                    outgoing.write(
                        raw.decode().split('Text="')[1].split('"')[0].encode() + b"\nBatchCommand finished: OK\n\n"
                    )

    threading.Thread(target=run, daemon=True).start()


def test_a_second_command_waits_its_turn_and_reads_only_its_own_replies(fifos):
    """Two shortcuts pressed at once: the second connects only once the first has closed."""
    received = []
    serve_sessions(fifos, received, [3, 3])
    first = connect(fifos)
    first.connect()
    second_done = threading.Event()
    replies = {}

    def second():
        with connect(fifos) as pipe:
            replies["second"] = pipe.send("Message", Text="second")
        second_done.set()

    threading.Thread(target=second, daemon=True).start()
    time.sleep(0.5)
    assert not second_done.is_set() and len(received) == 1, "the second waits while the first is connected"
    replies["first"] = first.send("Message", Text="first")
    first.close()
    assert second_done.wait(5)
    assert replies == {"first": ["first"], "second": ["second"]}
    assert [line.startswith('Message: Text="voiceclone-') for line in received] == [True, False, True, False]


def test_the_turn_is_given_up_after_a_bounded_wait(fifos, monkeypatch):
    from voiceclone.hosts.audacity import pipe as pipe_module

    monkeypatch.setattr(pipe_module, "LOCK_WAIT_S", 0.3)
    serve_sessions(fifos, [], [2])
    with connect(fifos):
        started = time.monotonic()
        with pytest.raises(HostUnavailable, match="another voiceclone command kept Audacity busy") as caught:
            connect(fifos).connect()
        assert time.monotonic() - started < 2
    assert "Wait for it to finish" in caught.value.fix


def test_fifos_audacity_is_leaving_are_left_and_the_new_ones_used(fifos):
    """Reconnecting at once after a command reaches the FIFOs Audacity is closing: it connects again."""
    received = []
    serve_sessions(fifos, received, [0, 0, 2])
    with connect(fifos) as pipe:
        assert pipe.send("Message", Text="hello") == ["hello"]


def test_audacity_quitting_during_a_command_says_so(fifos):
    serve_sessions(fifos, [], [1])
    with connect(fifos) as pipe, pytest.raises(HostUnavailable, match="Audacity closed its script pipe"):
        pipe.send("Message", Text="anyone?")


def test_a_killed_command_never_leaves_audacity_locked(fifos, tmp_path):
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from voiceclone import locks\n"
            "handle = locks.take(__import__('pathlib').Path(sys.argv[1]), 1)\n"
            "print('held', flush=True); time.sleep(60)",
            str(connect(fifos).lock_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    serve_sessions(fifos, [], [2])
    holder.kill()
    holder.wait()
    with connect(fifos) as pipe:
        assert pipe.send("Message", Text="after") == ["after"]
