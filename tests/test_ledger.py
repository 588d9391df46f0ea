"""The clone ledger: lines that survive a torn write, and whose voice a taken voice_id is."""

from voiceclone import ledger
from voiceclone.ledger import Ledger

URL = "https://api.minimax.io"


def write(book, request, sha, outcome, voice_id="HostVoice01"):
    book.record(request=request, voice_id=voice_id, sha256=sha, base_url=URL, outcome=outcome)


def test_a_line_torn_by_a_full_disk_does_not_swallow_the_next_one(tmp_path):
    book = Ledger(tmp_path / "ledger.jsonl")
    write(book, "r1", "a", ledger.SENT)
    with open(book.path, "ab") as handle:
        handle.write(b'{"time": "2026-12-01T10:00:00Z", "voice_id": "Host')  # the disk filled up here
    write(book, "r2", "a", ledger.SENT)
    assert [e.request for e in book.entries()] == ["r1", "r2"]


def test_a_taken_voice_id_is_ours_only_when_no_other_sample_may_have_made_it(tmp_path):
    book = Ledger(tmp_path / "ledger.jsonl")
    write(book, "mine", "a", ledger.SENT)
    write(book, "mine", "a", ledger.UNKNOWN)
    assert ledger.claim(book, "HostVoice01", "a", URL) == ledger.OURS
    assert ledger.claim(book, "HostVoice01", "a", URL, without="mine") == ledger.THEIRS
    write(book, "theirs", "b", ledger.SENT)
    assert ledger.claim(book, "HostVoice01", "a", URL) == ledger.UNCLEAR
    assert ledger.claim(book, "HostVoice01", "a", "https://api.minimaxi.com") == ledger.THEIRS, "per host"


def test_a_voice_another_sample_made_before_this_one_asked_is_theirs(tmp_path):
    book = Ledger(tmp_path / "ledger.jsonl")
    write(book, "theirs", "b", ledger.SENT)
    write(book, "theirs", "b", ledger.MADE)
    write(book, "mine", "a", ledger.SENT)
    write(book, "mine", "a", ledger.UNKNOWN)
    assert ledger.claim(book, "HostVoice01", "a", URL) == ledger.THEIRS
