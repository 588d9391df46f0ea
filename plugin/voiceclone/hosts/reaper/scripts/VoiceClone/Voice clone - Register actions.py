# @noindex

"""Run once (Actions > Show action list > New action > Load ReaScript) to add every Voice clone
action to the Action List when `voiceclone reaper install` ran while REAPER was open."""

import glob
import os

_folder = os.path.join(RPR_GetResourcePath(), "Scripts", "VoiceClone")  # noqa: F821
_added = [
    os.path.basename(path)
    for path in sorted(glob.glob(os.path.join(_folder, "Voice clone - *.py")))
    if not path.endswith("Register actions.py") and RPR_AddRemoveReaScript(True, 0, path, True)
]  # noqa: F821
RPR_ShowMessageBox("Added to the Action List:\n" + "\n".join(_added), "Voice clone", 0)  # noqa: F821
