"""The fault suite's machinery: one user's machine, the faults it meets, and the figures that judge
what the plugin did.

A :class:`World` is a sandbox on loopback, a presets file that already holds an earlier preset
("Keeper"), the user's clone ledger and a private temp folder. The command line runs in-process
(:meth:`World.cli`) or as a process a signal can reach (:meth:`World.spawn`). Disk faults are
real: an ``OSError`` raised by ``open`` for the file named (:func:`disk_full_for`), a tmpfs too
small to hold the sample, a tmpfs remounted read-only. :meth:`World.figures` counts what a user
would lose: voices made on the server with neither a preset, a pending entry nor a recovery file;
presets whose voice was made from another sample; extra voices made from one sample; the presets
file and its earlier entries; partial files and temp folders left behind.
"""

import builtins
import contextlib
import errno
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional

import soundfile as sf
import yaml

from helpers import FAKE_KEY, signal
from voiceclone import cli

PARTIAL = re.compile(r"^\..+\.\d+\.(part|tmp)$")


@dataclass
class Result:
    code: int
    out: str
    err: str


@dataclass
class Figures:
    """What a scenario left, as a user would count it."""

    orphans: int  # voices on the server with no preset, pending entry or recovery file
    wrong_sample: int  # presets whose voice MiniMax made from another sample
    duplicates: int  # voices beyond one per sample
    presets_ok: bool  # the presets file loads, with every earlier entry as it was
    leftovers: int  # partial files and temp folders left behind

    @property
    def clean(self) -> bool:
        return (self.orphans, self.wrong_sample, self.duplicates, self.leftovers) == (0, 0, 0, 0) and self.presets_ok


