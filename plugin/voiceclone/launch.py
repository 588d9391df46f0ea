"""The ``voiceclone`` script and ``python -m voiceclone``: :func:`voiceclone.cli.main` in a process
of its own, started and ended for speed.

- Its BLAS runs one thread: nothing here multiplies matrices, and a thread a core only costs
  start-up and exit.
- A clone forks before anything else loads (:mod:`.audio_process`): numpy loads and the sample is
  checked in the second process while this one loads the rest.
- It leaves without the interpreter's teardown (freeing numpy and a hundred other modules one by
  one is a sixth of a clone's time), once what the teardown would do that matters is done: the exit
  handlers run, the output flushed. While a thread still works, the ordinary exit waits for it.
"""

import atexit
import os
import sys
from typing import NoReturn


def run() -> NoReturn:
    """Run the command ``sys.argv`` names and end the process with its exit code."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if sys.argv[1:2] == ["clone"]:
        from . import audio_process

        audio_process.start()
    from .cli import main

    code = main()
    threading = sys.modules.get("threading")
    if threading is not None and any(
        thread.is_alive() and not thread.daemon and thread is not threading.main_thread()
        for thread in threading.enumerate()
    ):
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # as the interpreter's own exit: output that could not be written
            code = code or 120
    os._exit(code)
