"""The chunks of a RIFF (WAV) file: where each starts and how long it is, without reading their
bodies. Shared by the WAV tagger (:mod:`.tagging`) and the PCM reader (:mod:`.wav_pcm`)."""

from typing import Callable, Iterator, Tuple

Reader = Callable[[int, int], bytes]  # (offset, count) -> at most count bytes from offset


def chunks(read: Reader, total: int) -> Iterator[Tuple[bytes, int, int]]:
    """``(name, body offset, body size)`` of each chunk after the ``RIFF....WAVE`` header of a file of
    ``total`` bytes. A size that runs past the end is given as it is: the caller decides."""
    at = 12
    while at + 8 <= total:
        head = read(at, 8)
        if len(head) < 8:
            return
        size = int.from_bytes(head[4:8], "little")
        yield head[:4], at + 8, size
        at += 8 + size + (size & 1)


def is_name(name: bytes) -> bool:
    """A chunk name is four printable ASCII characters."""
    return len(name) == 4 and all(32 <= byte < 127 for byte in name)
