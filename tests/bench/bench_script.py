"""The script queue's own cost: plugin wall time per line minus the server's time on it.

A 200-line script (two presets) against the sandbox, whose T2A limit is 60 requests in any 2 s
(MiniMax: 60 a minute; the plugin is told the same window), with three injected 1002s. The
server's time is measured inside the sandbox (its T2A handler, wrapped); the queue's overhead per
line is (run wall time x parallel - server time - time waiting for the limit) / lines, and the
bare request cost (one speech without the queue) is shown beside it.
"""

import io
import json
import sys
import tempfile
import threading
import time
from contextlib import redirect_stderr
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import FAKE_KEY, signal  # noqa: E402
from voiceclone import cli  # noqa: E402
from voiceclone.sandbox import Sandbox  # noqa: E402

T2A, WINDOW_S, LINES, PARALLEL = "/v1/t2a_v2", 2.0, 200, 4


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp, Sandbox(api_keys={FAKE_KEY}, rate_limits={T2A: (60, WINDOW_S)}) as box:
        folder = Path(tmp)
        env = {
            "MINIMAX_API_KEY": FAKE_KEY,
            "MINIMAX_BASE_URL": box.base_url,
            "VOICECLONE_PRESETS": str(folder / "presets.yaml"),
            "VOICECLONE_LEDGER": str(folder / "ledger.jsonl"),
            "VOICECLONE_RATE_WINDOW": str(WINDOW_S),
            "VOICECLONE_BACKOFF": "0.01",
        }
        import soundfile as sf

        for name in ("Host", "Guest"):
            sample = folder / f"{name}.wav"
            sf.write(str(sample), signal(12, 16000, 1, kind="voice"), 16000, subtype="PCM_16")
            _cli(env, "clone", sample, "--voice-id", f"{name}Voice01", "--name", name)
            _cli(env, "activate", name, "--yes")
        server_s, lock = [0.0], threading.Lock()
        handler = box.state.t2a

        def timed(body, ctx):
            began = time.perf_counter()
            try:
                return handler(body, ctx)
            finally:
                with lock:
                    server_s[0] += time.perf_counter() - began

        box.state.t2a = timed
        script = folder / "script.txt"
        script.write_text(
            "\n".join(f"[{'Host' if n % 3 else 'Guest'}] Line {n} about rooms and microphones." for n in range(LINES))
        )
        time.sleep(WINDOW_S)
        box.add_fault("rate_limit", path=T2A, times=3, after=40)
        began = time.perf_counter()
        data = json.loads(_cli(env, "script", script, "--out", folder / "out", "--parallel", PARALLEL, "--json"))
        wall = time.perf_counter() - began
        plugin_s = sum(line["wall_s"] for line in data["lines"])
        limited = LINES / 60 * WINDOW_S  # the least time the limit allows for the lines
        return {
            "lines": LINES,
            "spoken": data["spoken"],
            "failed": data["failed"],
            "requests_over_limit": box.over_limit(T2A),
            "wall_s": round(wall, 2),
            "least_wall_the_limit_allows_s": round(limited, 2),
            "server_s_total": round(server_s[0], 2),
            "plugin_s_per_line": round(plugin_s / LINES, 4),
            "server_s_per_line": round(server_s[0] / LINES, 4),
            "queue_overhead_s_per_line": round((plugin_s - server_s[0]) / LINES, 4),
        }


def _cli(env, *argv) -> str:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stderr(err):
        code = cli.main([str(a) for a in argv], env=env, stdout=out, stderr=err)
    if code != 0:
        raise SystemExit(f"{argv[0]} failed ({code}): {err.getvalue()}")
    return out.getvalue()


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
