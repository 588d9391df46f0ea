"""Configuration from the environment and flags: providers, base URLs, the key, the presets path."""

from pathlib import Path

import pytest

from voiceclone.errors import InputError
from voiceclone.settings import ApiKey, Settings


@pytest.mark.parametrize(
    "provider, url",
    [
        ("minimax-global", "https://api.minimax.io"),
        ("minimax-cn", "https://api.minimaxi.com"),
        ("kkiai", "https://www.kkiai.com/minimax"),
    ],
)
def test_named_providers_pick_their_base_url(provider, url, tmp_path):
    assert Settings.from_env({}, provider=provider, presets=str(tmp_path / "p.yaml")).base_url == url


def test_the_default_is_the_global_host_and_the_environment_can_change_it(tmp_path):
    presets = str(tmp_path / "p.yaml")
    assert Settings.from_env({}, presets=presets).base_url == "https://api.minimax.io"
    assert (
        Settings.from_env({"MINIMAX_BASE_URL": "https://api.minimaxi.com/v1/"}, presets=presets).base_url
        == "https://api.minimaxi.com"
    )
    assert (
        Settings.from_env(
            {"MINIMAX_BASE_URL": "https://a.example"}, base_url="https://b.example", presets=presets
        ).base_url
        == "https://b.example"
    )


@pytest.mark.parametrize(
    "url, words",
    [
        ("http://api.minimax.io", "plain http, which would send the API key unencrypted"),
        ("ftp://api.minimax.io", "is not an http(s) URL"),
        ("api.minimax.io", "is not an http(s) URL"),
        ("https://api.minimax.io:443x", "has a port that is not a number from 0 to 65535"),
        ("https://api.minimax.io:70000", "has a port that is not a number from 0 to 65535"),
    ],
)
def test_unsafe_or_broken_base_urls_are_refused(url, words, tmp_path):
    with pytest.raises(InputError, match=words.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_env({}, base_url=url, presets=str(tmp_path / "p.yaml"))


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "127.3.2.1"])
def test_plain_http_is_allowed_on_loopback_for_the_sandbox(host, tmp_path):
    assert Settings.from_env({}, base_url=f"http://{host}:8765", presets=str(tmp_path / "p.yaml")).base_url.startswith(
        "http://"
    )


def test_provider_and_base_url_together_are_refused(tmp_path):
    with pytest.raises(InputError, match="either --provider or --base-url"):
        Settings.from_env({}, provider="kkiai", base_url="https://x.example", presets=str(tmp_path / "p.yaml"))


def test_the_presets_path_comes_from_the_flag_then_the_environment_then_the_user_data_folder(tmp_path):
    assert Settings.from_env({"VOICECLONE_PRESETS": "/a.yaml"}, presets="/b.yaml").presets_path == Path("/b.yaml")
    assert Settings.from_env({"VOICECLONE_PRESETS": "/a.yaml"}).presets_path == Path("/a.yaml")
    default = Settings.from_env({}).presets_path
    assert default.name == "presets.yaml" and "voiceclone" in str(default)


@pytest.mark.parametrize(
    "value, words", [("", "empty"), ("ab cd", "spaces or line breaks"), ("ab\ncd", "spaces or line breaks")]
)
def test_a_malformed_key_is_refused_without_showing_it(value, words):
    with pytest.raises(InputError, match=words) as caught:
        ApiKey(value + " " if value else value)
    assert value.strip() == "" or value not in str(caught.value)


def test_a_missing_key_says_how_to_set_it(tmp_path):
    with pytest.raises(InputError, match="MINIMAX_API_KEY is not set") as caught:
        Settings.from_env({}, presets=str(tmp_path / "p.yaml")).require_key()
    assert "never taken as a flag" in caught.value.fix


def test_patience_settings_are_read_and_checked(tmp_path):
    settings = Settings.from_env(
        {"VOICECLONE_TIMEOUT": "30", "VOICECLONE_RETRIES": "2", "VOICECLONE_BACKOFF": "0.5"},
        presets=str(tmp_path / "p.yaml"),
    )
    assert (settings.read_timeout, settings.max_attempts, settings.backoff_s) == (30.0, 2, 0.5)
    with pytest.raises(InputError, match="VOICECLONE_RETRIES=99 is outside 1 to 10"):
        Settings.from_env({"VOICECLONE_RETRIES": "99"}, presets=str(tmp_path / "p.yaml"))
