"""The sample doctor: from the measures of :mod:`.analysis`, a verdict on every second (is it the
speaker's clean speech, and if not why) and on the whole sample, each check a plain sentence with
a fix, as ``validate`` shows them and every upload says them first.

The thresholds were read off the constructed episode track of ``tests/episode_track.py`` (espeak-ng
speech in a -58 dBFS room; 10th-90th percentiles per second), on which the picker's bars are
measured:

- level modulation (std of the 20 ms frame levels in a second): speech 8.3-14.2 dB, speech over a
  music bed 1.2-1.8 dB, music 0.4-0.7 dB, a tone 0.0 dB;
- harmonics-to-noise ratio (:mod:`.periodicity`): speech 5.1-10.1 dB, speech over music and music
  -1.0 to -0.1 dB, a 1 kHz tone 44 dB;
- tonal peakiness (power in the strongest FFT bin and its neighbours): speech 0.15-0.42, a tone 1.0;
- bandwidth (the highest band within 30 dB of the strongest): speech 10 kHz, a phone insert 4.8 kHz;
- median pitch: the host 0.2 st above 100 Hz (-1.2..1.7), a second, higher voice +13 st (11..15).
"""

from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np

from .analysis import FRAMES_PER_S, Measures
from .percentiles import median, percentile, row_percentiles
from .true_peak import LIMIT_DBTP

#: A second is speech when the VAD calls at least this share of its frames speech...
SPEECH_SHARE = 0.5
#: ... and it is not this quiet.
SILENT_BELOW_DBFS = -60.0
STEADY_MODULATION_DB = 4.0  # below: a music bed, a tone or a hum, not speech alone
CLEAR_VOICE_HNR_DB = 2.5  # below (voiced frames): a voice mixed with music or noise
TONE_PEAKINESS = 0.8
NOISY_SNR_DB = 20.0  # the speech this close to the noise floor is noisy
OTHER_VOICE_ST = 4.0  # a second whose pitch lies this far from the speaker's is another voice
BANDWIDTH_DB = 30.0
NARROW_SHARE = 0.6  # a second with this share of the track's bandwidth or less is a phone insert
PHONE_BANDWIDTH_HZ = 5000.0
LEVEL_JUMP_DB = 10.0
LEVEL_JUMP_REACH_S = 3  # speech seconds on each side of a step
#: Music, a phone line or another voice counts when it lasts this many seconds in a row.
SUSTAINED_S = 3
DC_OFFSET = 0.01
QUIET_LUFS = -35.0
HOARSE_HNR_DB = 3.0

#: Why a second is not the speaker's clean speech, in the order they are judged.
REASONS = ("silence", "tone", "clipping", "music", "noise", "phone line", "other voice", "level jump")


@dataclass(frozen=True)
class Check:
    """One check of the sample doctor: ``ok`` or not, what was found, and the fix when not ok."""

    name: str
    ok: bool
    said: str
    fix: Optional[str] = None

    def as_dict(self) -> dict:
        return {"check": self.name, "ok": self.ok, "said": self.said, "fix": self.fix}


@dataclass
class Judged:
    """Every second's verdict: ``reason[i]`` is None for the speaker's clean speech."""

    measures: Measures
    reason: List[Optional[str]]
    noise_floor_dbfs: float
    snr_db: np.ndarray
    bandwidth_hz: np.ndarray
    speaker_f0_st: float
    level_jumps: List[int]  # the seconds where the speech's level steps
    checks: List[Check] = field(default_factory=list)

    def seconds_of(self, reason: Optional[str]) -> int:
        return sum(1 for r in self.reason if r == reason)

    @property
    def clean_s(self) -> int:
        return self.seconds_of(None)


