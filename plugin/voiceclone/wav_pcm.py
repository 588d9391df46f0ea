"""Reading the samples of a plain PCM or float WAV straight from the file with numpy.

libsndfile's 24-bit decode was half of the upload's preparation pass; this reads the same frames
several times faster, bit-identical to ``soundfile.read(dtype="float32")`` (tested): 16-bit and
24-bit samples scale exactly, 32-bit integers round to float32 as libsndfile rounds them, and float
samples are copied. Anything else (8-bit, 64-bit float, compressed WAV, a header it cannot vouch
for) is left to libsndfile: :func:`layout` says None.
"""

import hashlib
import queue
import struct
import threading
from dataclasses import dataclass
from io import RawIOBase
from pathlib import Path
from typing import Iterator, Optional

import numpy as np

from . import files, riff

PCM, IEEE_FLOAT, EXTENSIBLE = 1, 3, 0xFFFE


@dataclass(frozen=True)
class Layout:
    """Where a WAV's samples lie and how they are stored."""

    offset: int  # of the first sample in the file
    frames: int
    channels: int
    width: int  # bytes per sample: 2, 3 or 4
    floating: bool
    sample_rate: int

    @property
    def frame_bytes(self) -> int:
        return self.width * self.channels

    @property
    def subtype(self) -> str:
        """libsndfile's name for the encoding: PCM_16, PCM_24, PCM_32 or FLOAT."""
        return "FLOAT" if self.floating else f"PCM_{8 * self.width}"


def layout(path: Path) -> Optional[Layout]:
    """The layout of ``path``'s samples, or None when numpy should not read them."""
    with open(path, "rb") as handle:
        total = handle.seek(0, 2)

        def read(at: int, count: int) -> bytes:
            handle.seek(at)
            return handle.read(count)

        if read(0, 4) != b"RIFF" or read(8, 4) != b"WAVE":
            return None
        fmt = None
        for name, offset, size in riff.chunks(read, total):
            if not riff.is_name(name):
                return None
            if name == b"fmt ":
                fmt = read(offset, min(size, 40))
            elif name == b"data":
                return _layout(fmt, offset, min(size, total - offset)) if fmt else None
    return None


