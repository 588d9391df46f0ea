"""Whether a sample can be cloned, told without sending anything: ``voiceclone validate`` and the
check after ``voiceclone record``."""

from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from . import audio
from .doctor import Report
from .errors import AudioError


@dataclass(frozen=True)
class Verdict:
    """The header facts of a sample, what would be uploaded, its quality, and why it is refused (or None)."""

    info: audio.AudioInfo
    problem: Optional[str]
    plan: Optional[audio.Plan]
    report: Optional[Report]

    @property
    def usable(self) -> bool:
        return self.problem is None

    @property
    def warnings(self) -> List[str]:
        return list(self.report.warnings) if self.report else []

    def as_dict(self) -> dict:
        plan = self.plan
        return {
            "ok": self.usable,
            "problem": self.problem,
            "file": self.info.as_dict(),
            "upload": None
            if plan is None
            else {
                "untouched": plan.untouched,
                "sample_rate": plan.sample_rate,
                "num_channels": plan.num_channels,
                "fixes": list(plan.fixes),
            },
            "quality": None if self.report is None else self.report.as_dict(),
            "warnings": self.warnings,
        }


def judge(path: Path, *, start: Optional[float] = None, end: Optional[float] = None) -> Verdict:
    """The verdict on ``path`` (its region ``start``..``end`` seconds). A file that cannot be read at
    all raises :class:`AudioError`; a readable one that cannot be cloned gets its ``problem``."""
    info = audio.probe(path)
    try:
        plan, report = audio.inspect(info, start=start, end=end)
    except AudioError as exc:
        return Verdict(info, str(exc), None, None)
    found = report.problem()
    return Verdict(info, str(found) if found else None, plan, report)