def judge(m: Measures) -> Judged:
    """Judge every second of ``m``, and the sample as a whole (:attr:`Judged.checks`)."""
    seconds = m.seconds
    floor = percentile(m.frame_db, 10) if len(m.frame_db) else float("-inf")
    frames = m.frame_db[: seconds * FRAMES_PER_S]
    padded = np.full(seconds * FRAMES_PER_S, np.nan, np.float32)
    padded[: len(frames)] = frames
    by_second = padded.reshape(seconds, FRAMES_PER_S)
    with np.errstate(all="ignore"):
        modulation = np.nanstd(by_second, axis=1)
        (loud,) = row_percentiles(by_second, (90,))
    snr = loud - floor
    relative = m.bands_db - m.bands_db.max(axis=1, keepdims=True)
    edges = np.array(m.band_edges_hz)
    within = relative >= -BANDWIDTH_DB
    highest = len(edges) - 1 - np.argmax(within[:, ::-1], axis=1)
    bandwidth = edges[highest]

    # not floor-relative: under a music bed the quietest frames are the bed itself
    speech = (m.speech >= SPEECH_SHARE) & (m.level_db >= SILENT_BELOW_DBFS)
    tone = (m.peakiness >= TONE_PEAKINESS) | ((m.hnr_db > 30) & (np.nan_to_num(m.f0_spread_st, nan=9) < 0.3))
    clipped = m.clipped > 0
    # a lasting sound, not one second of it: a single steady or dull second happens in speech too
    steady = _sustained((modulation < STEADY_MODULATION_DB) | (np.nan_to_num(m.hnr_db, nan=0.0) < CLEAR_VOICE_HNR_DB))
    noisy = snr < NOISY_SNR_DB
    voice = speech & ~tone & ~clipped & ~steady & ~noisy
    track_bandwidth = median(bandwidth[voice]) if voice.any() else float(edges[-1])
    narrow = _sustained(bandwidth <= NARROW_SHARE * track_bandwidth)
    speaker = _speaker_pitch(m.f0_st[voice & ~narrow])
    other = _sustained(np.abs(np.nan_to_num(m.f0_st, nan=speaker) - speaker) > OTHER_VOICE_ST)

    reason: List[Optional[str]] = []
    for i in range(seconds):
        flags = (not speech[i], tone[i], clipped[i], steady[i], noisy[i], narrow[i], other[i], False)  # jumps: below
        reason.append(next((name for name, flag in zip(REASONS, flags) if flag), None))
    jumps = _level_jumps(m.level_db, speech)
    for i in jumps:
        for j in (i - 1, i):
            if reason[j] is None:
                reason[j] = "level jump"
    judged = Judged(m, reason, floor, snr, bandwidth, speaker, jumps)
    judged.checks = _checks(judged, voice)
    return judged