def _layout(fmt: bytes, offset: int, size: int) -> Optional[Layout]:
    if len(fmt) < 16:
        return None
    tag = int.from_bytes(fmt[0:2], "little")
    channels = int.from_bytes(fmt[2:4], "little")
    sample_rate = int.from_bytes(fmt[4:8], "little")
    block_align = int.from_bytes(fmt[12:14], "little")
    bits = int.from_bytes(fmt[14:16], "little")
    if tag == EXTENSIBLE:
        if len(fmt) < 26:
            return None
        valid_bits = int.from_bytes(fmt[18:20], "little")
        tag = int.from_bytes(fmt[24:26], "little")  # the sub-format GUID begins with the format tag
        if valid_bits not in (0, bits):
            return None
    floating = tag == IEEE_FLOAT
    if channels < 1 or sample_rate < 1 or not ((tag == PCM and bits in (16, 24, 32)) or (floating and bits == 32)):
        return None
    width = bits // 8
    if block_align != width * channels:
        return None
    return Layout(offset, size // block_align, channels, width, floating, sample_rate)


def blocks(
    path: Path, shape: Layout, start: int, end: int, block_frames: int, digest: Optional["hashlib._Hash"] = None
) -> Iterator[np.ndarray]:
    """The frames ``start:end`` as float32 ``(frames, channels)`` blocks of ``block_frames``. With
    ``digest``, every byte of the file is hashed on the way (the samples as they are read, the chunks
    before and after them besides): give it only for a read of all the frames."""
    end = min(end, shape.frames)
    # one byte before the samples: 24-bit samples are read as overlapping 32-bit words
    buffer = bytearray(1 + block_frames * shape.frame_bytes)
    with open(path, "rb", buffering=0) as handle:
        if digest is not None:
            digest.update(handle.read(shape.offset))
        handle.seek(shape.offset + start * shape.frame_bytes)
        at = start
        while at < end:
            want = min(block_frames, end - at) * shape.frame_bytes
            got = _read_into(handle, memoryview(buffer)[1 : 1 + want])
            frames = got // shape.frame_bytes
            if not frames:
                break
            if digest is not None:
                digest.update(memoryview(buffer)[1 : 1 + frames * shape.frame_bytes])
            yield _decode(buffer, frames * shape.channels, shape).reshape(frames, shape.channels)
            at += frames
        if digest is not None:
            handle.seek(shape.offset + at * shape.frame_bytes)
            for rest in iter(lambda: handle.read(1 << 20), b""):
                digest.update(rest)


def _read_into(handle: RawIOBase, view: memoryview) -> int:
    got = 0
    while got < len(view):
        count = handle.readinto(view[got:])
        if not count:
            break
        got += count
    return got


def _decode(buffer: bytearray, count: int, shape: Layout) -> np.ndarray:
    if shape.floating:
        return np.frombuffer(buffer, "<f4", count, 1).copy()
    if shape.width == 2:
        samples = np.frombuffer(buffer, "<i2", count, 1).astype(np.float32)
        samples *= np.float32(2.0**-15)
    elif shape.width == 3:
        # the word ending at each sample's last byte holds the sample in its top 24 bits
        words = np.ndarray((count,), "<i4", buffer, 0, (3,))
        samples = (words >> 8).astype(np.float32)
        samples *= np.float32(2.0**-23)
    else:
        samples = np.frombuffer(buffer, "<i4", count, 1).astype(np.float32)
        samples *= np.float32(2.0**-31)
    return samples


class Writer:
    """A 16-bit PCM WAV written front to back and hashed as it is written, so the upload needs no
    second read for its SHA-256. The header promises ``frames`` up front; :meth:`close` mends it
    (and hashes the file again) only when a different count came.

    The writing and the hashing happen on a thread of their own (both let go of the interpreter's
    lock), so the pass that feeds it goes on decoding meanwhile. A write that failed (a full disk)
    is raised by the next :meth:`write` or by :meth:`close`, as the OSError it was.
    """

    def __init__(self, path: Path, sample_rate: int, channels: int, frames: int):
        self.path, self.frames = Path(path), 0
        self._rate, self._channels, self._promised = sample_rate, channels, frames
        self._handle = open(self.path, "wb")  # noqa: SIM115 - open until close() or abandon()
        self._digest = hashlib.sha256()
        self._failure: Optional[BaseException] = None
        self._queue: queue.Queue[Optional[memoryview]] = queue.Queue(maxsize=4)
        self._thread = threading.Thread(target=self._drain, name="voiceclone-writer", daemon=True)
        self._thread.start()
        self._queue.put(memoryview(_header(sample_rate, channels, frames)))

    def write(self, samples: np.ndarray) -> int:
        """Append int16 samples, ``(frames,)`` or ``(frames, channels)``; returns the frames written."""
        if self._failure is not None:
            raise self._failure
        self._queue.put(np.ascontiguousarray(samples, "<i2").reshape(-1).data)  # the samples themselves
        self.frames += len(samples)
        return len(samples)

    def close(self) -> str:
        """Finish the file; returns its SHA-256 (hex). A write that failed, here or on the thread,
        removes the file and is raised."""
        self._stop()
        try:
            if self._failure is not None:
                raise self._failure
            mended = self.frames != self._promised
            if mended:
                self._handle.seek(0)
                self._handle.write(_header(self._rate, self._channels, self.frames))
            self._handle.close()  # its last bytes are written here: a full disk may say so now
        except BaseException:
            self.abandon()
            raise
        return files.sha256_file(self.path) if mended else self._digest.hexdigest()

    def abandon(self) -> None:
        """Close and remove the partial file."""
        self._stop()
        self._handle.close()
        self.path.unlink(missing_ok=True)

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def _drain(self) -> None:
        while True:
            data = self._queue.get()
            if data is None:
                return
            if self._failure is None:
                try:
                    self._handle.write(data)
                    self._digest.update(data)
                except BaseException as exc:  # noqa: BLE001 - handed to the pass, raised there
                    self._failure = exc


def _header(sample_rate: int, channels: int, frames: int) -> bytes:
    size = frames * channels * 2
    fmt = struct.pack("<HHIIHH", PCM, channels, sample_rate, sample_rate * channels * 2, channels * 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + size)
        + b"WAVEfmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", size)
    )
