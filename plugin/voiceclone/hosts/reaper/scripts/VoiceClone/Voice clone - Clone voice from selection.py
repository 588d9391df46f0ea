# @description Voice clone: Clone voice from selection
# @version 0.1.0
# @author Voice Tone Quick Clone
# @about
#   # Voice Tone Quick Clone
#
#   Clone a voice from a selected region with the MiniMax voice-clone API and speak any text in it,
#   without leaving REAPER. This package installs five actions:
#
#   - Voice clone: Clone voice from selection: clones the voice in the selected region, keeps it as a
#     preset and puts the preview on a new track below.
#   - Voice clone: Speak text with voice preset at edit cursor: speaks typed text in a preset and
#     inserts it at the edit cursor.
#   - Voice clone: Patch selected phrase: replaces the phrase in the time selection with typed words
#     in the track's voice, as a new take of its item.
#   - Voice clone: Speak script from regions: each region or marker name is a line ("[Host] Hi."),
#     spoken in its speaker's voice at its start, one track per speaker.
#   - Voice clone: Voice presets: lists presets with the days left before their voices expire;
#     activates, re-clones or removes them, or sets how they speak.
#   - Voice clone: Cancel running voice job.
#
#   The actions need the voiceclone Python package and Python enabled in REAPER: install the package
#   with pip, then run `voiceclone reaper install` once in a terminal (see the project's README).
# @provides
#   [main] Voice clone - Speak text with voice preset at edit cursor.py
#   [main] Voice clone - Patch selected phrase.py
#   [main] Voice clone - Speak script from regions.py
#   [main] Voice clone - Voice presets.py
#   [main] Voice clone - Cancel running voice job.py
#   [nomain] voiceclone_reaper.py

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
    _bootstrap.run("clone_from_selection", globals())
else:
    RPR_ShowMessageBox(
        "error: voiceclone_reaper.py is missing beside the Voice clone actions\n"  # noqa: F821
        "fix: reinstall them (ReaPack, or `voiceclone reaper install`).",
        "Voice clone",
        0,
    )
