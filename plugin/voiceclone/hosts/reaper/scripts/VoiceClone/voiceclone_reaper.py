# @noindex
"""Bootstrap shared by the Voice clone action scripts: find the installed plugin and run an action.

`voiceclone reaper install` writes the configuration to Data/VoiceClone/voiceclone-config.json
under REAPER's resource path, one fixed place whichever way the scripts were installed (by that
command or by ReaPack): the plugin's own Python (inside REAPER, sys.executable is REAPER) and the
folder its package lives in. REAPER runs every script in one Python, so the package is imported
from that folder without leaving it on sys.path for other scripts.
"""

import json
import os
import sys

CONFIG = ("Data", "VoiceClone", "voiceclone-config.json")


def run(action, namespace):
    """Run ``action`` with the calling script's __main__ globals (they hold the RPR_ functions)."""
    try:
        with open(os.path.join(namespace["RPR_GetResourcePath"](), *CONFIG), encoding="utf-8") as handle:
            config = json.load(handle)
        python, package_path = config["python"], config["package_path"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        _tell(
            namespace,
            f"the Voice clone plugin is not set up for this REAPER ({exc})",
            "in a terminal, run `voiceclone reaper install`, then run the action again.",
        )
        return
    try:
        actions = _import_actions(package_path)
    except ImportError as exc:
        _tell(
            namespace,
            f"REAPER's Python cannot load the Voice clone plugin ({exc})",
            "run `voiceclone reaper install` again with the plugin's own Python; if another package "
            "named voiceclone is installed in REAPER's Python, remove it; then restart REAPER.",
        )
        return
    actions.run(action, namespace, python, package_path)


def _import_actions(package_path):
    """The plugin's REAPER actions, imported from ``package_path`` (searched last, then dropped)."""
    loaded = sys.modules.get("voiceclone")
    if loaded is not None and not _inside(getattr(loaded, "__file__", None) or "", package_path):
        raise ImportError(f"voiceclone was already loaded from {loaded.__file__}, not from {package_path}")
    added = package_path not in sys.path
    if added:
        sys.path.append(package_path)
    try:
        from voiceclone.hosts.reaper import actions
    finally:
        if added:
            sys.path.remove(package_path)
    if not _inside(actions.__file__, package_path):
        raise ImportError(f"another voiceclone package was found, at {actions.__file__}")
    return actions


def _inside(path, folder):
    return os.path.realpath(path).startswith(os.path.realpath(folder) + os.sep)


def _tell(namespace, error, fix):
    namespace["RPR_ShowMessageBox"](f"error: {error}\nfix: {fix}", "Voice clone", 0)
