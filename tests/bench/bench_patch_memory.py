"""Patching a phrase in takes of 2, 10 and 60 minutes (48 kHz 16-bit stereo speech, espeak-ng's voice
from tests/episode_track.py): the `voiceclone patch` process's peak memory, each patch in a process
of its own against the sandbox.

Bar: the peak does not grow with the take (only the minute around the phrase is read; the rest is
copied block by block): the hour-long take's peak within 5 MB of the 2-minute take's. (Before, the
whole take was read and copied: 2.8 GB and 106 s for 30 minutes; most of the peak left is the
imports, SciPy's and pyloudnorm's among them.)
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from episode_track import HOST_VOICE, RATE, _room, _Speech  # noqa: E402
from helpers import FAKE_KEY  # noqa: E402
from voiceclone.sandbox import Sandbox  # noqa: E402

MINUTES = (2, 10, 60)
#: Runs the command as its own child and prints that child's peak RSS: a process forked from a big
#: one starts with the big one's peak on Linux (ru_maxrss is kept across fork and exec), so the patch
#: is started from this small launcher, not from the benchmark (which run_all makes big).
LAUNCHER = r"""
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(child.pid, 0)
err = child.stderr.read().decode()
print(usage.ru_maxrss if status == 0 else -1)
print(err, file=sys.stderr)
"""


def _write_take(path: Path, minutes: int) -> Path:
    rng = np.random.default_rng(3)
    voice = _Speech(path.parent, rng).say(HOST_VOICE, 60 * RATE)
    minute = np.stack([voice + _room(len(voice), rng), 0.9 * voice + _room(len(voice), rng)], axis=1)
    with sf.SoundFile(str(path), "w", RATE, 2, "PCM_16") as handle:
        for _ in range(minutes):
            handle.write(np.clip(minute, -1, 1).astype(np.float32))
    return path


def _patch_peak_mb(take: Path, out: Path, env: dict) -> tuple:
    script = str(Path(sys.executable).with_name("voiceclone"))
    argv = [script, "patch", str(take), "--start", "40", "--end", "42", "--text", "We keep recording and listening."]
    argv += ["--voice-id", "English_expressive_narrator", "-o", str(out)]
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", LAUNCHER, *argv], env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    peak_kb = int(done.stdout.strip() or -1)
    if peak_kb < 0:
        raise RuntimeError(f"the patch failed: {done.stderr}")
    return peak_kb / 1024, took


def run() -> dict:
    figures = {}
    with tempfile.TemporaryDirectory() as tmp, Sandbox(api_keys={FAKE_KEY}) as sandbox:
        folder = Path(tmp)
        env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        env.update(
            MINIMAX_API_KEY=FAKE_KEY,
            MINIMAX_BASE_URL=sandbox.base_url,
            VOICECLONE_PRESETS=str(folder / "presets.yaml"),
            VOICECLONE_LEDGER=str(folder / "ledger.jsonl"),
        )
        for minutes in MINUTES:
            take = _write_take(folder / f"take{minutes}.wav", minutes)
            out = folder / f"patched{minutes}.wav"
            peak, took = _patch_peak_mb(take, out, env)
            figures[f"take_{minutes}_min_mb"] = round(take.stat().st_size / 1e6, 1)
            figures[f"peak_mb_{minutes}_min"] = round(peak, 1)
            figures[f"seconds_{minutes}_min"] = round(took, 2)
            take.unlink()
            out.unlink()
    figures["pass"] = figures[f"peak_mb_{MINUTES[-1]}_min"] - figures[f"peak_mb_{MINUTES[0]}_min"] <= 5
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:20} {value}")
