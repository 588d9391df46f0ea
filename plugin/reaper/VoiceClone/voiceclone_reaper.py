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
        actions = _import_actions(config["package_path"])
    except (OSError, ValueError, KeyError, ImportError) as exc:
        namespace["RPR_ShowMessageBox"](
            "error: the Voice clone plugin is not set up for this REAPER (%s)\n"
            "fix: in a terminal, run `voiceclone reaper install`, then run the action again." % exc,
            "Voice clone", 0)
        return
    actions.run(action, namespace, config["python"], config["package_path"])


def _import_actions(package_path):
    """The plugin's REAPER actions, imported from ``package_path`` (searched last, then dropped)."""
    added = package_path not in sys.path
    if added:
        sys.path.append(package_path)
    try:
        from voiceclone.hosts.reaper import actions
    finally:
        if added:
            sys.path.remove(package_path)
    if not os.path.realpath(actions.__file__).startswith(os.path.realpath(package_path) + os.sep):
        raise ImportError("REAPER's Python found another voiceclone package, at %s" % actions.__file__)
    return actions
