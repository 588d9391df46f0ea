"""What a command costs before it does anything: `voiceclone --help`, `--version` and the light
commands against `python -c pass`, each the median of 15 runs in a fresh interpreter, the runs of
the command and of `python -c pass` taking turns (so both see the same machine). The command is
the installed `voiceclone` script, as a user types it.

Bars (issue: as fast as the bare calls): `voiceclone --help` <= 4x `python -c pass`; the REAPER
background job (`voiceclone.worker`) <= 0.06 s of imports before it does anything, read from
``python -X importtime``. It measures the installed package (`pip install .`), with the bytecode
pip compiled, as a user runs it.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 15


def _took(argv, env) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def _medians(argv, bare_argv, env):
    """Median times of ``argv`` and ``bare_argv``, run in turns; the first pair warms the disk cache."""
    pairs = [(_took(argv, env), _took(bare_argv, env)) for _ in range(RUNS + 1)][1:]
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def run() -> dict:
    script = str(Path(sys.executable).with_name("voiceclone"))
    with tempfile.TemporaryDirectory() as tmp:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        env["VOICECLONE_PRESETS"] = str(Path(tmp) / "presets.yaml")
        figures = {}
        for name, argv in (
            ("voiceclone --help", ["--help"]),
            ("voiceclone --version", ["--version"]),
            ("voiceclone presets list", ["presets", "list"]),
        ):
            took, bare = _medians([script, *argv], [sys.executable, "-c", "pass"], env)
            figures[f"{name} (s)"] = round(took, 4)
            figures[f"{name} / python -c pass"] = round(took / bare, 2)
        figures["REAPER job imports (s)"] = round(_median_import("voiceclone.worker", env), 4)
    return figures


def _median_import(module: str, env) -> float:
    """The module's own import time with everything it pulls in (``-X importtime``'s last line)."""
    times = []
    for _ in range(RUNS + 1):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"], env=env, capture_output=True, text=True
        )
        times.append(int(done.stderr.strip().splitlines()[-1].split("|")[1]) / 1e6)
    return statistics.median(times[1:])


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
