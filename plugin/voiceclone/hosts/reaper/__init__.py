"""REAPER (Python ReaScript). Everything here runs inside REAPER's own Python on its UI thread,
so it uses only the standard library and the plugin's pure modules; network and audio work go to
the background job. The action scripts in ``scripts/VoiceClone/`` call :func:`actions.run`."""
