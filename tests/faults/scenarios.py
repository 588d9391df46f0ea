"""The faults a user's machine and network inflict on a paid clone or speech, one scenario each.

Each scenario runs the command line against a :class:`world.World` with one fault injected, then
does what the message tells the user to do (run the same clone again, adopt a recovery file), and
returns a :class:`Row`: the faulty run's exit code against the one documented for it, whether its
message names what exists, what the follow-up did, and the :class:`world.Figures` at the end.
``tests/test_faults.py`` asserts every row; ``tests/faults/report.py`` prints them as a table.
"""

import random
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List

from world import Figures, World, disk_full_for, remount_read_only, unmount, voices_on_server

VOICE = "HostVoice01"
RETRIES = 4  # VOICECLONE_RETRIES' default: "every attempt" is this many


@dataclass
class Row:
    scenario: str
    exit_code: int
    expected: int
    message_ok: bool
    then: str
    figures: Figures
    runs: int = 1

    @property
    def ok(self) -> bool:
        return self.exit_code == self.expected and self.message_ok and self.figures.clean and "failed" not in self.then


def _clone(world: World, take: Path, *extra, voice_id: str = VOICE):
    return world.cli("clone", take, "--voice-id", voice_id, "--name", "Host", "--text", "Hello there.", *extra)


def _rerun(world: World, take: Path) -> str:
    """The same clone again, as the message says: it must end with the voice saved once."""
    again = _clone(world, take)
    saved = any(p.get("voice_id") == VOICE for p in (world.library().get("voices") or {}).values())
    return f"rerun: exit {again.code}" + ("" if again.code == 0 and saved else " (failed)")


def _row(name: str, world: World, result, expected: int, words: List[str], then: str = "-") -> Row:
    return Row(name, result.code, expected, all(w in result.err for w in words), then, world.figures())


# -- the network: MiniMax made the voice, then its answer was lost ------------------------------------


def _after_made(label: str, kind: str, times: int, **fault) -> Callable[[World], Row]:
    def scenario(world: World) -> Row:
        take = world.sample("host.wav")
        world.sandbox.add_fault(kind, path="/v1/voice_clone", times=times, **fault)
        result = _clone(world, take)
        if times == 1:
            return _row(f"{label} after the voice is made, x1", world, result, 0, [])
        then = _rerun(world, take)
        return _row(
            f"{label} after the voice is made, every attempt",
            world,
            result,
            4,
            ["may have made voice 'HostVoice01'", "run the same clone again"],
            then,
        )

    return scenario


def _timeout(times: int) -> Callable[[World], Row]:
    def scenario(world: World) -> Row:
        take = world.sample("host.wav")
        world.sandbox.add_fault("late", path="/v1/voice_clone", times=times, seconds=2.5)
        result = world.cli("clone", take, "--voice-id", VOICE, "--name", "Host", VOICECLONE_TIMEOUT="1")
        if times == 1:
            return _row("answer slower than the timeout after the voice is made, x1", world, result, 0, [])
        world.sandbox.clear_faults()
        time.sleep(2.6)  # the server finishes its late answers
        then = _rerun(world, take)
        return _row(
            "answer slower than the timeout, every attempt",
            world,
            result,
            4,
            ["may have made voice 'HostVoice01'"],
            then,
        )

    return scenario


def unconfirmed_then_a_rerun_fails_before_sending(world: World) -> Row:
    """The answer is lost on every attempt; the rerun meant to confirm it fails at its upload: the
    earlier request (which made the voice) must still be remembered, and a third run confirms it."""
    take = world.sample("host.wav")
    world.sandbox.add_fault("drop", path="/v1/voice_clone", times=RETRIES)
    first = _clone(world, take)
    world.sandbox.add_fault("http_status", path="/v1/files/upload", code=401)
    second = _clone(world, take)
    kept = VOICE in (world.library().get("pending") or {})
    voice = "still unconfirmed" if kept else "FORGOTTEN (failed)"
    then = f"rerun with a refused upload: exit {second.code}, voice {voice}; "
    then += _rerun(world, take)
    return _row("answer lost, then a rerun refused at its upload", world, first, 4, ["may have made voice"], then)


def taken_by_another_sample(world: World) -> Row:
    """A voice_id made earlier from another sample, for another presets file (the same ledger)."""
    other = dict(world.env, VOICECLONE_PRESETS=str(world.root / "other" / "presets.yaml"))
    first = world.cli(
        "clone",
        world.sample("guest.wav", 13),
        "--voice-id",
        VOICE,
        "--name",
        "Guest",
        VOICECLONE_PRESETS=other["VOICECLONE_PRESETS"],
    )
    assert first.code == 0, first.err
    world.sandbox.add_fault("drop", path="/v1/voice_clone")
    result = _clone(world, world.sample("host.wav"))
    return _row(
        "voice_id made earlier from another sample, answer lost",
        world,
        result,
        3,
        ["already taken", "--voice-id HostVoice01-2"],
    )


