"""`voiceclone speak` and `voiceclone clone` against a bare `requests` script making the same calls,
both on the loopback sandbox (a server process of its own), each the median of 11 runs in a fresh
interpreter, ours and the bare script's taking turns, as a user runs them (the installed
`voiceclone` script).

Bar (issue: as fast as the bare calls): `clone` and `speak` <= 1.2x the bare script. `speak` is
measured twice: with no presets file yet, and with the 12 voices the clones leave (which it reads).
The clone is also set beside the bare script doing the clone's audio work too (not a bar: what of the
clone's time is that work).
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

RUNS = 11
KEY = "bench-key-not-a-secret"
BARE_SPEAK = """
import json, sys, requests
base, key, out = sys.argv[1:4]
r = requests.post(base + "/v1/t2a_v2", headers={"Authorization": "Bearer " + key}, json={
    "model": "speech-2.8-hd", "text": "Hello there, this is a line.", "stream": False,
    "voice_setting": {"voice_id": "English_expressive_narrator"},
    "audio_setting": {"format": "wav", "sample_rate": 32000, "channel": 1}, "output_format": "hex"})
open(out, "wb").write(bytes.fromhex(r.json()["data"]["audio"]))
"""
BARE_CLONE = """
import json, sys, requests
base, key, sample, voice_id, out = sys.argv[1:6]
auth = {"Authorization": "Bearer " + key}
with open(sample, "rb") as f:
    up = requests.post(base + "/v1/files/upload", headers=auth, data={"purpose": "voice_clone"},
                       files={"file": ("sample.wav", f, "audio/wav")}).json()
made = requests.post(base + "/v1/voice_clone", headers=auth, json={"file_id": up["file"]["file_id"],
    "voice_id": voice_id, "text": "Hello there.", "model": "speech-2.8-hd"}).json()
open(out, "wb").write(requests.get(made["demo_audio"]).content)
"""


#: The bare clone with the audio work a clone must do before anything is sent, and after: the sample
#: checked and prepared (the doctor, the level check, the file to upload) and the preview decoded.
#: Not a bar: it says how much of the clone's time over the bare calls is that work.
BARE_CLONE_CHECKED = (
    """
import sys, tempfile
from pathlib import Path
from voiceclone import audio
sys.argv[3] = str(audio.prepare(Path(sys.argv[3]), Path(tempfile.mkdtemp())).path)
"""
    + BARE_CLONE
    + """
audio.check_decodes(Path(out))
"""
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _medians(*commands, env):
    """Median times of each ``command(n)``, run in turns; the first round is a warm-up."""
    times = []
    for run in range(RUNS + 1):
        row = []
        for command in commands:
            start = time.perf_counter()
            subprocess.run(command(run), env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            row.append(time.perf_counter() - start)
        times.append(row)
    return [statistics.median(row[column] for row in times[1:]) for column in range(len(commands))]


def run() -> dict:
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    server = subprocess.Popen(
        [sys.executable, "-m", "voiceclone", "sandbox", "--port", str(port)], env=env, stdout=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            sample = folder / "sample.wav"
            t = np.arange(12 * 16000) / 16000
            voice = 0.3 * np.sin(2 * np.pi * 140 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t))
            sf.write(str(sample), voice.astype(np.float32), 16000, subtype="PCM_16")
            user = {
                **env,
                "MINIMAX_API_KEY": KEY,
                "MINIMAX_BASE_URL": base,
                "VOICECLONE_PRESETS": str(folder / "presets.yaml"),
                "VOICECLONE_LEDGER": str(folder / "ledger.jsonl"),
            }
            script = str(Path(sys.executable).with_name("voiceclone"))

            def speak_line(stem):  # ours and the bare script's argv, run n, into files named stem...
                return (
                    lambda n: (
                        [script, "speak", "--voice-id", "English_expressive_narrator"]
                        + ["Hello there, this is a line.", "-o", str(folder / f"{stem}{n}.wav")]
                    ),
                    lambda n: [sys.executable, "-c", BARE_SPEAK, base, KEY, str(folder / f"bare-{stem}{n}.wav")],
                )

            speak, bare_speak = _medians(*speak_line("s"), env=user)
            clone, bare_clone, checked_clone = _medians(
                lambda n: [
                    script,
                    "clone",
                    str(sample),
                    "--voice-id",
                    f"BenchVoice{n:02d}",
                    "--text",
                    "Hello there.",
                    "--preview-out",
                    str(folder / f"p{n}.mp3"),
                ],
                lambda n: [
                    sys.executable,
                    "-c",
                    BARE_CLONE,
                    base,
                    KEY,
                    str(sample),
                    f"BareVoice{n:02d}",
                    str(folder / f"q{n}.mp3"),
                ],
                lambda n: [
                    sys.executable,
                    "-c",
                    BARE_CLONE_CHECKED,
                    base,
                    KEY,
                    str(sample),
                    f"CheckedVoice{n:02d}",
                    str(folder / f"c{n}.mp3"),
                ],
                env=user,
            )
            # as a user speaks: with a presets file (the clones above left 12 voices in it)
            speak_presets, bare_speak_presets = _medians(*speak_line("t"), env=user)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {
        "speak_s": round(speak, 4),
        "bare_speak_s": round(bare_speak, 4),
        "speak / bare": round(speak / bare_speak, 2),
        "clone_s": round(clone, 4),
        "bare_clone_s": round(bare_clone, 4),
        "clone / bare": round(clone / bare_clone, 2),
        "bare_clone_with_the_audio_work_s": round(checked_clone, 4),
        "clone / bare with the audio work": round(clone / checked_clone, 2),
        "speak_with_12_presets_s": round(speak_presets, 4),
        "speak with 12 presets / bare": round(speak_presets / bare_speak_presets, 2),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