def _sustained(flags: np.ndarray, seconds: int = SUSTAINED_S) -> np.ndarray:
    """``flags`` kept only where they hold for ``seconds`` in a row."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    kept = np.zeros(len(flags), bool)
    for begin, end in zip(edges[::2], edges[1::2]):
        if end - begin >= seconds:
            kept[begin:end] = True
    return kept


def _speaker_pitch(f0_st: np.ndarray) -> float:
    """The speaker's pitch: the densest 2-semitone stretch of the seconds' median pitches."""
    f0_st = f0_st[np.isfinite(f0_st)]
    if not len(f0_st):
        return float("nan")
    counts, edges = np.histogram(f0_st, bins=np.arange(-24.0, 36.5, 0.5))
    density = np.convolve(counts, np.ones(4), "same")
    centre = edges[int(np.argmax(density))] + 0.25
    near = f0_st[np.abs(f0_st - centre) <= 2.0]
    return median(near) if len(near) else centre


def _level_jumps(level_db: np.ndarray, speech: np.ndarray) -> List[int]:
    """Seconds where the speech's level steps by more than :data:`LEVEL_JUMP_DB`: the median of the
    speech seconds just after against that of the ones just before (a gain change, an edit)."""
    heard = np.flatnonzero(speech)
    levels = level_db[heard]
    reach = LEVEL_JUMP_REACH_S
    steps = [
        abs(median(levels[k : k + reach]) - median(levels[k - reach : k])) for k in range(reach, len(heard) - reach + 1)
    ]
    jumps = []
    for index, step in enumerate(steps):
        neighbours = steps[max(index - reach, 0) : index + reach + 1]
        if step > LEVEL_JUMP_DB and step == max(neighbours):
            jumps.append(int(heard[index + reach]))
    return jumps


def _checks(j: Judged, voice: np.ndarray) -> List[Check]:
    m, total = j.measures, max(j.measures.seconds, 1)
    share = {why: j.seconds_of(why) / total for why in REASONS}
    speech_s = total - j.seconds_of("silence")
    loudness = m.loudness()
    true_peak = float(np.nanmax(m.true_peak)) if len(m.true_peak) else 0.0
    clipped = int(np.nansum(m.clipped))
    dc = float(np.nanmean(m.dc)) if len(m.dc) else 0.0
    hnr = median(m.hnr_db[voice]) if voice.any() else float("nan")
    f0 = m.f0_st[voice & np.isfinite(m.f0_st)]
    bandwidth = median(j.bandwidth_hz[voice]) if voice.any() else float("nan")
    clean_snr = median(j.snr_db[voice]) if voice.any() else median(j.snr_db)
    jumps = j.level_jumps

    def db(value: float) -> str:
        return f"{20 * np.log10(value):.1f}" if value > 0 else "-inf"

    checks = [
        Check(
            "speech",
            speech_s / total >= 0.6,
            f"{speech_s} of {total} s are speech ({speech_s / total:.0%})",
            "Select a stretch where the voice talks, or let --pick find it.",
        ),
        Check(
            "loudness",
            loudness >= QUIET_LUFS,
            f"integrated loudness {loudness:.1f} LUFS (BS.1770)",
            "Turn the sample up, or add --volume-normalization.",
        ),
        Check(
            "peaks",
            clipped == 0 and 20 * np.log10(max(true_peak, 1e-12)) <= LIMIT_DBTP,
            f"true peak {db(true_peak)} dBTP, {clipped} clipped samples",
            "Distortion is cloned too: use a take recorded lower, or leave the clipped part out."
            if clipped
            else f"Peaks above {LIMIT_DBTP:g} dBTP may clip when encoded: turn the sample down a little.",
        ),
        Check(
            "noise",
            clean_snr >= NOISY_SNR_DB,
            f"noise floor {j.noise_floor_dbfs:.1f} dBFS, speech about {clean_snr:.0f} dB above it",
            "Use a cleaner take, or add --noise-reduction.",
        ),
        Check(
            "bandwidth",
            not bandwidth < PHONE_BANDWIDTH_HZ,
            f"the voice reaches {bandwidth / 1000:.1f} kHz",
            "It sounds like a phone line or a low-bitrate file: use the original recording if there is one.",
        ),
        Check(
            "dc offset",
            abs(dc) <= DC_OFFSET,
            f"DC offset {dc:+.4f}",
            "Remove it with a high-pass filter (most DAWs: 'DC offset removal') before cloning.",
        ),
        Check(
            "music or tone",
            share["music"] + share["tone"] <= 0.1,
            f"{j.seconds_of('music') + j.seconds_of('tone')} s sound like music, a tone or a voice over music",
            "Leave music beds and tones out of the sample (or let --pick skip them).",
        ),
        Check(
            "voice",
            not hnr < HOARSE_HNR_DB,
            f"harmonics-to-noise {hnr:.1f} dB; pitch around {100 * 2 ** (j.speaker_f0_st / 12):.0f} Hz, "
            f"range {percentile(f0, 90) - percentile(f0, 10):.1f} semitones"
            if len(f0)
            else "no voiced speech was found",
            "The voice sounds rough or reverberant: a drier, closer take clones better.",
        ),
        Check(
            "other voices",
            share["other voice"] + share["phone line"] <= 0.05,
            f"{j.seconds_of('other voice')} s of another voice, {j.seconds_of('phone line')} s of a phone line",
            "Select only the speaker to clone, or let --pick leave the others out.",
        ),
        Check(
            "level jumps",
            not jumps,
            f"{len(jumps)} level jumps" + (f" (first at {jumps[0]} s)" if jumps else ""),
            "Even out the level (an edit or a gain change), or leave that part out.",
        ),
    ]
    return [check if not check.ok else Check(check.name, True, check.said) for check in checks]


def warnings(j: Judged) -> List[str]:
    """The failed checks as plain warnings: what was found, and what to do."""
    return [f"{check.said}: {check.fix[0].lower()}{check.fix[1:]}" for check in j.checks if not check.ok and check.fix]


def skipped(j: Judged) -> Dict[str, int]:
    """Seconds per reason that are not the speaker's clean speech."""
    return {why: j.seconds_of(why) for why in REASONS if j.seconds_of(why)}
