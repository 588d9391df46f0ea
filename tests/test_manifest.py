"""manifest.yaml is the single source of the version, the actions and the limits, a real file the
package ships; the code agrees with every value in it: the scripts' ReaPack headers, what REAPER
registers, the hosts, the providers and the limits rules.py enforces."""

import configparser
import fnmatch
import pkgutil
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

import voiceclone
from voiceclone import hosts, manifest, rules, version
from voiceclone.errors import AudioError, InputError
from voiceclone.hosts.reaper import actions, install, reapack
from voiceclone.settings import DEFAULT_PROVIDER, PROVIDERS

ROOT = Path(__file__).resolve().parents[1]
MANIFEST_FILE = ROOT / "manifest.yaml"
MANIFEST = yaml.safe_load(MANIFEST_FILE.read_text(encoding="utf-8"))
PACKAGE = Path(voiceclone.__file__).parent
#: Each manifest limit and the rules.py constant that enforces it.
LIMITS = {
    "clone_formats": "CLONE_FORMATS",
    "clone_min_seconds": "CLONE_MIN_S",
    "clone_max_seconds": "CLONE_MAX_S",
    "upload_max_bytes": "UPLOAD_MAX_BYTES",
    "prompt_max_seconds": "PROMPT_MAX_S",
    "voice_id_min_chars": "VOICE_ID_MIN",
    "voice_id_max_chars": "VOICE_ID_MAX",
    "preview_text_max_chars": "PREVIEW_TEXT_MAX",
    "speech_text_max_chars": "SPEECH_TEXT_MAX",
    "text_validation_max_chars": "TEXT_VALIDATION_MAX",
    "voice_lifetime_days": "VOICE_LIFETIME_DAYS",
    "speech_speed_min": "SPEED_MIN",
    "speech_speed_max": "SPEED_MAX",
    "speech_vol_max": "VOL_MAX",
    "speech_pitch_max_semitones": "PITCH_MAX",
    "patch_takes_max": "PATCH_VARIANTS_MAX",
    "pick_target_seconds": "PICK_TARGET_S",
}


def _setup_cfg() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    return config


