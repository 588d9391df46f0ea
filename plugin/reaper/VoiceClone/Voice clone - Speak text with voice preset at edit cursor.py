# @description Voice clone: Speak text with voice preset at edit cursor
# @version 0.1.0
# @author Voice Tone Quick Clone
# @about
#   Speaks typed text in a saved voice preset and inserts it at the edit cursor (or the time selection start).
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

voiceclone_reaper.run("speak_at_cursor", globals())
