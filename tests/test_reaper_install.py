"""Installing the REAPER actions: the scripts the package ships, copied byte for byte, registered,
and removed again; the one ReaPack package that holds them."""

import configparser
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

import voiceclone
from voiceclone import manifest
from voiceclone.hosts.reaper import install, reapack

ROOT = Path(__file__).resolve().parents[1]
USER_LINES = ["[Main]", "KEY 1 65 _SWS_ABOUT 0", 'SCR 4 0 RSabc "Custom: mine.lua" "mine.lua"']


@pytest.fixture
def resource(tmp_path):
    folder = tmp_path / "REAPER"
    for sub in ("Scripts", "Data"):  # as in every REAPER resource folder
        (folder / sub).mkdir(parents=True)
    (folder / "reaper-kb.ini").write_text("\n".join(USER_LINES) + "\n")
    return folder


def test_one_package_provides_every_action_and_the_bootstrap():
    (package,) = reapack.packages()
    provided = {name: options for options, name in reapack.provides(reapack.headers(package))}
    actions_ = {Path(a["script"]).name for a in manifest.actions()}
    assert {package.name} | {name for name, options in provided.items() if options == ["main"]} == actions_
    assert provided[install.BOOTSTRAP] == ["nomain"]


def test_the_bootstrap_reads_the_config_where_install_writes_it():
    spec = importlib.util.spec_from_file_location("bootstrap_under_test", install.SCRIPTS / install.BOOTSTRAP)
    bootstrap = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bootstrap)
    assert install.CONFIG.parts == bootstrap.CONFIG


def _shipped():
    return sorted(path for path in install.SCRIPTS.iterdir() if path.name != "__pycache__")


def test_the_scripts_are_real_files_of_the_package_and_the_wheel_ships_every_one():
    package = Path(voiceclone.__file__).parent
    assert install.SCRIPTS.is_dir()
    assert not any(
        folder.is_symlink() for folder in [install.SCRIPTS, *install.SCRIPTS.parents] if folder.is_relative_to(package)
    )
    assert _shipped() and all(path.is_file() and not path.is_symlink() for path in _shipped())
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    folder = package / "hosts" / "reaper"
    patterns = config["options.package_data"]["voiceclone.hosts.reaper"].split()
    assert sorted({path for pattern in patterns for path in folder.glob(pattern)}) == _shipped()
    expected = {Path(a["script"]).name for a in manifest.actions()} | {install.BOOTSTRAP, install.REGISTER_SCRIPT}
    assert {path.name for path in _shipped()} == expected


def test_install_copies_the_scripts_writes_the_interpreter_and_registers_the_actions(resource):
    lines = install.install(resource, python="/opt/venv/bin/python")
    target = resource / "Scripts" / "VoiceClone"
    assert sorted(path.name for path in target.iterdir()) == [path.name for path in _shipped()]
    assert (target / install.BOOTSTRAP).is_file() and (target / install.REGISTER_SCRIPT).is_file()
    for script in _shipped():
        assert (target / script.name).read_bytes() == script.read_bytes(), script.name
    config = json.loads((resource / "Data" / "VoiceClone" / "voiceclone-config.json").read_text())
    assert config["python"] == "/opt/venv/bin/python"
    assert (Path(config["package_path"]) / "voiceclone" / "__init__.py").exists()
    keymap = (resource / "reaper-kb.ini").read_text().splitlines()
    assert keymap[:3] == USER_LINES
    ours = [line for line in keymap if "VoiceClone/" in line]
    assert len(ours) == len(manifest.actions())
    assert all(
        re.match(r'SCR 4 0 RS[0-9a-f]{40} "Custom: Voice clone - .+\.py" "VoiceClone/Voice clone - .+\.py"$', line)
        for line in ours
    )
    assert any("Register actions" in line for line in lines)


def test_installing_twice_changes_nothing_more(resource):
    install.install(resource, python=sys.executable)
    first = (resource / "reaper-kb.ini").read_text()
    install.install(resource, python=sys.executable)
    assert (resource / "reaper-kb.ini").read_text() == first


def test_uninstall_removes_exactly_what_install_added(resource):
    mine = resource / "Scripts" / "VoiceClone" / "my notes.txt"
    before = sorted(str(p.relative_to(resource)) for p in resource.rglob("*"))
    install.install(resource, python=sys.executable)
    mine.write_text("keep me")
    install.uninstall(resource)
    assert (resource / "reaper-kb.ini").read_text().splitlines() == USER_LINES
    assert sorted(p.name for p in mine.parent.iterdir()) == ["my notes.txt"]
    mine.unlink()
    mine.parent.rmdir()
    assert sorted(str(p.relative_to(resource)) for p in resource.rglob("*")) == before


def test_install_without_a_reaper_folder_says_what_to_do(tmp_path, run):
    result = run("reaper", "install", "--resource-path", tmp_path / "nope")
    assert result.code == 2 and "there is no REAPER resource folder" in result.err
    assert "Check the path: REAPER shows it under Options > Show resource path." in result.err
    assert "give --resource-path" not in result.err, "it was given"


def test_the_index_needs_a_download_url(tmp_path, run):
    result = run("reaper", "index", "-o", tmp_path / "index.xml")
    assert result.code == 2 and "--url-base" in result.err
