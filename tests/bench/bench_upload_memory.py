"""Peak memory while uploading a 20 MB sample: under 2x the sample size above the process baseline.

The sandbox runs in its own process; the upload runs in a fresh child whose peak RSS (VmHWM) is read
before and after the upload.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from common import write_take

CHILD = r"""
import json, sys
from pathlib import Path
from voiceclone.minimax import MiniMaxClient
from voiceclone.settings import ApiKey, Settings

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024

settings = Settings(api_key=ApiKey("bench-key"), base_url=sys.argv[1], presets_path=Path("unused.yaml"))
with MiniMaxClient(settings) as client:
    before = hwm()
    file_id = client.upload(Path(sys.argv[2]), purpose="voice_clone", filename="take.wav", fmt="wav")
    after = hwm()
print(json.dumps({"baseline_bytes": before, "peak_bytes": after, "file_id": file_id}))
"""


def run() -> dict:
    port = 18765
    server = subprocess.Popen(
        [sys.executable, "-m", "voiceclone", "sandbox", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                requests.get(base_url + "/sandbox/requests", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        with tempfile.TemporaryDirectory() as tmp:
            take = write_take(Path(tmp) / "take.wav", 208, 48000, 1, "PCM_16")  # 19.97 MB
            size = os.path.getsize(take)
            out = subprocess.run(
                [sys.executable, "-c", CHILD, base_url, str(take)],
                capture_output=True,
                text=True,
                check=True,
                timeout=120,
            )
        figures = json.loads(out.stdout)
    finally:
        server.terminate()
        server.wait(10)
    extra = figures["peak_bytes"] - figures["baseline_bytes"]
    return {
        "sample_bytes": size,
        "baseline_peak_bytes": figures["baseline_bytes"],
        "upload_peak_bytes": figures["peak_bytes"],
        "extra_bytes": extra,
        "extra_vs_sample": extra / size,
    }


if __name__ == "__main__":
    result = run()
    for key, value in result.items():
        print(f"{key:20} {value:.3f}" if isinstance(value, float) else f"{key:20} {value}")
    print("PASS" if result["extra_vs_sample"] < 2.0 else "FAIL", "(bar: under 2x the sample above baseline)")
