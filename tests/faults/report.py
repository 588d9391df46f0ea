"""Print the fault suite's figures as a table: `python tests/faults/report.py` (from the repository,
with the plugin installed, e.g. `.venv/bin/python tests/faults/report.py`).

Every scenario of tests/faults/scenarios.py runs against its own sandbox on loopback, as the tests
run them; the real-disk scenarios need root (a tmpfs is mounted) and are reported as skipped
otherwise. Bounded: about a minute and a half.
"""

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import scenarios  # noqa: E402
from world import World, mount_tmpfs  # noqa: E402

from helpers import FAKE_KEY  # noqa: E402
from voiceclone.sandbox import Sandbox  # noqa: E402

COLUMNS = (
    "scenario",
    "exit (want)",
    "message",
    "then",
    "orphans",
    "wrong sample",
    "duplicates",
    "presets ok",
    "leftovers",
)


def main() -> int:
    rows, skipped, sandboxes = [], [], []
    with tempfile.TemporaryDirectory(prefix="voiceclone-fault-report-") as root:
        count = [0]

        def make(*, tmpfs=None, keeper=True):
            count[0] += 1
            folder = Path(root) / f"world{count[0]}" / "lib"
            if tmpfs is not None:
                why = mount_tmpfs(folder, tmpfs)
                if why:
                    raise RuntimeError(why)
                keeper = keeper and tmpfs != "200k"
            sandbox = Sandbox(api_keys={FAKE_KEY})
            sandbox.__enter__()
            sandboxes.append(sandbox)
            world = World(folder.parent, sandbox, presets_folder=folder)
            return world.with_keeper() if keeper else world

        try:
            for group in (scenarios.NETWORK, scenarios.SIGNALS, scenarios.DISK):
                for scenario in group.values():
                    rows.append(scenario(make()))
            rows.append(scenarios.sigkill_at_random_points(make, kills=20)[0])
            for scenario in (scenarios.full_tmpfs, scenarios.read_only_presets):
                try:
                    rows.append(scenario(make))
                except RuntimeError as exc:
                    skipped.append(f"{scenario.__name__}: {exc}")
        finally:
            for sandbox in sandboxes:
                sandbox.__exit__(None, None, None)
    table = [COLUMNS] + [
        (
            row.scenario + (f" x{row.runs}" if row.runs > 1 else ""),
            "killed" if row.exit_code == -9 else f"{row.exit_code} ({row.expected})",
            "yes" if row.message_ok else "NO",
            row.then,
            str(row.figures.orphans),
            str(row.figures.wrong_sample),
            str(row.figures.duplicates),
            "yes" if row.figures.presets_ok else "NO",
            str(row.figures.leftovers),
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    for index, line in enumerate(table):
        print(" | ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
        if index == 0:
            print("-+-".join("-" * width for width in widths))
    for reason in skipped:
        print(f"skipped: {reason}")
    bad = [row.scenario for row in rows if not row.ok]
    print(
        f"\n{len(rows) - len(bad)} of {len(rows)} scenarios lost nothing" + (f"; NOT: {', '.join(bad)}" if bad else "")
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
