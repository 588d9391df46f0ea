"""Run every benchmark and print its figures: `.venv/bin/python tests/bench/run_all.py`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_audacity_export  # noqa: E402
import bench_calls  # noqa: E402
import bench_patch  # noqa: E402
import bench_patch_memory  # noqa: E402
import bench_pick  # noqa: E402
import bench_prepare  # noqa: E402
import bench_probe  # noqa: E402
import bench_reaper_ticks  # noqa: E402
import bench_script  # noqa: E402
import bench_startup  # noqa: E402
import bench_upload_memory  # noqa: E402

for name, module in (
    ("prepare", bench_prepare),
    ("probe", bench_probe),
    ("upload memory", bench_upload_memory),
    ("REAPER defer ticks", bench_reaper_ticks),
    ("Audacity export", bench_audacity_export),
    ("patch a take", bench_patch),
    ("patch memory", bench_patch_memory),
    ("pick from an episode", bench_pick),
    ("speak a script", bench_script),
    ("start-up", bench_startup),
    ("clone and speak against bare calls", bench_calls),
):
    print(f"== {name}: {module.__doc__.strip().splitlines()[0]}")
    for key, value in module.run().items():
        print(f"   {key:24} {value:.4f}" if isinstance(value, float) else f"   {key:24} {value}")
