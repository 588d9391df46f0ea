"""The sound card through PyAudio (the ``audio`` extra): list devices, record a sample, play a file.

PyAudio is imported here only, and only when a sound command runs. Audio is float32
``(num_frames, num_channels)`` at ``sample_rate`` Hz. Recording and playing run in blocks, so a
stop request (Enter, Ctrl-C, a time limit) takes effect within one block.
"""

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, List, Optional

from . import files
from .doctor import CLIP_LEVEL, dbfs
from .errors import InputError
from .native_stderr import NativeStderr

BLOCK_FRAMES = 2048

Meter = Callable[[float, float, bool], None]  # (seconds so far, peak dBFS of the block, clipped)


def _pyaudio():
    try:
        import pyaudio
    except ImportError as exc:
        raise InputError(
            "sound-card support is not installed",
            fix="Install it with `pip install 'voice-tone-quick-clone[audio]'` (Debian/Ubuntu first: "
            "`apt install portaudio19-dev`).",
        ) from exc
    return pyaudio


@contextmanager
def _portaudio() -> Iterator:
    """An initialised PyAudio, with PortAudio's start-up chatter on stderr silenced."""
    pyaudio = _pyaudio()
    chatter = NativeStderr()
    try:
        with chatter:
            engine = pyaudio.PyAudio()
    finally:
        chatter.close()
    try:
        yield engine
    finally:
        engine.terminate()


def devices() -> List[dict]:
    """Every input and output device: index, name, input and output channels, default rate."""
    with _portaudio() as engine:
        found = []
        for index in range(engine.get_device_count()):
            info = engine.get_device_info_by_index(index)
            found.append(
                {
                    "index": index,
                    "name": info["name"],
                    "inputs": int(info["maxInputChannels"]),
                    "outputs": int(info["maxOutputChannels"]),
                    "sample_rate": int(info["defaultSampleRate"]),
                }
            )
    if not found:
        raise InputError(
            "no audio devices were found",
            fix="Connect a microphone or headphones, or start the system's sound server "
            "(PulseAudio or PipeWire), then try again.",
        )
    return found


def _device_index(engine, device: Optional[str], *, want_input: bool) -> Optional[int]:
    """``None`` for the default device; else the index whose number or name matches ``device``."""
    kind = "input" if want_input else "output"
    if device is None:
        try:
            (engine.get_default_input_device_info if want_input else engine.get_default_output_device_info)()
            return None
        except OSError:  # PortAudio's own words for this case name the wrong direction
            pass
        names = [
            info["name"]
            for info in map(engine.get_device_info_by_index, range(engine.get_device_count()))
            if info["maxInputChannels" if want_input else "maxOutputChannels"]
        ]
        raise InputError(
            f"this system has no default sound {kind} device"
            + (" (no microphone?)" if want_input else " (no speakers or headphones?)"),
            fix="Connect one or start the system's sound server (PulseAudio or PipeWire)"
            + (f", or pick one with --device ({', '.join(names)})" if names else "")
            + ", then try again.",
        )
    for index in range(engine.get_device_count()):
        info = engine.get_device_info_by_index(index)
        channels = info["maxInputChannels"] if want_input else info["maxOutputChannels"]
        if channels and (device == str(index) or device.lower() in info["name"].lower()):
            return index
    raise InputError(f"no {kind} device matches '{device}'", fix="See `voiceclone devices` for the names and numbers.")


def _open_error(exc: OSError, what: str) -> InputError:
    return InputError(
        f"the {what} device could not be opened ({exc})",
        fix="Check `voiceclone devices`, pick one with --device, or start the system's sound server.",
    )


def record(
    out: Path,
    *,
    seconds: Optional[float] = None,
    device: Optional[str] = None,
    sample_rate: int = 48000,
    channels: int = 1,
    stop: Optional[threading.Event] = None,
    meter: Optional[Meter] = None,
) -> Path:
    """Record until ``seconds`` have passed or ``stop`` is set; write a 24-bit WAV to ``out``."""
    import numpy as np
    import soundfile as sf

    out = Path(out)
    files.check_new(out)
    stop = stop or threading.Event()
    with (
        _stream(device, want_input=True, channels=channels, sample_rate=sample_rate) as stream,
        files.replacing(out) as partial,
        sf.SoundFile(str(partial), "w", sample_rate, channels, "PCM_24", format="WAV") as target,
    ):
        frames = 0
        while not stop.is_set() and (seconds is None or frames < seconds * sample_rate):
            block = np.frombuffer(stream.read(BLOCK_FRAMES, exception_on_overflow=False), np.float32)
            block = block.reshape(-1, channels)
            if seconds is not None:
                block = block[: max(0, int(seconds * sample_rate) - frames)]
            target.write(block)
            frames += len(block)
            if meter is not None and len(block):
                peak = float(np.max(np.abs(block)))
                meter(frames / sample_rate, dbfs(peak), peak >= CLIP_LEVEL)
    return out


def play(path: Path, *, device: Optional[str] = None, stop: Optional[threading.Event] = None) -> float:
    """Play an audio file (any format ``voiceclone validate`` reads) to the end, or until ``stop`` is
    set; return the seconds played."""
    import numpy as np

    from . import audio

    info = audio.probe(path)
    stop = stop or threading.Event()
    played = 0
    with _stream(device, want_input=False, channels=info.num_channels, sample_rate=info.sample_rate) as stream:
        for block in audio.blocks(info, 0, info.num_frames, BLOCK_FRAMES):
            if stop.is_set():
                break
            stream.write(np.ascontiguousarray(block).tobytes())
            played += len(block)
    return played / info.sample_rate


@contextmanager
def _stream(device: Optional[str], *, want_input: bool, channels: int, sample_rate: int) -> Iterator:
    """An open float32 PyAudio stream on ``device`` (None: the default) for recording or playing."""
    with _portaudio() as engine:
        index = _device_index(engine, device, want_input=want_input)
        direction = (
            {"input": True, "input_device_index": index}
            if want_input
            else {"output": True, "output_device_index": index}
        )
        try:
            stream = engine.open(
                format=_pyaudio().paFloat32,
                channels=channels,
                rate=sample_rate,
                frames_per_buffer=BLOCK_FRAMES,
                **direction,
            )
        except OSError as exc:
            raise _open_error(exc, "input" if want_input else "output") from exc
        try:
            yield stream
        finally:
            stream.stop_stream()
            stream.close()
