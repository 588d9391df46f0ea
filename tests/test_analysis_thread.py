"""The sample doctor's analysis beside the upload's pass: the same measures as in one thread, a
failure on its thread reaches the pass, and a pass that fails leaves no thread behind."""

import sys
import threading

import numpy as np
import pytest

from voiceclone.analysis import Analyzer, AnalyzerThread

RATE = 48000


def _blocks(seconds: float = 12.0):
    rng = np.random.default_rng(1)
    t = np.arange(int(seconds * RATE)) / RATE
    voice = 0.3 * np.sin(2 * np.pi * 150 * t) * (0.55 + 0.45 * np.sin(2 * np.pi * 3 * t))
    stereo = np.stack([voice, 0.8 * voice], axis=1) + rng.normal(0, 0.002, (len(t), 2))
    stereo = stereo.astype(np.float32)
    return [stereo[at : at + 100_000] for at in range(0, len(stereo), 100_000)]


def test_beside_the_pass_it_measures_what_one_thread_measures():
    alone, beside = Analyzer(RATE, 2), AnalyzerThread(Analyzer(RATE, 2))
    for block in _blocks():
        alone.feed(block)
        beside.feed(block)
    one, two = alone.finish(), beside.finish()
    for name, value in vars(one).items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(value, getattr(two, name), equal_nan=True), name


def test_a_failure_on_its_thread_is_raised_in_the_pass_and_the_interpreter_is_given_back():
    switch = sys.getswitchinterval()

    class Broken(Analyzer):
        def feed_mono(self, mono):
            raise MemoryError("no room for the spectrum")

    beside = AnalyzerThread(Broken(RATE, 2))
    assert sys.getswitchinterval() <= AnalyzerThread.SWITCH_S
    with pytest.raises(MemoryError, match="no room"):
        for block in _blocks():
            beside.feed(block)
        beside.finish()
    beside.abandon()
    assert sys.getswitchinterval() == switch


def test_an_abandoned_pass_leaves_no_thread_working():
    before = threading.active_count()
    beside = AnalyzerThread(Analyzer(RATE, 2))
    for block in _blocks(4.0):
        beside.feed(block)
    beside.abandon()
    beside._thread.join(timeout=10)
    assert not beside._thread.is_alive() and threading.active_count() == before