# -- signals ------------------------------------------------------------------------------------------


def ctrl_c_during_upload(world: World) -> Row:
    take = world.sample("host.wav")
    world.sandbox.add_fault("slow", path="/v1/files/upload", seconds=5)
    child = world.spawn("clone", take, "--voice-id", VOICE, "--name", "Host")
    world.wait_for(lambda: VOICE in (world.library().get("pending") or {}))
    time.sleep(0.3)
    child.send_signal(signal.SIGINT)
    result = world.finish(child)
    return _row("Ctrl-C during the upload", world, result, 130, ["nothing was saved or charged"])


def ctrl_c_while_minimax_clones(world: World) -> Row:
    take = world.sample("host.wav")
    world.sandbox.add_fault("late", path="/v1/voice_clone", seconds=5)
    child = world.spawn("clone", take, "--voice-id", VOICE, "--name", "Host")
    world.wait_for(lambda: VOICE in voices_on_server(world))
    child.send_signal(signal.SIGINT)
    result = world.finish(child)
    then = _rerun(world, take)
    return _row(
        "Ctrl-C while MiniMax clones (voice made)",
        world,
        result,
        130,
        ["it may have made voice 'HostVoice01'", "run the same clone again"],
        then,
    )


def ctrl_c_during_preview_download(world: World) -> Row:
    take = world.sample("host.wav")
    world.sandbox.add_fault("slow", path="/sandbox/audio/", seconds=5)
    child = world.spawn("clone", take, "--voice-id", VOICE, "--name", "Host", "--text", "Hello there.")
    world.wait_for(lambda: "Host" in (world.library().get("voices") or {}))
    time.sleep(0.3)
    child.send_signal(signal.SIGINT)
    result = world.finish(child)
    return _row("Ctrl-C during the preview download", world, result, 130, ["is saved as preset 'Host' without it"])


def sigkill_at_random_points(world_factory: Callable[[], World], kills: int = 20, seed: int = 8) -> Row:
    """``kills`` runs, each in a fresh world, SIGKILLed at a random moment of the clone; the next
    command settles what the dead run left, and the same clone run again completes it."""
    rng = random.Random(seed)
    totals, failures, after_sending = Figures(0, 0, 0, True, 0), [], 0
    for number in range(kills):
        world = world_factory()
        take = world.sample("host.wav")
        world.sandbox.add_fault("slow", path="/v1/files/upload", seconds=0.3)
        world.sandbox.add_fault("late", path="/v1/voice_clone", seconds=0.6)
        child = world.spawn("clone", take, "--voice-id", VOICE, "--name", "Host", "--text", "Hello there.")
        time.sleep(rng.uniform(0.2, 3.0))
        child.kill()
        world.finish(child)
        ledger_file = world.root / "data" / "clone-ledger.jsonl"
        sent_lines = ledger_file.read_text().count('"outcome": "sent"') if ledger_file.exists() else 0
        after_sending += sent_lines > 1  # the keeper's own clone wrote one
        made_before_list = VOICE in voices_on_server(world)
        world.sandbox.clear_faults()
        time.sleep(0.7)  # a late answer the dead run never read finishes on the server
        listed = world.cli("presets", "list")
        then = _rerun(world, take)
        if listed.code != 0 or "failed" in then:
            failures.append(f"kill {number}: list {listed.code}, {then}")
        if made_before_list and not any(
            p.get("voice_id") == VOICE for p in (world.library().get("voices") or {}).values()
        ):
            failures.append(f"kill {number}: the made voice was not saved")
        found = world.figures()
        totals = Figures(
            totals.orphans + found.orphans,
            totals.wrong_sample + found.wrong_sample,
            totals.duplicates + found.duplicates,
            totals.presets_ok and found.presets_ok,
            totals.leftovers + found.leftovers,
        )
    then = f"{after_sending} killed after sending; each: presets list, rerun: exit 0"
    if failures:
        then = "; ".join(failures) + " (failed)"
    return Row(f"SIGKILL at random points (seed {seed})", -9, -9, True, then, totals, runs=kills), after_sending


# -- the disk -------------------------------------------------------------------------------------------


def _disk(
    name: str, pattern: str, expected: int, words: List[str], *, after: int = 0, follow: str = "rerun"
) -> Callable[[World], Row]:
    def scenario(world: World) -> Row:
        take = world.sample("host.wav")
        with disk_full_for(pattern, after=after):
            result = _clone(world, take)
        made_before_follow_up = len(voices_on_server(world)) - (world.keeper_entry is not None)
        if follow == "adopt":
            (kept,) = world.recovery_files()
            adopted = world.cli("presets", "adopt", kept)
            then = f"presets adopt: exit {adopted.code}" + ("" if adopted.code == 0 else " (failed)")
        else:
            then = _rerun(world, take)
        if "nothing was sent to MiniMax" in words and made_before_follow_up:
            then += " (a voice was made before the refusal: failed)"
        return _row(name, world, result, expected, words, then)

    return scenario