class World:
    """One user's machine, in ``root``, talking to ``sandbox``."""

    def __init__(self, root: Path, sandbox, *, presets_folder: Optional[Path] = None):
        self.root, self.sandbox = Path(root), sandbox
        self.tmp = self.root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        folder = presets_folder or self.root / "lib"
        self.env = {
            "MINIMAX_API_KEY": FAKE_KEY,
            "MINIMAX_BASE_URL": sandbox.base_url,
            "VOICECLONE_PRESETS": str(folder / "presets.yaml"),
            "VOICECLONE_LEDGER": str(self.root / "data" / "clone-ledger.jsonl"),
            "VOICECLONE_BACKOFF": "0.01",
            "VOICECLONE_TIMEOUT": "10",
            "TMPDIR": str(self.tmp),
            "XDG_DATA_HOME": str(self.root / "xdg"),
        }
        self._seed = 10
        self.keeper_entry: Optional[dict] = None

    @property
    def presets(self) -> Path:
        return Path(self.env["VOICECLONE_PRESETS"])

    def sample(self, name: str, seconds: float = 12) -> Path:
        """A speech-like take of its own (each has another seed, so another sha256)."""
        self._seed += 1
        path = self.root / "takes" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(str(path), signal(seconds, 16000, seed=self._seed), 16000, subtype="PCM_16")
        return path

    def with_keeper(self) -> "World":
        """Clone the earlier preset every scenario must leave untouched."""
        result = self.cli("clone", self.sample("keeper.wav", 15), "--voice-id", "KeeperVoice01", "--name", "Keeper")
        assert result.code == 0, result.err
        self.keeper_entry = self.library()["voices"]["Keeper"]
        return self

    # -- running the command line ----------------------------------------------------------------

    def cli(self, *argv, **env_extra: str) -> Result:
        """The command line in this process, with this world's environment and temp folder."""
        out, err = io.StringIO(), io.StringIO()
        saved, saved_data = tempfile.tempdir, os.environ.get("XDG_DATA_HOME")
        tempfile.tempdir, os.environ["XDG_DATA_HOME"] = str(self.tmp), self.env["XDG_DATA_HOME"]
        try:
            with redirect_stderr(err):
                code = cli.main([str(a) for a in argv], env={**self.env, **env_extra}, stdout=out, stderr=err)
        finally:
            tempfile.tempdir = saved
            if saved_data is None:
                os.environ.pop("XDG_DATA_HOME", None)
            else:
                os.environ["XDG_DATA_HOME"] = saved_data
        return Result(code, out.getvalue(), err.getvalue())

    def spawn(self, *argv) -> subprocess.Popen:
        """The command line as its own process (``python -m voiceclone``), for signals."""
        return subprocess.Popen(
            [sys.executable, "-m", "voiceclone", *[str(a) for a in argv]],
            env={**os.environ, **self.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def finish(self, child: subprocess.Popen, timeout: float = 60) -> Result:
        out, err = child.communicate(timeout=timeout)
        return Result(child.returncode, out, err)

    def wait_for(self, condition: Callable[[], bool], timeout: float = 30) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.02)
        return False

    # -- what a user would look at -----------------------------------------------------------------

    def library(self) -> dict:
        try:
            return yaml.safe_load(self.presets.read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            return {}

    def recovery_files(self) -> List[Path]:
        return sorted(self.root.rglob("voiceclone-recovered-*.yaml"))

    def figures(self) -> Figures:
        state = self.sandbox.state
        made = {v: voice for v, voice in state.voices.items() if not voice.deleted}
        try:
            library = self.library()
            presets_ok = isinstance(library.get("voices", {}), dict) and (
                self.keeper_entry is None or library["voices"].get("Keeper") == self.keeper_entry
            )
        except (OSError, yaml.YAMLError):
            library, presets_ok = {}, False
        voices, pending = dict(library.get("voices") or {}), dict(library.get("pending") or {})
        for other in self.root.rglob("presets.yaml"):  # the user's other presets files
            if other != self.presets:
                more = yaml.safe_load(other.read_text(encoding="utf-8")) or {}
                voices.update({f"{other}:{n}": p for n, p in (more.get("voices") or {}).items()})
                pending.update(more.get("pending") or {})
        recovered = set()
        for path in self.recovery_files():
            recovered.add(((yaml.safe_load(path.read_text()) or {}).get("recovered_voice") or {}).get("voice_id"))
        kept = {p.get("voice_id") for p in voices.values()} | set(pending) | recovered
        orphans = len(set(made) - kept)
        sample_of = {
            v: hashlib.sha256(state.files[voice.file_id].data).hexdigest()
            for v, voice in made.items()
            if voice.file_id in state.files
        }
        wrong = sum(
            1
            for p in voices.values()
            if p.get("voice_id") in sample_of and sample_of[p["voice_id"]] != (p.get("sample") or {}).get("sha256")
        )
        duplicates = len(sample_of) - len(set(sample_of.values()))
        leftovers = sum(1 for p in self.root.rglob("*") if PARTIAL.match(p.name)) + sum(
            1 for p in self.tmp.iterdir() if p.name.startswith("voiceclone-")
        )
        return Figures(orphans, wrong, duplicates, presets_ok, leftovers)


# -- disk faults --------------------------------------------------------------------------------------

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT


@contextlib.contextmanager
def disk_full_for(pattern: str, *, after: int = 0, code: int = errno.ENOSPC) -> Iterator[List[str]]:
    """Every open for writing of a path matching ``pattern`` (a regular expression), after the
    first ``after`` such opens, fails as a full disk would (``code``). Yields the paths refused."""
    matcher, seen, refused = re.compile(pattern), [0], []
    real_open, real_io_open, real_os_open = builtins.open, io.open, os.open

    def check(path, writing: bool) -> None:
        if writing and matcher.search(str(path)):
            seen[0] += 1
            if seen[0] > after:
                refused.append(str(path))
                raise OSError(code, os.strerror(code), str(path))

    def fake_open(file, mode="r", *args, **kwargs):
        check(file, any(c in str(mode) for c in "wax+"))
        return real_open(file, mode, *args, **kwargs)

    def fake_os_open(path, flags, *args, **kwargs):
        check(path, bool(flags & _WRITE_FLAGS))
        return real_os_open(path, flags, *args, **kwargs)

    builtins.open, io.open, os.open = fake_open, fake_open, fake_os_open
    try:
        yield refused
    finally:
        builtins.open, io.open, os.open = real_open, real_io_open, real_os_open


def mount_tmpfs(folder: Path, size: str) -> Optional[str]:
    """Mount a tmpfs of ``size`` on ``folder``; None, or why it cannot be done here."""
    folder.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None or os.geteuid() != 0:
        return "mounting a tmpfs needs root and mount(8)"
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True, text=True
    )
    return None if done.returncode == 0 else f"mount failed: {done.stderr.strip()}"


def remount_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)


def unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def voices_on_server(world: World) -> Dict[str, object]:
    return {v: voice for v, voice in world.sandbox.state.voices.items() if not voice.deleted}
