"""WebRTC's voice-activity detector over 10, 20 or 30 ms frames of 16-bit PCM.

The detector is the C extension of the ``webrtcvad-wheels`` package. The package's Python wrapper
reads its own version through ``importlib.metadata`` on import, which cost 13 ms and 4 MB of memory
before anything was measured, so the extension's calls (the very ones the wrapper's ``Vad`` makes)
are made here directly.
"""

import _webrtcvad
import numpy as np


class Detector:
    """One detector at ``mode`` (0-3: how readily steady noise is called not speech)."""

    def __init__(self, mode: int):
        self._state = _webrtcvad.create()
        _webrtcvad.init(self._state)
        _webrtcvad.set_mode(self._state, mode)

    def frames(self, pcm: np.ndarray, sample_rate: int) -> np.ndarray:
        """1 for each row of ``pcm`` (int16 ``(frames, samples)``) the detector calls speech, else 0."""
        length, process, state = pcm.shape[1], _webrtcvad.process, self._state
        return np.array([process(state, sample_rate, row.tobytes(), length) for row in pcm], np.uint8)
