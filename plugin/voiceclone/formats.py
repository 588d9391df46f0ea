"""Audio formats recognised by their first bytes, with their file extensions and MIME types."""

from typing import Optional

EXTENSIONS = {"wav": ".wav", "mp3": ".mp3", "m4a": ".m4a", "flac": ".flac", "aiff": ".aiff", "ogg": ".ogg"}
MIME_TYPES = {
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "flac": "audio/flac",
    "aiff": "audio/aiff",
    "ogg": "audio/ogg",
}


def sniff(head: bytes) -> Optional[str]:
    """The audio format from a file's first 12 bytes (wav, mp3, m4a, flac, aiff, ogg), or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[4:8] == b"ftyp":
        return "m4a"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:3] == b"ID3":
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and (head[1] >> 1) & 3 == 1:
        return "mp3"  # an MPEG-1/2 layer III frame header
    return None
