"""The ReaPack side: the scripts pass reapack-index's checks, the index installs all five actions
as ONE package with no file owned twice, and `voiceclone reaper install` after a ReaPack install
leaves one copy of each action. tests/reaper/fake_reapack.py follows the two tools' sources."""

import re
import shutil
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from fake_reapack import Conflict, check_repository, install_index, local_files

from helpers import presets_of
from voiceclone import __version__, manifest
from voiceclone.hosts.reaper import install

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS_ROOT = ROOT / "plugin" / "voiceclone" / "hosts" / "reaper" / "scripts"
URL = "https://example.org/raw/main/plugin/voiceclone/hosts/reaper/scripts"
ACTION_NAMES = sorted(Path(a["script"]).name for a in manifest.actions())


@pytest.fixture
def index(tmp_path, run):
    out = tmp_path / "index.xml"
    result = run("reaper", "index", "--url-base", URL, "-o", out)
    assert result.code == 0, result.err
    return out.read_text(encoding="utf-8")


def test_the_scripts_pass_reapack_index_checks():
    assert check_repository(SCRIPTS_ROOT) == []


def test_the_checker_refuses_two_actions_that_each_provide_the_bootstrap(tmp_path):
    """The layout before: every action a package of its own, each listing voiceclone_reaper.py."""
    folder = tmp_path / "VoiceClone"
    folder.mkdir()
    (folder / "voiceclone_reaper.py").write_text("# @noindex\n")
    for name in ("A.py", "B.py"):
        (folder / name).write_text(
            "# @description x\n# @version 0.1.0\n# @provides\n#   [nomain] voiceclone_reaper.py\n"
        )
    assert check_repository(tmp_path) == [
        "VoiceClone/B.py failed: 'VoiceClone/voiceclone_reaper.py' conflicts with 'VoiceClone/A.py'"
    ]
    (folder / "A.py").write_text("# @description x\n# @version v1\n")
    assert "VoiceClone/A.py failed: invalid value for tag 'version'" in check_repository(tmp_path)


def test_the_index_is_one_package_with_the_five_actions_and_the_bootstrap(index):
    root = ElementTree.fromstring(index)
    assert (root.get("version"), root.get("name")) == ("1", manifest.load()["name"])
    (package,) = root.findall("./category[@name='VoiceClone']/reapack")
    assert package.get("type") == "script" and package.get("desc") == "Voice clone: Clone voice from selection"
    (version,) = package.findall("version")
    assert version.get("name") == __version__
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", version.get("time"))
    sources = {(s.get("file") or package.get("name")): s for s in version.findall("source")}
    assert sorted(sources) == sorted(ACTION_NAMES + ["voiceclone_reaper.py"])
    assert sorted(name for name, s in sources.items() if s.get("main") == "main") == ACTION_NAMES
    assert sources["voiceclone_reaper.py"].get("main") is None
    assert sources["voiceclone_reaper.py"].text == f"{URL}/VoiceClone/voiceclone_reaper.py"
    about = package.find("metadata/description").text
    assert about.startswith("{\\rtf1") and "This package installs five actions" in about and "`" not in about


def test_reapack_installs_all_five_actions_and_a_second_install_conflicts_with_nothing(index, tmp_path):
    resource = tmp_path / "REAPER"
    owners = {}
    actions = install_index(index, resource, local_files(URL, SCRIPTS_ROOT), owners)
    folder = resource / "Scripts" / manifest.load()["name"] / "VoiceClone"
    assert sorted(a.name for a in actions) == ACTION_NAMES and {a.parent for a in actions} == {folder}
    assert (folder / "voiceclone_reaper.py").read_bytes() == (
        SCRIPTS_ROOT / "VoiceClone" / "voiceclone_reaper.py"
    ).read_bytes()
    install_index(index, resource, local_files(URL, SCRIPTS_ROOT), owners)  # an update: same owner
    with pytest.raises(Conflict, match="is already owned by another package"):
        install_index(
            index.replace('name="Voice clone - Clone voice from selection.py"', 'name="Other.py"'),
            resource,
            local_files(URL, SCRIPTS_ROOT),
            owners,
        )


def test_install_after_reapack_writes_the_config_and_no_second_copy(index, tmp_path, run):
    resource = tmp_path / "REAPER"
    install_index(index, resource, local_files(URL, SCRIPTS_ROOT))
    result = run("reaper", "install", "--resource-path", resource)
    assert result.code == 0, result.err
    assert "ReaPack installed the actions" in result.out
    assert (resource / "Data" / "VoiceClone" / "voiceclone-config.json").is_file()
    assert not (resource / "Scripts" / "VoiceClone").exists() and not (resource / "reaper-kb.ini").exists()


def test_install_removes_its_own_copy_once_reapack_installed_one(index, tmp_path):
    resource = tmp_path / "REAPER"
    resource.mkdir()
    install.install(resource, python=sys.executable)
    install_index(index, resource, local_files(URL, SCRIPTS_ROOT))
    lines = install.install(resource, python=sys.executable)
    assert "removed the earlier one" in lines[1]
    assert not (resource / "Scripts" / "VoiceClone").exists() and not (resource / "reaper-kb.ini").exists()
    lines = install.uninstall(resource)
    assert not (resource / "Data" / "VoiceClone").exists()
    assert "stays: remove it with Extensions > ReaPack" in lines[-1]


def test_an_action_installed_by_reapack_runs(index, tmp_path, reaper, env, monkeypatch, run, make_audio):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    install_index(index, reaper.resource_path, local_files(URL, SCRIPTS_ROOT))
    install.install(reaper.resource_path, python=sys.executable)
    run("clone", make_audio("t.wav", 12), "--voice-id", "HostVoice01", "--name", "Host")
    folder = reaper.resource_path / "Scripts" / manifest.load()["name"] / "VoiceClone"
    reaper.answer_inputs(values=["Host", "remove"])
    reaper.run_script(folder / "Voice clone - Voice presets.py", max_ticks=3000)
    reaper.assert_clean()
    assert "Host: HostVoice01, temporary, " in reaper.console and presets_of(env) == {}
    shutil.rmtree(folder)
