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

# The bootstrap sits beside this script: Scripts/VoiceClone (voiceclone reaper install) or
# Scripts/<repository>/VoiceClone (ReaPack). RPR_ functions are provided by REAPER.
_scripts = os.path.join(RPR_GetResourcePath(), "Scripts")  # noqa: F821
sys.path[:0] = (glob.glob(os.path.join(_scripts, "VoiceClone")) + glob.glob(os.path.join(_scripts, "*", "VoiceClone")))[:1]
import voiceclone_reaper  # noqa: E402

voiceclone_reaper.run("speak_at_cursor", globals())
