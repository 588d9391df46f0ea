"""A private PipeWire sound server with a loopback (a sink whose sound comes back on a source), for
the pyaudio tests (set up as PipeWire's docs set up a loopback): its own D-Bus, runtime and config
folders, so nothing of the machine's own audio setup is touched. PipeWire's dummy driver clocks it in real time."""

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import List, Optional

LOOPBACK = """context.modules = [ { name = libpipewire-module-loopback args = {
    node.description = "Loopback" audio.position = [ FL FR ]
    capture.props  = { node.name = "vsink" media.class = "Audio/Sink"   audio.rate = 48000 }
    playback.props = { node.name = "vsrc"  media.class = "Audio/Source" audio.rate = 48000 } } } ]
"""


def available() -> Optional[str]:
    """None when PipeWire, WirePlumber, D-Bus and PipeWire's ALSA plug-in are installed; else what is missing."""
    missing = [name for name in ("pipewire", "wireplumber", "dbus-daemon", "wpctl") if shutil.which(name) is None]
    if not Path("/etc/alsa/conf.d/99-pipewire-default.conf").exists():
        missing.append("pipewire-alsa")
    return f"not installed: {', '.join(missing)} (tests/run installs them)" if missing else None


class SoundServer:
    """Start with ``with SoundServer(folder) as env:``; ``env`` is the environment audio clients need."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.processes: List[subprocess.Popen] = []
        self.env = dict(os.environ)

    def __enter__(self) -> dict:
        runtime, config = self.folder / "run", self.folder / "config"
        (config / "pipewire" / "pipewire.conf.d").mkdir(parents=True, exist_ok=True)
        runtime.mkdir(parents=True, exist_ok=True)
        os.chmod(runtime, 0o700)
        (config / "pipewire" / "pipewire.conf.d" / "10-loopback.conf").write_text(LOOPBACK)
        self.env.update(XDG_RUNTIME_DIR=str(runtime), XDG_CONFIG_HOME=str(config), PIPEWIRE_RUNTIME_DIR=str(runtime))
        self.env.pop("PULSE_SERVER", None)
        bus = subprocess.run(
            [
                "dbus-daemon",
                "--session",
                "--fork",
                "--print-address=1",
                "--print-pid=1",
                f"--address=unix:path={runtime}/bus",
            ],
            capture_output=True,
            text=True,
            timeout=10,
        )
        address, pid = bus.stdout.split()[:2]
        self._bus_pid = int(pid)
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address
        for program in ("pipewire", "wireplumber"):
            self.processes.append(
                subprocess.Popen(
                    [program],
                    env=self.env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
            time.sleep(0.3)
        self._wait_for_default_devices(10.0)
        return self.env

    def _wait_for_default_devices(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = subprocess.run(["wpctl", "status"], env=self.env, capture_output=True, text=True, timeout=5)
            if "vsink" in status.stdout or "Loopback" in status.stdout:
                return
            time.sleep(0.1)
        raise RuntimeError("the PipeWire loopback did not appear")

    def __exit__(self, *exc) -> None:
        for process in reversed(self.processes):
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
        try:
            os.kill(self._bus_pid, 15)
        except (OSError, AttributeError):
            pass
