"""Preparing a take for upload against sox doing the same conversion, each run in a process of its own.

The take is the issue's: 5 minutes of 48 kHz 24-bit stereo, of speech (espeak-ng's host voice from
tests/episode_track.py, in its -58 dBFS room, peaking at -3 dBFS, the right channel a little lower
with a room of its own), as a take is. Preparing it means decoding, the level
check and the sample doctor (every second judged), downmixing to mono and resampling to 32 kHz 16-bit
to fit 20 MB, writing and hashing the upload file. sox does only the conversion:
``sox take.wav -b 16 -c 1 out.wav rate 32000``. The runs alternate, and each figure is the median of
RUNS. CPU is user + system time of all the process's threads; memory is the process's peak resident
set (VmHWM), imports included, for takes of 1, 5, 20 and 60 minutes (a take is trimmed to 5:00, so
memory must not grow with it).

Bars (issue: preparation at half of sox's time): wall <= 0.6x sox, CPU <= 1.0x sox, peak <= 48 MB at
every length.
"""

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from episode_track import HOST_VOICE, RATE, _room, _Speech  # noqa: E402

RUNS = 11
LENGTHS_MIN = (1, 5, 20, 60)
CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from voiceclone import audio

def peak_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

imports_kb = peak_kb()
start_cpu, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
prepared = audio.prepare(Path(sys.argv[1]), Path(sys.argv[2]))
wall, end_cpu = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF)
cpu = end_cpu.ru_utime + end_cpu.ru_stime - start_cpu.ru_utime - start_cpu.ru_stime
print(json.dumps({"wall": wall, "cpu": cpu, "peak_kb": peak_kb(), "imports_kb": imports_kb,
                  "upload": [prepared.sample_rate, prepared.num_channels, prepared.size_bytes]}))
"""


def _write_take(path: Path, minutes: float) -> Path:
    """A 48 kHz 24-bit stereo take of speech, written a minute at a time (an hour is 1 GB)."""
    rng = np.random.default_rng(7)
    speech = _Speech(path.parent, rng)
    with sf.SoundFile(str(path), "w", RATE, 2, "PCM_24") as handle:
        for minute in range(int(np.ceil(minutes))):
            frames = int(min(60.0, minutes * 60 - minute * 60) * RATE)
            voice = speech.say(HOST_VOICE, frames) * (10 ** (-3 / 20) / 0.5)  # espeak's peak is 0.5 here
            left, right = voice + _room(frames, rng), 0.8 * voice + _room(frames, rng)
            handle.write(np.clip(np.stack([left, right], axis=1), -1, 1).astype(np.float32))
    return path


def _prepare(take: Path, work: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(take), str(work)], env=env, capture_output=True, text=True, check=True
    )
    for leftover in work.iterdir():
        leftover.unlink()
    return json.loads(done.stdout)


def _sox(take: Path, out: Path, minutes: float) -> dict:
    trim = ["trim", "0", "300"] if minutes > 5 else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(["sox", str(take), "-b", "16", "-c", "1", str(out), "rate", "32000", *trim], check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out.unlink()
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"wall": wall, "cpu": cpu, "peak_kb": after.ru_maxrss}


def run(runs: int = RUNS) -> dict:
    if shutil.which("sox") is None:
        return {"skipped": "sox is not installed (tests/run installs it)"}
    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        work = folder / "work"
        work.mkdir()
        take = _write_take(folder / "take5.wav", 5)
        _prepare(take, work)  # warm the page cache and the bytecode
        ours, theirs = [], []
        for _ in range(runs):
            ours.append(_prepare(take, work))
            theirs.append(_sox(take, folder / "sox.wav", 5))
        wall, cpu = (statistics.median(r[key] for r in ours) for key in ("wall", "cpu"))
        sox_wall, sox_cpu = (statistics.median(r[key] for r in theirs) for key in ("wall", "cpu"))
        figures.update(
            prepare_wall_s=wall,
            prepare_cpu_s=cpu,
            sox_wall_s=sox_wall,
            sox_cpu_s=sox_cpu,
            wall_vs_sox=wall / sox_wall,
            cpu_vs_sox=cpu / sox_cpu,
            upload="{} Hz, {} ch, {} bytes".format(*ours[0]["upload"]),
            imports_mb=ours[0]["imports_kb"] / 1024,
        )
        take.unlink()
        for minutes in LENGTHS_MIN:
            take = _write_take(folder / f"take{minutes}.wav", minutes)
            figures[f"peak_mb_{minutes}_min"] = max(_prepare(take, work)["peak_kb"] for _ in range(2)) / 1024
            take.unlink()
    peaks = [figures[f"peak_mb_{m}_min"] for m in LENGTHS_MIN]
    figures["pass"] = figures["wall_vs_sox"] <= 0.6 and figures["cpu_vs_sox"] <= 1.0 and max(peaks) <= 48
    return figures


if __name__ == "__main__":
    result = run(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS)
    for key, value in result.items():
        print(f"{key:24} {value:.3f}" if isinstance(value, float) else f"{key:24} {value}")
    print("PASS" if result.get("pass") else "FAIL", "(bars: wall <= 0.6x sox, CPU <= 1.0x sox, peak <= 48 MB)")
