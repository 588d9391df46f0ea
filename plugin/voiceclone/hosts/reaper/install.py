"""``voiceclone reaper install | uninstall``: put the action scripts into REAPER and take them out.

Install copies the scripts into ``<resource path>/Scripts/VoiceClone/``, writes the config naming this
Python (inside REAPER ``sys.executable`` is REAPER itself), and registers the actions in
``reaper-kb.ini``. REAPER rewrites that file when it quits, so an install made while REAPER runs is
completed by loading ``Voice clone - Register actions.py`` once. Running install again is safe;
uninstall removes exactly what install added.
"""
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import List, Optional

from ... import __version__, manifest
from ...errors import InputError
from ...files import write_atomically

FOLDER = "VoiceClone"
CONFIG_NAME = "voiceclone-config.json"
REGISTER_SCRIPT = "Voice clone - Register actions.py"
SCRIPTS = Path(__file__).with_name("scripts")
PACKAGE_PATH = Path(__file__).resolve().parents[3]     # the folder holding the voiceclone package


def default_resource_path() -> Path:
    """Where REAPER keeps its settings and Scripts folder on this system."""
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", home / "AppData" / "Roaming")) / "REAPER"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "REAPER"
    return Path(os.environ.get("XDG_CONFIG_HOME", home / ".config")) / "REAPER"


def install(resource: Optional[Path] = None, *, python: str = sys.executable) -> List[str]:
    """Install into ``resource`` (default: this system's REAPER); return what was done, in lines."""
    resource = _checked(resource)
    target = resource / "Scripts" / FOLDER
    target.mkdir(parents=True, exist_ok=True)
    for script in sorted(SCRIPTS.glob("*.py")):
        shutil.copyfile(script, target / script.name)
    config = {"python": python, "package_path": str(PACKAGE_PATH), "version": __version__}
    (target / CONFIG_NAME).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    actions = manifest.actions()
    _write_keymap(resource, _without_ours(_keymap_lines(resource)) + [_keymap_line(a) for a in actions])
    return [f"Copied the Voice clone scripts to {target}",
            f"Background jobs will run with {python}",
            f"Registered {len(actions)} actions in {resource / 'reaper-kb.ini'}",
            "If REAPER was open: quit it and start it again, or load "
            f"'{REGISTER_SCRIPT}' once (Actions > Show action list > New action > Load ReaScript).",
            "Then bind shortcuts to the 'Voice clone:' actions in the Action List."]


def uninstall(resource: Optional[Path] = None) -> List[str]:
    """Remove the scripts, the config and the action registrations install added."""
    resource = _checked(resource)
    target = resource / "Scripts" / FOLDER
    ours = [target / s.name for s in SCRIPTS.glob("*.py")] + [target / CONFIG_NAME]
    for path in ours:
        if path.exists():
            path.unlink()
    if target.is_dir():
        shutil.rmtree(target / "__pycache__", ignore_errors=True)
        if not any(target.iterdir()):
            target.rmdir()
    lines = _keymap_lines(resource)
    kept = _without_ours(lines)
    if not any(line.strip() for line in kept):
        (resource / "reaper-kb.ini").unlink(missing_ok=True)
    elif len(kept) != len(lines):
        _write_keymap(resource, kept)
    return [f"Removed the Voice clone scripts from {target} and {len(lines) - len(kept)} action registration(s)"]


def _checked(resource: Optional[Path]) -> Path:
    resource = Path(resource) if resource else default_resource_path()
    if not resource.is_dir():
        raise InputError(f"there is no REAPER resource folder at {resource}",
                         fix="Start REAPER once, or give --resource-path (REAPER: Options > Show resource path).")
    return resource


def _relative(action: dict) -> str:
    return f"{FOLDER}/{Path(action['script']).name}"


def _keymap_line(action: dict) -> str:
    """A ``reaper-kb.ini`` script line: ``SCR 4 0 RS<id> "Custom: <name>" "<path under Scripts>"``."""
    command = "RS" + hashlib.sha1(_relative(action).encode()).hexdigest()
    return f'SCR 4 0 {command} "Custom: {Path(action["script"]).name}" "{_relative(action)}"'


def _keymap_lines(resource: Path) -> List[str]:
    try:
        return (resource / "reaper-kb.ini").read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []


def _without_ours(lines: List[str]) -> List[str]:
    return [line for line in lines if not (line.startswith("SCR ") and f'"{FOLDER}/Voice clone - ' in line)]


def _write_keymap(resource: Path, lines: List[str]) -> None:
    write_atomically(resource / "reaper-kb.ini", ("\n".join(lines) + "\n").encode("utf-8"))
