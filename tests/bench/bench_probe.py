"""The header verdict (format, duration, size) of accepted files: under 5 ms, independent of length."""

import sys
import tempfile
from pathlib import Path

from common import median_time, speechy_noise

from voiceclone import audio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import write_m4a  # noqa: E402


def run(runs: int = 50) -> dict:
    import soundfile as sf

    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for seconds in (12, 300):
            data = speechy_noise(seconds, 44100, 2)
            files = {
                "wav": Path(tmp) / f"{seconds}.wav",
                "mp3": Path(tmp) / f"{seconds}.mp3",
                "m4a": Path(tmp) / f"{seconds}.m4a",
            }
            sf.write(str(files["wav"]), data, 44100, subtype="PCM_16")
            sf.write(str(files["mp3"]), data, 44100, format="MP3")
            write_m4a(files["m4a"], data, 44100)
            for fmt, path in files.items():
                figures[f"{fmt}_{seconds}s_ms"] = 1000 * median_time(lambda path=path: audio.probe(path), runs)
    return figures


if __name__ == "__main__":
    result = run()
    for key, value in result.items():
        print(f"{key:16} {value:.3f}")
    print("PASS" if max(result.values()) < 5.0 else "FAIL", "(bar: every header verdict under 5 ms)")
