"""Preparing a 5-minute 48 kHz 24-bit stereo WAV for upload, against a plain soundfile.read of it.

Bar: prepare (read, check, downmix, resample, write) takes at most 3x the plain read.
"""

import sys
import tempfile
from pathlib import Path

import soundfile as sf
from common import median_time, write_take

from voiceclone import audio


def run(runs: int = 5) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        take = write_take(Path(tmp) / "take.wav", 300, 48000, 2, "PCM_24")
        work = Path(tmp) / "work"
        work.mkdir()
        read64 = median_time(lambda: sf.read(str(take)), runs)
        read32 = median_time(lambda: sf.read(str(take), dtype="float32"), runs)
        prepared = audio.prepare(take, work)
        prepare = median_time(lambda: audio.prepare(take, work), runs)
    figures = {
        "read_float64_s": read64,
        "read_float32_s": read32,
        "prepare_s": prepare,
        "ratio_vs_read": prepare / read64,
        "ratio_vs_read_float32": prepare / read32,
        "upload": f"{prepared.sample_rate} Hz, {prepared.num_channels} ch, {prepared.size_bytes} bytes",
    }
    return figures


if __name__ == "__main__":
    result = run(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
    for key, value in result.items():
        print(f"{key:24} {value:.3f}" if isinstance(value, float) else f"{key:24} {value}")
    print("PASS" if result["ratio_vs_read"] <= 3.0 else "FAIL", "(bar: prepare <= 3x soundfile.read)")
