"""The pipe protocol, against FIFOs served by the test itself (no Audacity needed)."""
import os
import threading
import time

import pytest

from voiceclone.errors import InputError
from voiceclone.hosts.audacity.pipe import CommandFailed, Pipe, PipeError, quote


@pytest.fixture
def fifos(tmp_path):
    to_path, from_path = tmp_path / "to", tmp_path / "from"
    os.mkfifo(to_path)
    os.mkfifo(from_path)
    return to_path, from_path


def serve(fifos, replies, received):
    """A stand-in server: opens the FIFOs as Audacity does, answers each line with the next reply
    (a list of chunks written with small pauses between them)."""
    to_path, from_path = fifos

    def run():
        with open(to_path, "rb") as incoming, open(from_path, "wb", buffering=0) as outgoing:
            for chunks in replies:
                received.append(incoming.readline().decode())
                for chunk in chunks:
                    outgoing.write(chunk.encode())
                    time.sleep(0.02)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_reply_split_across_writes_is_read_up_to_its_status_line(fifos):
    received = []
    serve(fifos, [["\n", '[ { "name":"host" } ]\n', "BatchCommand finished: OK\n", "\n"]], received)
    with Pipe(to_path=fifos[0], from_path=fifos[1], timeout=5) as pipe:
        assert pipe.send("GetInfo", Type="Tracks", Format="JSON") == ['[ { "name":"host" } ]']
    assert received == ['GetInfo: Type="Tracks" Format="JSON"\n']


def test_a_bare_newline_means_not_ready_and_ready_is_waited_for(fifos):
    received = []
    serve(fifos, [["\n"], ["\n"], ["ready\nBatchCommand finished: OK\n\n"]], received)
    with Pipe(to_path=fifos[0], from_path=fifos[1], timeout=5) as pipe:
        pipe.wait_ready(timeout=5)
    assert len(received) == 3


def test_failed_raises_with_what_audacity_said(fifos):
    serve(fifos, [["Your batch command of Nope was not recognized.\nBatchCommand finished: Failed!\n\n"]], [])
    with Pipe(to_path=fifos[0], from_path=fifos[1], timeout=5) as pipe, pytest.raises(CommandFailed) as caught:
        pipe.send("Nope")
    assert "was not recognized" in str(caught.value)


def test_a_fifo_nobody_reads_is_reported_within_the_timeout(fifos):
    started = time.monotonic()
    with pytest.raises(PipeError, match="nobody reads it"):
        Pipe(to_path=fifos[0], from_path=fifos[1], timeout=0.5).connect()
    assert time.monotonic() - started < 3


def test_no_answer_is_reported_within_the_timeout(fifos):
    serve(fifos, [[]], [])
    with Pipe(to_path=fifos[0], from_path=fifos[1], timeout=0.5) as pipe, \
            pytest.raises(PipeError, match="did not answer in time"):
        pipe.send("Import2", Filename="/tmp/x.wav")


def test_missing_pipes_mean_audacity_is_not_running(tmp_path):
    with pytest.raises(PipeError, match="not running, or its mod-script-pipe module is off") as caught:
        Pipe(to_path=tmp_path / "to", from_path=tmp_path / "from", timeout=0.2).connect()
    assert "voiceclone audacity doctor" in caught.value.fix


def test_commands_stay_under_1_kib_and_values_are_quoted(fifos):
    with pytest.raises(InputError, match="under 1 KiB"):
        Pipe(to_path=fifos[0], from_path=fifos[1]).send("Import2", Filename="/" + "x" * 1100)
    assert quote("/a b/c.wav") == '"/a b/c.wav"' and quote(2.5) == "2.5" and quote(3) == "3"
    with pytest.raises(InputError, match="holds a quote"):
        quote('/a"b.wav')
