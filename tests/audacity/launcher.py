"""A real Audacity under Xvfb with mod-script-pipe enabled, for the tests (see
Audacity's scripting docs and what 3.2 does): a fresh profile for every start, a warm-up start with the module off
(so the plug-in scan's child cannot clobber the pipes), then the real start, ready when a
``Message`` command is answered."""

import os
import select
import shutil
import signal
import subprocess
import time
from datetime import datetime
from pathlib import Path
from typing import Optional

MODULE = Path("/usr/lib/audacity/modules/mod-script-pipe.so")


def available() -> Optional[str]:
    """None when Audacity, its pipe module and Xvfb are installed; else what is missing."""
    missing = [name for name in ("audacity", "Xvfb") if shutil.which(name) is None]
    if not MODULE.exists():
        missing.append(str(MODULE))
    return f"not installed: {', '.join(missing)} (tests/run installs audacity and xvfb)" if missing else None


class Audacity:
    """Xvfb plus Audacity in a throwaway profile under ``folder``. Use as a context manager."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.home = self.folder / "home"
        self.temp = self.folder / "temp"
        self.xvfb: Optional[subprocess.Popen] = None
        self.app: Optional[subprocess.Popen] = None
        self.display = ""
        uid = os.getuid()
        self.to_path = Path(f"/tmp/audacity_script_pipe.to.{uid}")
        self.from_path = Path(f"/tmp/audacity_script_pipe.from.{uid}")

    def __enter__(self) -> "Audacity":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def env(self) -> dict:
        config = self.home / ".config"
        return {
            **os.environ,
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(config),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "DISPLAY": self.display,
        }

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self._start_xvfb()
        self._write_profile(module_enabled=False)
        self._warm_up()
        self._write_profile(module_enabled=True)
        self._remove_pipes()
        self.app = self._launch()
        self._wait_ready(30.0)

    def stop(self) -> None:
        for process in (self.app, self.xvfb):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
        self.app = self.xvfb = None
        self._remove_pipes()

    def _start_xvfb(self) -> None:
        read_end, write_end = os.pipe()
        self.xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            pass_fds=(write_end,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_end)
        number = b""
        deadline = time.monotonic() + 15
        while not number.endswith(b"\n") and time.monotonic() < deadline:  # two writes: digits, then newline
            ready, _, _ = select.select([read_end], [], [], 0.5)
            if ready:
                chunk = os.read(read_end, 16)
                if not chunk:
                    break
                number += chunk
        os.close(read_end)
        if not number.strip():
            raise RuntimeError("Xvfb did not report a display number")
        self.display = ":" + number.decode().strip()

    def _write_profile(self, *, module_enabled: bool) -> None:
        if self.temp.exists():
            shutil.rmtree(self.temp)
        self.temp.mkdir(parents=True)
        stamp = datetime.fromtimestamp(MODULE.stat().st_mtime).strftime("%Y-%m-%dT%H:%M:%S")
        config = self.home / ".config" / "audacity"
        config.mkdir(parents=True, exist_ok=True)
        (config / "audacity.cfg").write_text(
            "[Version]\nMajor=3\nMinor=2\nMicro=4\n[GUI]\nShowSplashScreen=0\n"
            f"[Directories]\nTempDir={self.temp}\n"
            "[Warnings]\nMixMono=0\nMixStereo=0\nMixUnknownChannels=0\n"
            f"[Module]\nmod-script-pipe={1 if module_enabled else 0}\n"
            f"[ModulePath]\nmod-script-pipe={MODULE}\n[ModuleDateTime]\nmod-script-pipe={stamp}\n"
        )

    def _launch(self) -> subprocess.Popen:
        return subprocess.Popen(
            ["audacity"],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def _warm_up(self) -> None:
        """First start on a new profile: let the plug-in scan write its registry, then quit."""
        registry = self.home / ".config" / "audacity" / "pluginregistry.cfg"
        app = self._launch()
        deadline = time.monotonic() + 30
        while not registry.exists() and time.monotonic() < deadline and app.poll() is None:
            time.sleep(0.1)
        # the scan's --host child goes on writing for a moment: wait until the registry is still for 1 s
        seen, still_since = None, time.monotonic()
        while registry.exists() and time.monotonic() < deadline:
            stat = registry.stat()
            if (stat.st_size, stat.st_mtime_ns) != seen:
                seen, still_since = (stat.st_size, stat.st_mtime_ns), time.monotonic()
            elif time.monotonic() - still_since >= 1.0:
                break
            time.sleep(0.1)
        os.killpg(app.pid, signal.SIGTERM)
        app.wait(10)

    def _wait_ready(self, timeout: float) -> None:
        from voiceclone.errors import HostUnavailable
        from voiceclone.hosts.audacity.pipe import Pipe

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.app.poll() is not None:
                raise RuntimeError(f"Audacity exited with {self.app.returncode} while starting")
            if self.to_path.exists() and self.from_path.exists():
                try:
                    with Pipe(
                        to_path=self.to_path, from_path=self.from_path, timeout=max(1.0, deadline - time.monotonic())
                    ):
                        return  # connecting waits until Audacity runs commands
                except HostUnavailable:
                    pass
            time.sleep(0.1)
        raise RuntimeError("Audacity's script pipe did not answer in time")

    def dismiss_dialogs(self, title: str) -> int:
        """Press Return in every window whose title contains ``title`` (xdotool); return how many."""
        found = subprocess.run(
            ["xdotool", "search", "--name", title], env=self.env, capture_output=True, text=True, timeout=10
        ).stdout.split()
        for window in found:
            subprocess.run(["xdotool", "windowfocus", "--sync", window, "key", "Return"], env=self.env, timeout=10)
        return len(found)

    def _remove_pipes(self) -> None:
        for path in (self.to_path, self.from_path):
            if path.exists():
                path.unlink()
