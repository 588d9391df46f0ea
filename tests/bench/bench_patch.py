"""Patching real speech: espeak-ng voices over two rooms, each phrase re-spoken by the sandbox's voice.

Bars (issue: patch a take): |dLUFS| <= 1 LU against the speech around the patch; the patch's
quietest 100 ms within 3 dB of the take's room tone; no seam step above 1.5x the signal's own;
the spoken length within 5 % of the selection.
"""

import io
import json
import shutil
import sys
import tempfile
from contextlib import redirect_stderr
from pathlib import Path

import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import FAKE_KEY, patch_figures, spoken_take  # noqa: E402
from voiceclone import cli  # noqa: E402
from voiceclone.sandbox import Sandbox  # noqa: E402

VOICES = ("en", "en-us", "en+f3", "en+m3")
ROOMS = {"quiet room (-60 dBFS)": -60.0, "noisy room (-45 dBFS)": -45.0}
PATCHES = ((4.3, 7.3, "I said exactly the right word, right here, today."), (2.0, 3.6, "Today we talk about it."))


def run() -> dict:
    if shutil.which("espeak-ng") is None:
        return {"skipped": "espeak-ng is not installed"}
    rows, worst = [], {"loudness_delta_lu": 0.0, "noise_floor_delta_db": 0.0, "worst_seam_step": 0.0, "length": 0.0}
    with tempfile.TemporaryDirectory() as tmp, Sandbox(api_keys={FAKE_KEY}) as sandbox:
        folder = Path(tmp)
        env = {
            "MINIMAX_API_KEY": FAKE_KEY,
            "MINIMAX_BASE_URL": sandbox.base_url,
            "VOICECLONE_PRESETS": str(folder / "presets.yaml"),
            "VOICECLONE_LEDGER": str(folder / "ledger.jsonl"),
        }
        main = _runner(env)
        clone_sample = spoken_take(folder / "sample.wav", room_db=-60.0, seed=0)
        main("clone", clone_sample, "--voice-id", "BenchVoice01", "--name", "Host", "--start", "0", "--end", "10.5")
        for n, voice in enumerate(VOICES):
            for room, floor_db in ROOMS.items():
                take = spoken_take(folder / f"{voice}{floor_db:+.0f}.wav", voice=voice, room_db=floor_db, seed=n)
                for start, end, text in PATCHES:
                    out = folder / f"patched-{voice}{floor_db:+.0f}-{start}.wav"
                    made = main(
                        "patch",
                        take,
                        "--start",
                        start,
                        "--end",
                        end,
                        "--text",
                        text,
                        "--preset",
                        "Host",
                        "-o",
                        out,
                        "--json",
                    )
                    original, rate = sf.read(str(take), dtype="float32", always_2d=True)
                    patched, _ = sf.read(str(out), dtype="float32", always_2d=True)
                    figures = patch_figures(original, patched, rate, start, end)
                    figures["length"] = json.loads(made)["spoken_s"] / (end - start) - 1
                    rows.append((voice, room, f"{start}-{end} s", figures))
                    for key in worst:
                        worst[key] = max(worst[key], abs(figures[key]))
    for voice, room, where, figures in rows:
        print(
            f"   {voice:6} {room:24} {where:12} dLUFS {figures['loudness_delta_lu']:+.2f}  "
            f"floor {figures['noise_floor_delta_db']:+.2f} dB  seam {figures['worst_seam_step']:.2f}  "
            f"length {figures['length']:+.1%}"
        )
    return {"patches": len(rows), **{f"worst_{key}": value for key, value in worst.items()}}


def _runner(env):
    def main(*argv) -> str:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stderr(err):
            code = cli.main([str(a) for a in argv], env=env, stdout=out, stderr=err)
        if code != 0:
            raise SystemExit(f"{' '.join(map(str, argv))}: {err.getvalue()}")
        return out.getvalue()

    return main


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:28} {value:.3f}" if isinstance(value, float) else f"{key:28} {value}")
