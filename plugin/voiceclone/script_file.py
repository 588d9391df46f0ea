"""A script to speak, read from a file: plain text (a line each), CSV or TSV (``speaker,text[,start]``)
or SubRip (.srt, with its times). A line may name its speaker with a ``[Preset]`` prefix; a
speaker column does the same in CSV/TSV. Standard library only (REAPER reads regions the same way).
"""

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

from . import rules
from .errors import InputError

#: ``[Preset] text``: the line's speaker.
SPEAKER_PREFIX = re.compile(r"^\s*\[([^\]]+)\]\s*(.*)$", re.S)
SRT_TIME = re.compile(r"(\d+):(\d{1,2}):(\d{1,2})[,.](\d{1,3})")
#: The most lines one script may hold (each is a paid speech).
MAX_LINES = 5000


@dataclass(frozen=True)
class ScriptLine:
    """One line of a script: where it is in the file, what is said, by whom, and when (seconds)."""

    number: int
    text: str
    speaker: Optional[str] = None
    start_s: Optional[float] = None


def split_speaker(text: str) -> Tuple[Optional[str], str]:
    """``"[Host] Hello."`` -> ``("Host", "Hello.")``; a line without a prefix has no speaker."""
    found = SPEAKER_PREFIX.match(text)
    if not found:
        return None, text.strip()
    return found.group(1).strip() or None, found.group(2).strip()


def read_script(path: Path) -> List[ScriptLine]:
    """The lines of the script file ``path``; :class:`InputError` naming the line that is wrong."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the script {path}: {exc.strerror or exc}", fix="Check the path.") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the script {path.name} is not UTF-8 text (byte {exc.start})", fix="Save it as UTF-8 text."
        ) from exc
    suffix = path.suffix.lower()
    lines: List[ScriptLine]
    if suffix == ".srt":
        lines = _srt(text, path.name)
    elif suffix in (".csv", ".tsv"):
        lines = _table(text, "\t" if suffix == ".tsv" else ",", path.name)
    else:
        lines = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip() and not line.lstrip().startswith("#"):
                speaker, said = split_speaker(line)
                lines.append(ScriptLine(number, said, speaker))
    return check_lines(lines, path.name)


def check_lines(lines: List[ScriptLine], where: str) -> List[ScriptLine]:
    """Every line speakable (text within MiniMax's limit), and some lines at all."""
    if not lines:
        raise InputError(f"the script {where} has no lines to speak", fix="Write one line of text per line.")
    if len(lines) > MAX_LINES:
        raise InputError(
            f"the script {where} has {len(lines)} lines; at most {MAX_LINES} are spoken in one run",
            fix="Split it into several scripts.",
        )
    for line in lines:
        try:
            rules.check_text(line.text, what=f"text of line {line.number}", limit=rules.SPEECH_TEXT_MAX)
        except InputError as exc:
            raise InputError(f"{where}: {exc}", fix=exc.fix) from exc
    return lines


def _table(text: str, delimiter: str, where: str) -> List[ScriptLine]:
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    lines: List[ScriptLine] = []
    for number, row in enumerate(rows, 1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and cells[0].lower() == "speaker":
            continue  # a header row
        if len(cells) < 2:
            raise InputError(
                f"{where} line {number} has one column; each row is speaker{delimiter}text[{delimiter}start]",
                fix="Give the speaker (or leave it empty) and the text on every row.",
            )
        start = None
        if len(cells) > 2 and cells[2]:
            try:
                start = rules.parse_time(cells[2])
            except ValueError as exc:
                raise InputError(f"{where} line {number}: {exc}", fix="Give the start in seconds or mm:ss.") from exc
        lines.append(ScriptLine(number, cells[1], cells[0] or None, start))
    return lines


def _srt(text: str, where: str) -> List[ScriptLine]:
    lines: List[ScriptLine] = []
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    for block in blocks:
        rows = [row for row in block.split("\n") if row.strip()]
        timing = next((i for i, row in enumerate(rows) if "-->" in row), None)
        if timing is None:
            raise InputError(f"{where}: a cue without a 'start --> end' line: {rows[0][:40]!r}", fix="Check the .srt.")
        found = SRT_TIME.search(rows[timing])
        if found is None:
            raise InputError(f"{where}: cannot read the time {rows[timing]!r}", fix="Times look like 00:01:02,500.")
        hours, minutes, seconds, millis = (int(part) for part in found.groups())
        start = hours * 3600 + minutes * 60 + seconds + millis / 10 ** len(found.group(4))
        number = int(rows[0]) if timing == 1 and rows[0].strip().isdigit() else len(lines) + 1
        speaker, said = split_speaker(" ".join(row.strip() for row in rows[timing + 1 :]))
        lines.append(ScriptLine(number, said, speaker, start))
    return lines
