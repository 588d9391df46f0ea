"""manifest.yaml is the single source of the version; the code's providers and limits agree with it."""
import configparser
from pathlib import Path

import yaml

import voiceclone
from voiceclone import rules
from voiceclone.settings import DEFAULT_PROVIDER, PROVIDERS

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = yaml.safe_load((ROOT / "manifest.yaml").read_text())


def test_the_installed_version_is_the_manifest_version():
    assert voiceclone.__version__ == MANIFEST["version"]


def test_setup_cfg_takes_its_version_from_the_package():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    assert config["metadata"]["version"] == "attr: voiceclone.version.__version__"


def test_the_packaged_manifest_is_the_top_level_one():
    packaged = Path(voiceclone.__file__).with_name("manifest.yaml")
    assert yaml.safe_load(packaged.read_text()) == MANIFEST


def test_providers_agree():
    assert PROVIDERS == MANIFEST["providers"]
    assert DEFAULT_PROVIDER == MANIFEST["default_provider"]


def test_limits_agree():
    limits = MANIFEST["limits"]
    assert list(rules.CLONE_FORMATS) == limits["clone_formats"]
    assert rules.CLONE_MIN_S == limits["clone_min_seconds"]
    assert rules.CLONE_MAX_S == limits["clone_max_seconds"]
    assert rules.UPLOAD_MAX_BYTES == limits["upload_max_bytes"]
    assert rules.PROMPT_MAX_S == limits["prompt_max_seconds"]
    assert rules.VOICE_ID_MIN == limits["voice_id_min_chars"]
    assert rules.VOICE_ID_MAX == limits["voice_id_max_chars"]
    assert rules.PREVIEW_TEXT_MAX == limits["preview_text_max_chars"]
    assert rules.SPEECH_TEXT_MAX == limits["speech_text_max_chars"]
    assert rules.TEXT_VALIDATION_MAX == limits["text_validation_max_chars"]
    assert rules.VOICE_LIFETIME_DAYS == limits["voice_lifetime_days"]
    assert set(limits) == {"clone_formats", "clone_min_seconds", "clone_max_seconds", "upload_max_bytes",
                           "prompt_max_seconds", "voice_id_min_chars", "voice_id_max_chars", "preview_text_max_chars",
                           "speech_text_max_chars", "text_validation_max_chars", "voice_lifetime_days"}


def test_manifest_names_the_plugin_and_its_hosts():
    assert MANIFEST["id"] == "voice-tone-quick-clone"
    assert {host["id"] for host in MANIFEST["hosts"]} == {"cli", "reaper", "audacity"}
    assert isinstance(MANIFEST["actions"], list)


def test_the_distribution_has_a_name_of_its_own_and_installs_the_voiceclone_command():
    from importlib.metadata import distribution

    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    assert config["metadata"]["name"] == "voice-tone-quick-clone", "`voiceclone` on PyPI is another project"
    installed = distribution("voice-tone-quick-clone")
    assert installed.version == MANIFEST["version"]
    assert any(e.name == "voiceclone" and e.value == "voiceclone.cli:main" for e in installed.entry_points)
