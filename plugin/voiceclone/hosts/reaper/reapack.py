"""``voiceclone reaper index``: a ReaPack ``index.xml`` for the action scripts.

It is built the way ``reapack-index`` builds one from the scripts' headers (cfillion/reapack-index):
every script in the category folder without ``@noindex`` is a package; a package's own file is its
first source, registered as an action (``main="main"``); each ``@provides`` line adds a file,
registered only with ``[main]``. ReaPack keeps one owner per installed file, so the five actions and
their shared bootstrap ship as ONE package: the clone action, whose ``@provides`` lists the others.
ReaPack installs it to ``Scripts/<index name>/<category>/`` and shows ``@about`` as RTF.
"""

import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from urllib.parse import quote
from xml.etree import ElementTree

from ... import manifest
from ...errors import InputError
from .install import SCRIPTS


def headers(script: Path) -> Dict[str, str]:
    """A script's ReaPack header tags, read as reapack-index's parser (cfillion/metaheader) reads
    them: ``# @tag value`` lines up to the first blank line; a ``#`` line indented further continues
    the last tag, a bare ``#`` is a line break in it; a tag without a value is ``"true"``."""
    tags: Dict[str, Optional[str]] = {}
    last, breaks = None, 0
    for line in script.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            break
        if last and line.rstrip() == "#":
            breaks += 1
            continue
        if last and re.match(r"#\s{2,}\S", line):
            text, value = line[1:].strip(), tags[last]
            tags[last] = text if value is None else value + "\n" * (breaks + 1) + text
            breaks = 0
            continue
        match = re.match(r"#\s*@(\w+)(?:\s+(.*\S))?\s*$", line)
        last, breaks = (match.group(1), 0) if match else (None, 0)
        if match and last:
            tags[last] = match.group(2)
    return {tag: "true" if value is None else value for tag, value in tags.items()}


def provides(tags: Dict[str, str]) -> List[Tuple[List[str], str]]:
    """The ``@provides`` lines as ``(options, file)``: ``[main] a.py`` -> ``(["main"], "a.py")``."""
    entries = []
    for line in tags.get("provides", "").splitlines():
        match = re.match(r"\s*(?:\[([^\]]*)\])?\s*(.+?)\s*$", line)
        if match and match.group(2):
            entries.append(([o.strip() for o in (match.group(1) or "").split(",") if o.strip()], match.group(2)))
    return entries


def packages() -> List[Path]:
    """The scripts reapack-index indexes as packages (those without ``@noindex``)."""
    return [script for script in sorted(SCRIPTS.glob("*.py")) if "noindex" not in headers(script)]


def build_index(url_base: Optional[str] = None, *, moment: Optional[datetime] = None) -> str:
    """The index.xml text: every package with its version, files, actions and RTF description."""
    data = manifest.load()
    settings = data["reapack"]
    base = (url_base or settings.get("url_base") or "").rstrip("/")
    if not base:
        raise InputError(
            "ReaPack needs the URL the scripts are downloaded from",
            fix="Pass --url-base (the raw URL of plugin/voiceclone/hosts/reaper/scripts in the "
            "published repository), or set reapack.url_base in manifest.yaml.",
        )
    when = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    root = ElementTree.Element("index", version="1", name=data["name"])
    category = ElementTree.SubElement(root, "category", name=settings["category"])
    for script in packages():
        tags = headers(script)
        package = ElementTree.SubElement(category, "reapack", name=script.name, type="script", desc=tags["description"])
        metadata = ElementTree.SubElement(package, "metadata")
        ElementTree.SubElement(metadata, "description").text = rtf(tags.get("about", ""))
        version = ElementTree.SubElement(
            package, "version", name=tags["version"], author=tags.get("author", ""), time=when
        )
        ElementTree.SubElement(version, "source", main="main").text = _url(base, settings["category"], script.name)
        for options, name in provides(tags):
            attributes = {"file": name, **({"main": "main"} if "main" in options else {})}
            ElementTree.SubElement(version, "source", attributes).text = _url(base, settings["category"], name)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def rtf(markdown: str) -> str:
    """The little markdown of an ``@about`` (a ``#`` title, paragraphs, ``-`` lists) as the RTF ReaPack
    shows; reapack-index converts with pandoc, which is not needed for text this plain."""
    paragraphs = [block.strip() for block in re.split(r"\n\s*\n", markdown) if block.strip()]
    out = []
    for block in paragraphs:
        if block.startswith("# "):
            out.append(r"{\pard\sa180\b " + _rtf_text(block[2:]) + r"\par}")
        elif block.startswith("- "):
            for entry in re.split(r"\n(?=- )", block):
                out.append(r"{\pard\li360\fi-180\sa60 \bullet  " + _rtf_text(entry[2:]) + r"\par}")
        else:
            out.append(r"{\pard\sa180 " + _rtf_text(block) + r"\par}")
    return r"{\rtf1\ansi\deff0{\fonttbl{\f0 \fswiss Helvetica;}}\f0 " + "\n".join(out) + "}"


def _rtf_text(text: str) -> str:
    text = " ".join(text.split()).replace("`", "")
    escaped = text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")
    return "".join(c if ord(c) < 128 else f"\\u{ord(c) if ord(c) < 32768 else ord(c) - 65536}?" for c in escaped)


def _url(base: str, category: str, name: str) -> str:
    return f"{base}/{quote(category)}/{quote(name)}"
