"""What C libraries print on the process's stderr while they work, kept off the user's terminal.

libmpg123 writes its decoder notes straight to file descriptor 2 ("Note: Trying to resync...",
"error: part2_3_length ..."), and PortAudio its probing of sound servers: none of it is the user's
business. The words are kept so that a real failure can be told in one plain line.
"""

import os
import re
import sys
from typing import Optional


class NativeStderr:
    """Collects what is written to file descriptor 2 inside each ``with`` block. Reusable."""

    def __init__(self):
        self._sink = None
        self._saved: Optional[int] = None

    def __enter__(self) -> "NativeStderr":
        try:
            sys.stderr.flush()
            if self._sink is None:
                import tempfile  # (4 ms with shutil's compressors: a PCM WAV's pass never needs it)

                self._sink = tempfile.TemporaryFile()
            self._saved = os.dup(2)
            os.dup2(self._sink.fileno(), 2)
        except (OSError, ValueError, AttributeError):  # no stderr at all (a GUI host): nothing to keep off
            self._saved = None
        return self

    def __exit__(self, *exc) -> None:
        if self._saved is not None:
            os.dup2(self._saved, 2)
            os.close(self._saved)
            self._saved = None

    def text(self) -> str:
        if self._sink is None:
            return ""
        self._sink.seek(0)
        return self._sink.read().decode("utf-8", errors="replace")

    def last_words(self) -> str:
        """The decoder's last complaint, without its source-file prefix ('' if it said nothing)."""
        lines = [re.sub(r"^\[[^\]]*\]\s*", "", line).strip() for line in self.text().splitlines()]
        lines = [line for line in lines if line]
        errors = [line for line in lines if not line.lower().startswith("note:")]
        return (errors or lines or [""])[-1]

    def close(self) -> None:
        if self._sink is not None:
            self._sink.close()
            self._sink = None
