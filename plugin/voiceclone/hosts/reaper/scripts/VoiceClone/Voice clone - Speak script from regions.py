# @noindex
# @description Voice clone: Speak script from regions
# @version 0.1.0
# @author Voice Tone Quick Clone
# @about
#   Speaks the project's regions and markers as a script: each name is a line ("[Host] Welcome back."),
#   spoken in its speaker's cloned voice at its start, on one track per speaker, as one undo point.
#   Installed with the package 'Voice clone: Clone voice from selection' (ReaPack) or by
#   `voiceclone reaper install`.

import glob
import importlib.util
import os

# The bootstrap sits beside this script: Scripts/VoiceClone (voiceclone reaper install) or
# Scripts/<repository>/VoiceClone (ReaPack). It is loaded by its path, so REAPER's one sys.path,
# shared by every script, stays as it was. RPR_ functions are provided by REAPER.
_scripts = os.path.join(RPR_GetResourcePath(), "Scripts")  # noqa: F821
_found = glob.glob(os.path.join(_scripts, "VoiceClone", "voiceclone_reaper.py")) + glob.glob(
    os.path.join(_scripts, "*", "VoiceClone", "voiceclone_reaper.py")
)
if _found:
    _spec = importlib.util.spec_from_file_location("voiceclone_reaper", _found[0])
    _bootstrap = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_bootstrap)
    _bootstrap.run("speak_script", globals())
else:
    RPR_ShowMessageBox(
        "error: voiceclone_reaper.py is missing beside the Voice clone actions\n"  # noqa: F821
        "fix: reinstall them (ReaPack, or `voiceclone reaper install`).",
        "Voice clone",
        0,
    )
