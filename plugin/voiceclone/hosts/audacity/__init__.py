"""Audacity, driven from outside through its mod-script-pipe (``voiceclone audacity ...``)."""
