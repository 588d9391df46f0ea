"""Helpers shared by the benchmarks: test material and timing."""

import statistics
import time
from pathlib import Path

import numpy as np
import soundfile as sf


def speechy_noise(seconds: float, sample_rate: int, channels: int, seed: int = 0) -> np.ndarray:
    """Band-limited noise with a syllable-rate envelope: as costly to process as speech, fast to make."""
    rng = np.random.default_rng(seed)
    frames = int(seconds * sample_rate)
    noise = rng.standard_normal((frames, channels)).astype(np.float32)
    envelope = (0.55 + 0.45 * np.sin(2 * np.pi * 4.0 * np.arange(frames) / sample_rate)).astype(np.float32)
    return 0.2 * noise * envelope[:, None]


def write_take(path: Path, seconds: float, sample_rate: int, channels: int, subtype: str) -> Path:
    sf.write(str(path), speechy_noise(seconds, sample_rate, channels), sample_rate, subtype=subtype)
    return path


def median_time(action, runs: int) -> float:
    """Median wall time of ``action()`` over ``runs`` runs, after one warm-up run."""
    action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
