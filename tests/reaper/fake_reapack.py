"""Stand-ins for ``reapack-index --check`` and for ReaPack installing from an index, following their
sources (cfillion/reapack-index ``lib/reapack/index/{scanner,provides,cdetector}.rb`` with the header
parser cfillion/metaheader; cfillion/reapack ``src/source.cpp``, ``src/registry.cpp``,
``src/install.cpp``). Only the rules a script repository meets are modelled.
"""

import re
import shutil
from pathlib import Path
from typing import Callable, Dict, List, Optional
from urllib.parse import unquote
from xml.etree import ElementTree

#: ``main=`` sections ReaPack knows (source.cpp ``getSection``); "true" is the legacy "detect it".
SECTIONS = {"main", "midi_editor", "midi_inlineeditor", "midi_eventlisteditor", "mediaexplorer", "true"}
PLATFORMS = {
    "all",
    "windows",
    "win32",
    "win64",
    "darwin",
    "darwin32",
    "darwin64",
    "darwin-arm64",
    "linux",
    "linux32",
    "linux64",
    "linux-armv7l",
    "linux-aarch64",
}
#: ReaPack parses version names into numeric and letter segments; a name must start with a digit.
VERSION = re.compile(r"\A\d[\w.\-]*\Z")


def read_header(path: Path) -> Dict[str, object]:
    """metaheader's reading: tags up to the first blank line; a line with the tag's prefix and a
    deeper indent continues it, a bare prefix is a line break; a tag without a value is True."""
    tags: Dict[str, object] = {}
    key, prefix, breaks = None, "", 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            break
        if key is not None and line.startswith(prefix.rstrip()):
            if line.rstrip() == prefix.rstrip():
                breaks += 1
                continue
            rest = line[len(prefix) :] if line.startswith(prefix) else ""
            if rest[:1].isspace():
                value = tags[key]
                text = rest.strip()
                tags[key] = text if value is True else f"{value}{chr(10) * (breaks + 1)}{text}"
                breaks = 0
                continue
        match = re.match(r"\A(?P<prefix>.*?)@(?P<key>\w+)(?:\s+(?P<value>.+))?\Z", line.rstrip())
        if match is None:
            key = None
            continue
        key, prefix, breaks = match["key"].lower(), match["prefix"], 0
        tags[key] = match["value"] if match["value"] else True
    return tags


def _provides(value: object) -> List[tuple]:
    entries = []
    for line in str(value).splitlines() if isinstance(value, str) else []:
        match = re.match(r"\s*(?:\[(?P<options>[^\]]*)\])?\s*(?P<file>.+?)\s*\Z", line)
        options = [o.strip() for o in (match["options"] or "").replace(",", " ").split() if o.strip()]
        entries.append((options, match["file"]))
    return entries


def check_repository(root: Path) -> List[str]:
    """The failures ``reapack-index --check`` would print for the scripts under ``root``: every
    ``.py`` in a category folder (not the root) without ``@noindex`` is a package."""
    failures, owners = [], {}
    for script in sorted(root.glob("*/*.py")):
        tags = read_header(script)
        if tags.get("noindex") is True:
            continue
        where = f"{script.parent.name}/{script.name}"
        problems = _check_tags(script, tags)
        files = [] if tags.get("metapackage") is True else [script.name]
        for options, name in _provides(tags.get("provides")):
            problems += [
                f"invalid value for tag 'provides': unknown option '{o}'"
                for o in options
                if o not in ("main", "nomain") and not o.startswith(("main=", "type=")) and o not in PLATFORMS
            ]
            problems += [
                f"invalid value for tag 'provides': invalid Action List section '{section}'"
                for o in options
                if o.startswith("main=")
                for section in o[5:].split(",")
                if section not in SECTIONS
            ]
            if name == ".":
                name = script.name
            if not (script.parent / name).is_file():
                problems.append(f"invalid value for tag 'provides': file not found '{name}'")
            files.append(name)
        if not files:
            problems.append("no sources found. @provides tag missing?")
        for name in files:
            owners.setdefault(f"{script.parent.name}/{name}", []).append(where)
        failures += [f"{where} failed: {problem}" for problem in problems]
    for target, packages in owners.items():  # cdetector.rb
        if len(packages) > 1:
            first, *others = packages
            message = (
                f"duplicate file '{target}'" if len(set(packages)) == 1 else f"'{target}' conflicts with '{first}'"
            )
            failures.append(f"{others[0]} failed: {message}")
    return failures


def _check_tags(script: Path, tags: Dict[str, object]) -> List[str]:
    version = tags.get("version")
    if version is None:
        return ["missing tag 'version'"]
    if version is True:
        return ["missing value for tag 'version'"]
    if "\n" in str(version):
        return ["tag 'version' must be singleline"]
    if not VERSION.match(str(version)):
        return ["invalid value for tag 'version'"]
    overflow = [int(s) for s in re.findall(r"\d+", str(version)) if int(s) > 65535]
    return [f"invalid value for tag 'version': segment overflow ({overflow[0]} > 65535)"] if overflow else []


class Conflict(Exception):
    """What ReaPack reports when a file is owned by another package (install.cpp)."""


def install_index(
    index_xml: str, resource: Path, fetch: Callable[[str], Path], owners: Optional[Dict[Path, str]] = None
) -> List[Path]:
    """Install every package of ``index_xml`` as ReaPack does: each source goes to
    ``Scripts/<index name>/<category>/<file or package name>``; a path already owned by another
    package raises :class:`Conflict` (the registry's files table is UNIQUE). Returns the files
    registered as actions (a ``main`` holding a known section)."""
    owners = {} if owners is None else owners
    root = ElementTree.fromstring(index_xml)
    if root.get("version") != "1":
        raise ValueError("index version is unsupported")
    actions = []
    for category in root.findall("category"):
        for package in category.findall("reapack"):
            owner = f"{category.get('name')}/{package.get('name')}"
            version = package.findall("version")[-1]
            for source in version.findall("source"):
                target = (
                    resource
                    / "Scripts"
                    / root.get("name")
                    / category.get("name")
                    / (source.get("file") or package.get("name"))
                )
                if owners.get(target, owner) != owner:
                    raise Conflict(f"Conflict: {target} is already owned by another package")
                owners[target] = owner
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(fetch(source.text.strip()), target)
                if set((source.get("main") or "").split()) & SECTIONS:
                    actions.append(target)
    return actions


def local_files(url_base: str, folder: Path) -> Callable[[str], Path]:
    """A fetch for :func:`install_index` that serves ``url_base/...`` from ``folder``."""

    def fetch(url: str) -> Path:
        assert url.startswith(url_base + "/"), url
        return folder / unquote(url[len(url_base) + 1 :])

    return fetch
