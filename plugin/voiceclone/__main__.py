"""`python -m voiceclone`: the same command line as the `voiceclone` script."""

from .launch import run

run()
