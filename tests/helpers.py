"""Test material shared by the tests and the benchmarks: the fake key, the signal factory, and
what a user would look at afterwards (the presets file, what reached the sandbox)."""

from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import numpy as np
import soundfile as sf
import yaml

from voiceclone.synth import voice_like

#: A fake key. Tests check it never shows up in output, files or errors.
FAKE_KEY = "test-key-7f3a9c1e5b2d-must-never-appear"


def signal(
    seconds: float, sample_rate: int = 16000, channels: int = 1, *, kind: str = "voice", seed: int = 1
) -> np.ndarray:
    """Test audio, float32 ``(num_frames, num_channels)``: ``voice``, ``tone`` (1 kHz bursts), ``silence``,
    ``nan`` (a voice with one NaN sample), ``clipped`` (a voice driven into full-scale clipping)."""
    frames = int(round(seconds * sample_rate))
    if kind == "silence":
        mono = np.zeros(frames, np.float32)
    elif kind == "tone":
        # 1 kHz in 0.5 s bursts, 0.25 s apart: a steady tone has no sound above its own floor
        # (doctor.MIN_SOUND_S), and a sample must have some to be cloned
        t = np.arange(frames) / sample_rate
        mono = (0.5 * np.sin(2 * np.pi * 1000 * t) * ((t % 0.75) < 0.5)).astype(np.float32)
    else:
        mono = _voice(seconds, sample_rate, seed)[:frames].copy()
        if kind == "nan":
            mono[frames // 2] = np.nan
        elif kind == "clipped":
            mono = np.clip(mono * 8, -1.0, 1.0)
    return np.repeat(mono[:, None], channels, axis=1).astype(np.float32)


@lru_cache(maxsize=16)
def _voice(seconds: float, sample_rate: int, seed: int) -> np.ndarray:
    """The synthetic voice, made once per length, rate and seed: most tests use the same 12 s take."""
    return voice_like(seconds, sample_rate, seed=seed)


def write_m4a(path: Path, data: np.ndarray, sample_rate: int) -> None:
    import av

    with av.open(str(path), "w", format="ipod") as container:
        stream = container.add_stream("aac", rate=sample_rate, layout="mono" if data.shape[1] == 1 else "stereo")
        frame_size = 1024
        planar = np.ascontiguousarray(data.T)
        for start in range(0, planar.shape[1], frame_size):
            frame = av.AudioFrame.from_ndarray(
                planar[:, start : start + frame_size], format="fltp", layout="mono" if data.shape[1] == 1 else "stereo"
            )
            frame.sample_rate = sample_rate
            frame.pts, frame.time_base = start, Fraction(1, sample_rate)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def presets_of(env) -> dict:
    """The presets in the file ``env`` points at, as a user would read them; {} without a file."""
    return library_of(env)["voices"]


def pending_of(env) -> dict:
    """The clone requests the presets file holds as unsettled (pending or unconfirmed), by voice_id."""
    return library_of(env).get("pending") or {}


def library_of(env) -> dict:
    path = Path(env["VOICECLONE_PRESETS"])
    return (yaml.safe_load(path.read_text()) if path.exists() else None) or {"voices": {}}


def uploads(sandbox, purpose: str = "voice_clone") -> list:
    """The files uploaded to the sandbox for ``purpose``."""
    return [f for f in sandbox.state.files.values() if f.purpose == purpose]


def patch_figures(original: np.ndarray, patched: np.ndarray, rate: int, start: float, end: float) -> dict:
    """What a listener's ear stands for at a patch, from float ``(frames, channels)`` takes:
    ``loudness_delta_lu`` (patch vs the speech around it), ``noise_floor_delta_db`` (the patch's
    quietest 100 ms vs the take's), ``worst_seam_step`` (the biggest sample step at a seam over the
    signal's own steps just before it: under 1.5 is no click)."""
    from voiceclone import blend

    region = patched[int(start * rate) : int(end * rate)]
    context = blend.around(original, rate, start, end)

    def quietest_db(samples):
        window = int(0.1 * rate)
        energy = np.convolve(samples[:, 0].astype(np.float64) ** 2, np.ones(window) / window, "valid")
        return 10 * np.log10(energy.min())

    fade = int((blend.FADE_S + blend.ZERO_CROSSING_S) * rate)
    steps = np.abs(np.diff(patched[:, 0].astype(np.float64)))
    ratios = [
        steps[s - fade : s + fade].max() / steps[s - 10 * fade : s - fade].max()
        for s in (int(start * rate), int(end * rate))
    ]
    return {
        "loudness_delta_lu": blend.loudness(region, rate) - blend.loudness(context, rate),
        "noise_floor_delta_db": quietest_db(region) - quietest_db(original),
        "worst_seam_step": max(ratios),
    }


#: A take with a flubbed phrase in it (4.3-7.3 s in espeak-ng's default voice), for the patch tests and bench.
FLUBBED_TAKE = (
    "Welcome back to the show. Today we talk about editing voices. I said the wrong word right here by mistake. "
    "And then we go on with the rest of the episode, which is long enough to measure."
)


def spoken_take(path: Path, *, voice: str = "en", room_db: float = -52.0, seed: int = 7) -> Path:
    """:data:`FLUBBED_TAKE` spoken by espeak-ng ``voice`` over a room's noise at ``room_db`` dBFS, as a
    16-bit wav at ``path``."""
    import subprocess

    spoken = path.with_name(path.stem + "-dry.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(spoken), FLUBBED_TAKE], check=True, timeout=60)
    samples, rate = sf.read(str(spoken), dtype="float64")
    rng = np.random.default_rng(seed)
    room = np.convolve(rng.normal(0, 1, len(samples)), np.ones(6) / 6, "same")
    room *= 10 ** (room_db / 20) / np.sqrt(np.mean(room**2))
    sf.write(str(path), (0.7 * samples + room).astype(np.float32), rate, subtype="PCM_16")
    return path
