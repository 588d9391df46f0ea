"""What the fake's audio accessors hear: samples computed from the real source files (§3a).

Take accessor: time 0 is the item start, nothing is applied but the source mapping
(``src_t = D_STARTOFFS + t * D_PLAYRATE``, §2), the SECTION chain and B_LOOPSRC: no volume, no
channel mode. Track accessor: project time, the sum of the track's unmuted items as they play
before FX: channel mode (I_CHANMODE), item volume and take volume applied.
Resampling is linear interpolation between source frames; at the source rate, on the source's
sample grid, the samples are the file's own.
"""
from __future__ import annotations

import os
from typing import Dict, Tuple

import numpy as np
import soundfile as sf

from fake_reaper_model import Item, Source, Take, Track

#: Positions this close to a source frame (in frames) read that frame exactly.
_GRID_SNAP = 1e-6


class AudioFiles:
    """Decoded source files as float64 ``(num_frames, num_channels)``, cached by path and mtime."""

    def __init__(self):
        self._cache: Dict[Tuple[str, int, int], Tuple[np.ndarray, int]] = {}

    def read(self, path: str) -> Tuple[np.ndarray, int]:
        stat = os.stat(path)
        key = (os.path.abspath(path), stat.st_mtime_ns, stat.st_size)
        if key not in self._cache:
            data, sample_rate = sf.read(path, dtype="float64", always_2d=True)
            self._cache[key] = (data, int(sample_rate))
        return self._cache[key]


def take_samples(files: AudioFiles, take: Take, sample_rate: int, num_channels: int, start: float,
                 num_frames: int, *, channel_mode: bool = False) -> Tuple[np.ndarray, bool]:
    """The take's source audio at item-relative times ``start + k / sample_rate``, shape
    ``(num_frames, num_channels)``, and whether any frame fell on source audio. ``channel_mode``
    applies the take's I_CHANMODE."""
    out = np.zeros((max(num_frames, 0), num_channels))
    source, item = take.source, take.item
    if source is None or item is None or take.is_midi or num_frames <= 0 or num_channels <= 0:
        return out, False
    times = start + np.arange(num_frames) / sample_rate
    inside = (times >= 0) & (times < item.length)
    source_times = take.start_offset + times * take.playrate
    if item.loop_source and source.length > 0:
        source_times = np.mod(source_times, source.length)
    else:
        inside &= (source_times >= 0) & (source_times < source.length)
    root, root_times = _to_root(source, source_times)
    if root.offline or not root.filename or not inside.any():
        return out, False
    data, file_rate = files.read(root.filename)
    frames = _read_at(data, file_rate, root_times)
    if channel_mode:
        frames = _channel_mode(frames, take.chanmode)
    frames = _fit_channels(frames, num_channels)
    out[inside] = frames[inside]
    return out, True


def track_samples(files: AudioFiles, track: Track, sample_rate: int, num_channels: int, start: float,
                  num_frames: int) -> Tuple[np.ndarray, bool]:
    """The pre-FX sum of the track's unmuted items at project times ``start + k / sample_rate``."""
    out = np.zeros((max(num_frames, 0), num_channels))
    found = False
    for item in track.items:
        take = item.take()
        if item.mute or take is None or not _overlaps(item, sample_rate, start, num_frames):
            continue
        audio, heard = take_samples(files, take, sample_rate, num_channels, start - item.position, num_frames,
                                    channel_mode=True)
        out += audio * (item.volume * take.volume)
        found = found or heard
    return out, found


def _overlaps(item: Item, sample_rate: int, start: float, num_frames: int) -> bool:
    return item.position < start + num_frames / sample_rate and item.end > start


def _to_root(source: Source, times: np.ndarray) -> Tuple[Source, np.ndarray]:
    """Map times in ``source`` down its SECTION chain to times in the root file."""
    while source.type == "SECTION" and source.parent is not None:
        if source.reversed:
            rate = source.parent.sample_rate or 1
            times = source.section_offset + source.section_length - times - 1.0 / rate
        else:
            times = source.section_offset + times
        source = source.parent
    return source, times


def _read_at(data: np.ndarray, sample_rate: int, times: np.ndarray) -> np.ndarray:
    """Linear interpolation of ``data`` at ``times`` (seconds); silence outside the file."""
    positions = times * sample_rate
    nearest = np.round(positions)
    positions = np.where(np.abs(positions - nearest) < _GRID_SNAP, nearest, positions)
    first = np.floor(positions).astype(np.int64)
    fraction = (positions - first)[:, None]
    count = len(data)
    if count == 0:
        return np.zeros((len(times), data.shape[1]))
    valid = (first >= 0) & (first < count)
    here = data[np.clip(first, 0, count - 1)]
    following = np.where((first + 1 < count)[:, None], data[np.clip(first + 1, 0, count - 1)], 0.0)
    frames = here * (1.0 - fraction) + following * fraction
    frames[~valid] = 0.0
    return frames


def _channel_mode(frames: np.ndarray, mode: int) -> np.ndarray:
    """I_CHANMODE (§2): 0 normal, 1 reverse stereo, 2 mono downmix (mean), 3 left, 4 right."""
    channels = frames.shape[1]
    if mode == 1 and channels >= 2:
        swapped = frames.copy()
        swapped[:, [0, 1]] = frames[:, [1, 0]]
        return swapped
    if mode == 2:
        return frames.mean(axis=1, keepdims=True)
    if mode == 3:
        return frames[:, :1]
    if mode == 4:
        return frames[:, 1:2] if channels >= 2 else frames[:, :1]
    return frames


def _fit_channels(frames: np.ndarray, num_channels: int) -> np.ndarray:
    """Mono plays on every requested channel; extra source channels are dropped, missing ones silent."""
    channels = frames.shape[1]
    if channels == 1:
        return np.repeat(frames, num_channels, axis=1)
    if channels >= num_channels:
        return frames[:, :num_channels]
    return np.hstack([frames, np.zeros((len(frames), num_channels - channels))])
