"""A script laid out in a REAPER project: each region or marker is a line (its name the text, an
optional ``[Preset]`` prefix the speaker, its start the line's place).

Reading the names is the awkward part. The bridge's ``EnumProjectMarkers3`` never returns a name:
it packs the ``nameOut`` argument with ``rpr_packp('char**', ...)``, which is NULL for a Python
string, and hands the argument back unchanged (reaper_python.py). So the names come from REAPER's
region/marker object API where this REAPER has it and the bridge lets its ``ProjectMarker*``
handles through (``GetRegionOrMarker``, ``GetSetRegionOrMarkerInfo_String``: newer REAPERs;
whether the bridge's pointer check passes that type is not documented), else from the saved
project file's ``MARKER`` lines, which needs the project saved with no unsaved changes.
Standard library only: this runs on REAPER's UI thread.
"""

import re
import shlex
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ...errors import HostError, InputError
from ...script_file import ScriptLine, check_lines, split_speaker
from .api import Reaper, is_null
from .project import Tab

#: The REAPER 7 object API for regions and markers; older REAPERs lack it.
REGION_API = ("GetNumRegionsOrMarkers", "GetRegionOrMarker", "GetSetRegionOrMarkerInfo_String")


def script_lines(rpr: Reaper, tab: Tab) -> List[ScriptLine]:
    """The named regions and markers of the project (those in the time selection, when there is
    one), in time order, as script lines."""
    count = int(rpr.CountProjectMarkers(0, 0, 0)[0])
    places = []
    for index in range(count):
        found = rpr.EnumProjectMarkers3(0, index, False, 0.0, 0.0, "", 0, 0)
        places.append((bool(found[3]), float(found[4]), int(found[7])))
    names = _names_by_api(rpr, count)
    if names is None:
        names = _names_from_file(rpr, tab, [(region, number) for region, _, number in places])
    _, _, _, first, last, _ = rpr.GetSet_LoopTimeRange2(0, False, False, 0.0, 0.0, False)
    lines: List[ScriptLine] = []
    for index, (_, position, _) in enumerate(places):
        name = names.get(index, "")
        if not name.strip() or (last > first and not first <= position < last):
            continue
        speaker, text = split_speaker(name)
        lines.append(ScriptLine(len(lines) + 1, text, speaker, position))
    if not lines:
        raise InputError(
            "the project has no named regions or markers to speak" + (" in the time selection" if last > first else ""),
            fix="Add a region or marker for each line, named with its text ('[Host] Welcome back.').",
        )
    return check_lines(lines, "the project's regions")


def _names_by_api(rpr: Reaper, count: int) -> Optional[Dict[int, str]]:
    """The names by enumeration index through the object API, or None where this REAPER or its
    bridge cannot give them."""
    if not all(hasattr(rpr, name) for name in REGION_API):
        return None
    names = {}
    for index in range(count):
        marker = rpr.GetRegionOrMarker(0, index, "")
        if is_null(marker):
            return None
        ok, _, _, _, name, _ = rpr.GetSetRegionOrMarkerInfo_String(0, marker, "P_NAME", "", False)
        if not ok:
            return None
        names[index] = name
    return names


MARKER_LINE = re.compile(r"^\s*MARKER\s+(.*)$")


def _names_from_file(rpr: Reaper, tab: Tab, places: List[Tuple[bool, int]]) -> Dict[int, str]:
    """The names by enumeration index from the saved project file's MARKER lines (``MARKER number
    position name flags ...``; flags bit 1: a region, whose end is a second line of the same
    number and no name). The project must be saved, with no unsaved changes."""
    if not tab.file_name or rpr.IsProjectDirty(0):
        raise InputError(
            "this REAPER gives scripts the regions' names only through the saved project, and "
            + ("it is not saved" if not tab.file_name else "it has unsaved changes"),
            fix="Save the project (Ctrl+S), then run the action again.",
        )
    try:
        text = Path(tab.file_name).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise HostError(f"cannot read the project file {tab.file_name}: {exc.strerror or exc}") from exc
    named: Dict[Tuple[bool, int], str] = {}
    for row in text.splitlines():
        found = MARKER_LINE.match(row)
        if not found:
            continue
        try:
            fields = shlex.split(found.group(1).replace("`", '"'), posix=True)
            number, name, flags = int(fields[0]), fields[2], int(fields[3]) if len(fields) > 3 else 0
        except (ValueError, IndexError):
            continue
        named.setdefault((bool(flags & 1), number), name)  # a region's end line comes second
    return {index: named.get(place, "") for index, place in enumerate(places)}
