# @noindex
"""Bootstrap shared by the Voice clone action scripts: find the installed plugin and run an action.

`voiceclone reaper install` writes voiceclone-config.json beside this file: the plugin's own Python
and the folder its package lives in. Inside REAPER, sys.executable is REAPER, so that is how the
background jobs find their interpreter.
"""
import json
import os
import sys

CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "voiceclone-config.json")


def run(action, namespace):
    """Run ``action`` with the calling script's __main__ globals (they hold the RPR_ functions)."""
    try:
        with open(CONFIG, encoding="utf-8") as handle:
            config = json.load(handle)
        python = config["python"]
        if config["package_path"] not in sys.path:
            sys.path.insert(0, config["package_path"])
        from voiceclone.hosts.reaper import actions
    except (OSError, ValueError, KeyError, ImportError) as exc:
        namespace["RPR_ShowMessageBox"](
            "error: the Voice clone plugin is not set up for this REAPER (%s)\n"
            "fix: in a terminal, run `voiceclone reaper install`, then run the action again." % exc,
            "Voice clone", 0)
        return
    actions.run(action, namespace, python)
