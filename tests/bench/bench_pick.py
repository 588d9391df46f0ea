"""The picker on constructed episode tracks of 5, 20 and 60 minutes (tests/episode_track.py).

Bars (issue: whole episodes in): the picked pieces come from the host's clean speech (precision
>= 0.95 by duration) and total 60-300 s; the file is read once in constant memory (peak RSS
independent of length, but for the measures it keeps: about 10 MB an hour); at least 50x real time
on this 2-core machine. Each pick runs in a child process of its own, so its peak RSS (VmHWM) is its
own: about 47 MB for 5 minutes, most of it the imports (numpy, soundfile, soxr).
"""

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from episode_track import clean_host_overlap, episode_track  # noqa: E402

MINUTES = (5, 20, 60)
CHILD = """
import json, sys, time
from pathlib import Path
start, cpu = time.perf_counter(), time.process_time()
from voiceclone import picker
found = picker.pick(Path(sys.argv[1]))
print(json.dumps({
    "wall_s": time.perf_counter() - start,
    "cpu_s": time.process_time() - cpu,
    # VmHWM: this process's own peak (ru_maxrss keeps the parent's peak at fork across exec)
    "peak_rss_mb": int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024,
    "pieces": [[p.start_s, p.end_s] for p in found.pieces],
}))
"""


def run() -> dict:
    if shutil.which("espeak-ng") is None:
        return {"skipped": "espeak-ng is not installed"}
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for minutes in MINUTES:
            track = Path(tmp) / f"episode-{minutes}.wav"
            parts = episode_track(track, minutes=minutes)
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(track)], capture_output=True, text=True, check=True, timeout=900
            )
            figures = json.loads(done.stdout)
            inside, total = clean_host_overlap(parts, [tuple(p) for p in figures.pop("pieces")])
            rows[f"{minutes} min"] = {
                **{key: round(value, 2) for key, value in figures.items()},
                "times_real_time": round(minutes * 60 / figures["wall_s"], 1),
                "picked_s": round(total, 1),
                "precision": round(inside / total, 4) if total else None,
            }
            track.unlink()
    rss = [row["peak_rss_mb"] for row in rows.values()]
    return {
        "runs": rows,
        "peak_rss_spread_mb": round(max(rss) - min(rss), 1),
        "worst_times_real_time": min(row["times_real_time"] for row in rows.values()),
        "worst_precision": min(row["precision"] for row in rows.values()),
    }


if __name__ == "__main__":
    started = time.perf_counter()
    print(json.dumps(run(), indent=2))
    print(
        f"(benchmark took {time.perf_counter() - started:.0f} s; "
        f"own peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)"
    )
