"""``voiceclone reaper index``: a ReaPack ``index.xml`` for the action scripts, from manifest.yaml."""
import re
from pathlib import Path
from typing import Dict, Optional
from urllib.parse import quote
from xml.etree import ElementTree

from ... import manifest
from ...errors import InputError
from .install import SCRIPTS

BOOTSTRAP = "voiceclone_reaper.py"


def headers(script: Path) -> Dict[str, str]:
    """A script's ReaPack header tags (``# @tag value``, indented lines continue the last tag)."""
    tags: Dict[str, str] = {}
    last = None
    for line in script.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = re.match(r"#\s*@(\w+)\s*(.*)$", line)
        if match:
            last = match.group(1)
            tags[last] = match.group(2).strip()
        elif last and line.startswith("#   "):
            tags[last] = (tags[last] + "\n" + line[4:].rstrip()).strip()
    return tags


def build_index(url_base: Optional[str] = None) -> str:
    """The index.xml text for every action in the manifest."""
    data = manifest.load()
    settings = data["reapack"]
    base = (url_base or settings.get("url_base") or "").rstrip("/")
    if not base:
        raise InputError("ReaPack needs the URL the scripts are downloaded from",
                         fix="Pass --url-base (the raw URL of plugin/reaper in the published repository), "
                             "or set reapack.url_base in manifest.yaml.")
    root = ElementTree.Element("index", version="1", name=data["name"])
    category = ElementTree.SubElement(root, "category", name=settings["category"])
    for action in data["actions"]:
        script = SCRIPTS / Path(action["script"]).name
        tags = headers(script)
        package = ElementTree.SubElement(category, "reapack", name=script.name, type="script", desc=tags["description"])
        metadata = ElementTree.SubElement(package, "metadata")
        ElementTree.SubElement(metadata, "description").text = tags.get("about", "")
        version = ElementTree.SubElement(package, "version", name=tags["version"], author=tags.get("author", ""))
        ElementTree.SubElement(version, "source", main="main").text = _url(base, settings["category"], script.name)
        ElementTree.SubElement(version, "source", file=BOOTSTRAP).text = _url(base, settings["category"], BOOTSTRAP)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def _url(base: str, category: str, name: str) -> str:
    return f"{base}/{quote(category)}/{quote(name)}"