def _repository_paths():
    """The checkout's paths as git lists them (tracked, or new and not ignored) that are on disk."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    paths = (ROOT / name for name in listed.split("\0") if name)
    return sorted(path for path in paths if path.is_symlink() or path.exists())


def _action_script(action: dict) -> Path:
    return PACKAGE / action["script"]


def test_the_version_is_the_manifest_version():
    assert voiceclone.__version__ == version.__version__ == MANIFEST["version"]
    headers = {script.name: reapack.headers(script) for script in install.SCRIPTS.glob("*.py")}
    versioned = {name: tags["version"] for name, tags in headers.items() if "version" in tags}
    assert set(versioned) == {Path(a["script"]).name for a in MANIFEST["actions"]}
    assert set(versioned.values()) == {MANIFEST["version"]}


def test_setup_cfg_takes_its_version_from_the_package():
    assert _setup_cfg()["metadata"]["version"] == "attr: voiceclone.version.__version__"


def test_the_package_reads_the_one_manifest_and_the_wheel_ships_it(tmp_path):
    """The top-level manifest.yaml is read from a checkout and copied into the built package."""
    assert MANIFEST_FILE.is_file() and not MANIFEST_FILE.is_symlink()
    assert Path(version.MANIFEST_PATH).read_bytes() == MANIFEST_FILE.read_bytes()
    assert manifest.load() == MANIFEST
    source = tmp_path / "source"  # a clean copy: an old build/ folder beside the checkout must not leak in
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "tests"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("voiceclone/manifest.yaml") == MANIFEST_FILE.read_bytes()
        shipped = {name for name in archive.namelist() if name.startswith("voiceclone/hosts/reaper/scripts/")}
    assert {Path(name).name for name in shipped} == {p.name for p in install.SCRIPTS.glob("*.py")}


def test_the_repository_holds_one_manifest_and_no_symlinks():
    """A Windows checkout turns a symlink into a text file holding its target."""
    paths = _repository_paths()
    assert [path for path in paths if path.name == "manifest.yaml"] == [MANIFEST_FILE]
    assert [str(path.relative_to(ROOT)) for path in paths if path.is_symlink()] == []


def test_providers_agree():
    assert MANIFEST["providers"] == PROVIDERS
    assert MANIFEST["default_provider"] == DEFAULT_PROVIDER


def test_limits_agree():
    limits = MANIFEST["limits"]
    assert set(limits) == set(LIMITS)
    for key, name in LIMITS.items():
        value = getattr(rules, name)
        assert (list(value) if isinstance(value, tuple) else value) == limits[key], key
    numeric = {
        name
        for name, value in vars(rules).items()
        if name.isupper() and isinstance(value, (int, float)) and not isinstance(value, bool)
    }
    assert numeric == set(LIMITS.values()) - {"CLONE_FORMATS"}, "every limit rules.py enforces is in the manifest"


def test_the_checks_enforce_the_manifest_limits():
    limits = MANIFEST["limits"]
    for length in (limits["voice_id_min_chars"], limits["voice_id_max_chars"]):
        rules.check_voice_id("V" + "1" * (length - 1))
    for length in (limits["voice_id_min_chars"] - 1, limits["voice_id_max_chars"] + 1):
        with pytest.raises(InputError):
            rules.check_voice_id("V" + "1" * (length - 1))
    rules.check_duration(limits["clone_min_seconds"])
    with pytest.raises(AudioError):
        rules.check_duration(limits["clone_min_seconds"] - 0.01)
    rules.check_preview("a" * limits["preview_text_max_chars"], None)
    with pytest.raises(InputError):
        rules.check_preview("a" * (limits["preview_text_max_chars"] + 1), None)
    rules.check_text_validation("a" * limits["text_validation_max_chars"], None)
    with pytest.raises(InputError):
        rules.check_text_validation("a" * (limits["text_validation_max_chars"] + 1), None)


def test_manifest_names_the_plugin_and_its_hosts():
    assert MANIFEST["id"] == _setup_cfg()["metadata"]["name"]
    daws = {module.name for module in pkgutil.iter_modules(hosts.__path__) if module.ispkg}
    assert sorted(host["id"] for host in MANIFEST["hosts"]) == sorted(daws | {"cli"})


def test_every_action_is_a_shipped_script_whose_headers_agree():
    ids = []
    for action in MANIFEST["actions"]:
        script = _action_script(action)
        assert script.is_file() and script.parent.resolve() == install.SCRIPTS.resolve()
        assert install.SCRIPTS.name == MANIFEST["reapack"]["category"]
        tags = reapack.headers(script)
        assert tags["description"] == action["title"]
        assert tags["version"] == MANIFEST["version"]
        assert re.search(rf'_bootstrap\.run\("{action["id"]}", globals\(\)\)', script.read_text(encoding="utf-8"))
        ids.append(action["id"])
    assert sorted(ids) == sorted(actions.ACTIONS)


def test_reaper_registers_each_action_under_its_title(tmp_path):
    """``voiceclone reaper install`` writes the Action List names; the Register actions script adds
    the same scripts when REAPER was open."""
    titles = sorted(action["title"] for action in MANIFEST["actions"])
    resource = tmp_path / "REAPER"
    resource.mkdir()
    install.install(resource, python="python3")
    keymap = (resource / "reaper-kb.ini").read_text(encoding="utf-8")
    registered = re.findall(r'^SCR 4 0 RS[0-9a-f]{40} "Custom: (.+)\.py" "VoiceClone/\1\.py"$', keymap, re.MULTILINE)
    assert sorted(name.replace(" - ", ": ", 1) for name in registered) == titles
    register = (install.SCRIPTS / install.REGISTER_SCRIPT).read_text(encoding="utf-8")
    pattern = re.search(r'os\.path\.join\(_folder, "([^"]+)"\)', register).group(1)
    added = {
        path.name
        for path in install.SCRIPTS.glob("*.py")
        if fnmatch.fnmatch(path.name, pattern) and path.name != install.REGISTER_SCRIPT
    }
    assert added == {_action_script(action).name for action in MANIFEST["actions"]}


def test_the_distribution_has_a_name_of_its_own_and_installs_the_voiceclone_command():
    from importlib.metadata import distribution

    assert _setup_cfg()["metadata"]["name"] == "voice-tone-quick-clone", "`voiceclone` on PyPI is another project"
    installed = distribution("voice-tone-quick-clone")
    assert installed.version == MANIFEST["version"]
    assert any(e.name == "voiceclone" and e.value == "voiceclone.launch:run" for e in installed.entry_points)