def speech_file_on_a_full_disk(world: World) -> Row:
    take = world.sample("host.wav")
    assert _clone(world, take).code == 0
    out = world.root / "out" / "line.wav"
    with disk_full_for(r"/out/\.?line\.wav"):
        result = world.cli("speak", "--preset", "Host", "Thanks for listening.", "-o", out)
    kept = list((world.root / "xdg").rglob("line-*.wav"))
    then = f"kept as {kept[0].name}" if kept else "nothing kept (failed)"
    return _row("ENOSPC on the speech file", world, result, 6, ["The speech is kept as"], then)


def full_tmpfs(world_factory: Callable[..., World]) -> Row:
    """The presets folder on a real tmpfs too small for the sample's archive."""
    world = world_factory(tmpfs="200k")
    take = world.sample("host.wav")
    result = _clone(world, take)
    then = "0 voices made" if len(voices_on_server(world)) == 0 else "a voice was made (failed)"
    try:
        return _row("full tmpfs under the presets folder", world, result, 6, ["nothing was sent to MiniMax"], then)
    finally:
        unmount(world.presets.parent)


def read_only_presets(world_factory: Callable[..., World]) -> Row:
    """The presets folder on a tmpfs remounted read-only: a clone is refused before anything is
    sent; speech is written all the same, with a warning."""
    world = world_factory(tmpfs="8m", keeper=True)
    remount_read_only(world.presets.parent)
    try:
        result = _clone(world, world.sample("host.wav"))
        out = world.root / "out" / "line.wav"
        spoken = world.cli("speak", "--preset", "Keeper", "Thanks for listening.", "-o", out)
        then = f"speak: exit {spoken.code}, audio {'written' if out.is_file() else 'missing (failed)'}"
        if spoken.code != 0 or "could not record" not in spoken.err:
            then += " (failed)"
        return _row("read-only presets folder", world, result, 6, ["nothing was sent to MiniMax"], then)
    finally:
        unmount(world.presets.parent)


NETWORK: Dict[str, Callable[[World], Row]] = {
    "drop-x1": _after_made("connection dropped", "drop", 1),
    "drop-every": _after_made("connection dropped", "drop", RETRIES),
    "502-x1": _after_made("HTTP 502", "after_work", 1, code=502),
    "502-every": _after_made("HTTP 502", "after_work", RETRIES, code=502),
    "1001-x1": _after_made("code 1001", "after_work", 1, code=1001),
    "1013-every": _after_made("code 1013", "after_work", RETRIES, code=1013),
    "1024-x1": _after_made("code 1024", "after_work", 1, code=1024),
    "1033-every": _after_made("code 1033", "after_work", RETRIES, code=1033),
    "cut-x1": _after_made("answer cut off", "cut", 1),
    "cut-every": _after_made("answer cut off", "cut", RETRIES),
    "unconfirmed-then-refused-upload": lambda world: unconfirmed_then_a_rerun_fails_before_sending(world),
    "timeout-x1": _timeout(1),
    "timeout-every": _timeout(RETRIES),
    "taken-by-another-sample": taken_by_another_sample,
}
SIGNALS: Dict[str, Callable[[World], Row]] = {
    "ctrl-c-upload": ctrl_c_during_upload,
    "ctrl-c-clone": ctrl_c_while_minimax_clones,
    "ctrl-c-preview": ctrl_c_during_preview_download,
}
DISK: Dict[str, Callable[[World], Row]] = {
    "enospc-archive": _disk("ENOSPC on the sample archive", r"/samples/", 6, ["nothing was sent to MiniMax"]),
    "enospc-ledger": _disk("ENOSPC on the clone ledger", r"clone-ledger\.jsonl", 6, ["nothing was sent to MiniMax"]),
    "enospc-pending": _disk(
        "ENOSPC on the pending record", r"\.presets\.yaml\.\d+\.", 6, ["nothing was sent to MiniMax"]
    ),
    "enospc-record": _disk(
        "ENOSPC on the preset record after the voice is made",
        r"\.presets\.yaml\.\d+\.",
        6,
        ["MiniMax made voice 'HostVoice01'", "presets adopt"],
        after=1,
        follow="adopt",
    ),
    "enospc-record-and-recovery": _disk(
        "ENOSPC on the record and every recovery file",
        r"\.presets\.yaml\.\d+\.|recovered",
        6,
        ["MiniMax made voice 'HostVoice01'", "run the same clone again"],
        after=1,
    ),
    "enospc-preview": _disk("ENOSPC on the preview file", r"/previews/", 0, []),
    "enospc-speech": speech_file_on_a_full_disk,
}
