"""``voiceclone reaper install | uninstall``: put the action scripts into REAPER and take them out.

Install writes the config naming this Python (inside REAPER ``sys.executable`` is REAPER itself) and
the folder of its package to one fixed place, ``<resource path>/Data/VoiceClone/`` (:data:`CONFIG`),
where the scripts find it however they were installed. Then, unless ReaPack already installed the
scripts (into ``Scripts/<repository>/VoiceClone/``), it copies them into ``Scripts/VoiceClone/`` and
registers the actions in ``reaper-kb.ini``; after a ReaPack install it removes its own copy, so no
action is listed twice. REAPER rewrites ``reaper-kb.ini`` when it quits, so an install made while
REAPER runs is completed by loading ``Voice clone - Register actions.py`` once. Running install
again is safe; uninstall removes exactly what install added.
"""

import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import List, Optional

from ... import __version__, manifest
from ...errors import InputError
from ...files import write_atomically

FOLDER = "VoiceClone"
#: The config, under the resource path; the bootstrap (voiceclone_reaper.py) reads the same place.
CONFIG = Path("Data", FOLDER, "voiceclone-config.json")
BOOTSTRAP = "voiceclone_reaper.py"
REGISTER_SCRIPT = "Voice clone - Register actions.py"
#: Said whenever registrations are removed: REAPER writes its in-memory action list back on exit.
REOPEN = "REAPER rewrites reaper-kb.ini when it quits, so if it is open now, quit it and run this command again"
#: The shipped action scripts. ``scripts/`` is the ReaPack repository, this folder its category.
SCRIPTS = Path(__file__).with_name("scripts") / FOLDER
PACKAGE_PATH = Path(__file__).resolve().parents[3]  # the folder holding the voiceclone package


def default_resource_path() -> Path:
    """Where REAPER keeps its settings and Scripts folder on this system (its per-user config folder:
    ``%APPDATA%\\REAPER``, ``~/Library/Application Support/REAPER``, ``~/.config/REAPER``)."""
    from platformdirs import user_config_dir  # the command line's, never REAPER's, Python runs this

    return Path(user_config_dir("REAPER", appauthor=False, roaming=True))


def install(resource: Optional[Path] = None, *, python: str = sys.executable) -> List[str]:
    """Install into ``resource`` (default: this system's REAPER); return what was done, in lines."""
    resource = _checked(resource)
    config = {"python": python, "package_path": str(PACKAGE_PATH), "version": __version__}
    (resource / CONFIG).parent.mkdir(parents=True, exist_ok=True)
    write_atomically(resource / CONFIG, (json.dumps(config, indent=2) + "\n").encode("utf-8"))
    done = [f"Wrote the configuration to {resource / CONFIG}: background jobs will run with {python}"]
    reapack = reapack_copies(resource)
    if reapack:
        removed = _remove_own_copy(resource)
        done.append(
            f"ReaPack installed the actions in {reapack[0]}, so no second copy was made"
            + (f" (removed the earlier one from {_own_folder(resource)}; {REOPEN})" if removed else "")
        )
        return done + ["Bind shortcuts to the 'Voice clone:' actions in the Action List."]
    target = _own_folder(resource)
    target.mkdir(parents=True, exist_ok=True)
    for script in sorted(SCRIPTS.glob("*.py")):
        shutil.copyfile(script, target / script.name)
    actions = manifest.actions()
    _write_keymap(resource, _without_ours(_keymap_lines(resource)) + [_keymap_line(a) for a in actions])
    return done + [
        f"Copied the Voice clone scripts to {target}",
        f"Registered {len(actions)} actions in {resource / 'reaper-kb.ini'}",
        "If REAPER was open: quit it and start it again, or load "
        f"'{REGISTER_SCRIPT}' once (Actions > Show action list > New action > Load ReaScript).",
        "Then bind shortcuts to the 'Voice clone:' actions in the Action List.",
    ]


def uninstall(resource: Optional[Path] = None) -> List[str]:
    """Remove the config, the scripts and the action registrations install added. A ReaPack
    install is ReaPack's to remove; the lines say so."""
    resource = _checked(resource)
    lines = _keymap_lines(resource)
    removed = _remove_own_copy(resource)
    (resource / CONFIG).unlink(missing_ok=True)
    _remove_if_empty(resource / CONFIG.parent)
    done = [f"Removed the Voice clone configuration from {resource / CONFIG.parent}"]
    if removed:
        done.append(
            f"Removed the Voice clone scripts from {_own_folder(resource)} and "
            f"{len(lines) - len(_keymap_lines(resource))} action registration(s); {REOPEN}"
        )
    for folder in reapack_copies(resource):
        done.append(
            f"The copy ReaPack installed in {folder} stays: remove it with Extensions > ReaPack > "
            "Manage repositories (or Browse packages > Uninstall)."
        )
    return done


def reapack_copies(resource: Path) -> List[Path]:
    """Folders where ReaPack installed the scripts: ``Scripts/<repository>/VoiceClone``."""
    return sorted(path.parent for path in (resource / "Scripts").glob(f"*/{FOLDER}/{BOOTSTRAP}"))


def _own_folder(resource: Path) -> Path:
    return resource / "Scripts" / FOLDER


def _remove_own_copy(resource: Path) -> bool:
    """Remove the scripts and registrations install added (and the config older versions kept
    beside them); True if there were any."""
    target = _own_folder(resource)
    ours = [target / s.name for s in SCRIPTS.glob("*.py")] + [target / CONFIG.name]
    found = [path for path in ours if path.exists()]
    for path in found:
        path.unlink()
    if target.is_dir():
        shutil.rmtree(target / "__pycache__", ignore_errors=True)
        _remove_if_empty(target)
    lines = _keymap_lines(resource)
    kept = _without_ours(lines)
    if not any(line.strip() for line in kept):
        (resource / "reaper-kb.ini").unlink(missing_ok=True)
    elif len(kept) != len(lines):
        _write_keymap(resource, kept)
    return bool(found) or len(kept) != len(lines)


def _remove_if_empty(folder: Path) -> None:
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def _checked(resource: Optional[Path]) -> Path:
    given = resource is not None
    resource = Path(resource) if resource is not None else default_resource_path()
    if not resource.is_dir():
        raise InputError(
            f"there is no REAPER resource folder at {resource}",
            fix="Check the path: REAPER shows it under Options > Show resource path."
            if given
            else "Start REAPER once, or give --resource-path (REAPER: Options > Show resource path).",
        )
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
