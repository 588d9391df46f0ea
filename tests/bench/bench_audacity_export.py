"""The plugin's own time in `voiceclone audacity clone` for a 60 s selection: from the command to the
upload request leaving (read the selection, export it from Audacity, check and prepare it).

Needs Audacity and Xvfb (tests/run installs them); runs a real Audacity under Xvfb.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

import soundfile as sf

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "audacity"))
sys.path.insert(0, str(HERE.parent))

from launcher import Audacity, available  # noqa: E402

from helpers import signal  # noqa: E402
from voiceclone.hosts.audacity import commands  # noqa: E402
from voiceclone.hosts.audacity.pipe import Pipe  # noqa: E402
from voiceclone.options import CloneOptions, CloneSettings  # noqa: E402
from voiceclone.settings import ApiKey, Settings  # noqa: E402


class _Sent(Exception):
    """Stops the clone when its upload starts: what follows is the network's time, not the plugin's."""


def run(runs: int = 5) -> dict:
    missing = available()
    if missing:
        return {"skipped": missing}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        take = tmp / "take.wav"
        sf.write(str(take), signal(90, 48000, 2), 48000, subtype="PCM_24")
        settings = Settings(
            api_key=ApiKey("bench-key"), base_url="http://127.0.0.1:9", presets_path=tmp / "presets.yaml"
        )
        times = []
        with Audacity(tmp / "audacity"):
            with Pipe() as pipe:
                pipe.send("Import2", Filename=str(take))
            for _ in range(runs):
                with Pipe() as pipe:
                    pipe.send("SelectTracks", Track=0, TrackCount=1, Mode="Set")
                    pipe.send("SelectTime", Start=10.0, End=70.0, RelativeTo="ProjectStart")
                start = time.perf_counter()

                def stop_at_upload(event):
                    if event.stage == "upload":
                        raise _Sent

                try:
                    commands.clone(
                        settings,
                        CloneOptions(audio=None, voice_id="BenchVoice01", settings=CloneSettings(), force=True),
                        on_event=stop_at_upload,
                    )
                except _Sent:
                    times.append(time.perf_counter() - start)
    return {
        "selection_s": 60.0,
        "median_ms": 1000 * statistics.median(times),
        "max_ms": 1000 * max(times),
        "runs": runs,
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:14} {value:.1f}" if isinstance(value, float) else f"{key:14} {value}")
