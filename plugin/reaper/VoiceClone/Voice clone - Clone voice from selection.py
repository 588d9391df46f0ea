# @description Voice clone: Clone voice from selection
# @version 0.1.0
# @author Voice Tone Quick Clone
# @about
#   Clones the voice in the selected region with MiniMax, keeps it as a preset and puts the preview on a new track below.
#   Needs the voiceclone package: run `voiceclone reaper install` once (see the README).
# @provides
#   [nomain] voiceclone_reaper.py
import glob
import os
import sys

_scripts = os.path.join(RPR_GetResourcePath(), "Scripts")  # noqa: F821 (REAPER provides RPR_ functions)
for _folder in [os.path.join(_scripts, "VoiceClone")] + glob.glob(os.path.join(_scripts, "*", "VoiceClone")):
    if os.path.isfile(os.path.join(_folder, "voiceclone_reaper.py")):
        sys.path.insert(0, _folder)
        break

import voiceclone_reaper  # noqa: E402

voiceclone_reaper.run("clone_from_selection", globals())
