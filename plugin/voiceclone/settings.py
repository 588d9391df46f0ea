"""Configuration, read in one place from an explicit mapping (normally ``os.environ``).

``MINIMAX_API_KEY``      the key; never a command-line flag, never printed
``MINIMAX_BASE_URL``     the API's base URL (or ``--base-url``, or a named ``--provider``)
``VOICECLONE_PRESETS``   the presets YAML file (or ``--presets``)
``VOICECLONE_LEDGER``    the clone ledger (default: ``clone-ledger.jsonl`` in the user data folder)
``VOICECLONE_TIMEOUT``   seconds to wait for an answer (default 180; the clone can take a minute)
``VOICECLONE_RETRIES``   attempts per request for retryable failures (default 4)
``VOICECLONE_BACKOFF``   first backoff delay in seconds, doubled each retry (default 1)
``VOICECLONE_RATE_WINDOW``  the seconds a per-minute limit counts over (default 60; tests shorten it)
``VOICECLONE_REQUIRE_CONSENT``  ``1``: refuse to clone without a consent record
``HTTPS_PROXY``, ``NO_PROXY``  the http:// proxy to reach MiniMax through, and hosts to reach directly
                       (without one: the system's proxy on Windows and macOS); never for loopback
``REQUESTS_CA_BUNDLE`` (or ``CURL_CA_BUNDLE``)  the only certificates to trust (a company's own
                       authority); without it, the system's and certifi's
"""

import ipaddress
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from .errors import InputError
from .providers import DEFAULT_PROVIDER, PROVIDERS

if TYPE_CHECKING:
    from .proxy import Proxy


class ApiKey:
    """The API key. Its ``repr`` and ``str`` never show it; only :meth:`header` does."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        value = value.strip()
        if not value:
            raise InputError("MINIMAX_API_KEY is empty", fix="Export your MiniMax API key as MINIMAX_API_KEY.")
        if any(c.isspace() or ord(c) < 32 for c in value):
            raise InputError(
                "MINIMAX_API_KEY contains spaces or line breaks",
                fix="Copy the key again from the MiniMax console, without quotes or spaces.",
            )
        if not value.isascii() or "\x7f" in value:  # an HTTP header carries only these
            raise InputError(
                "MINIMAX_API_KEY contains characters that are not plain ASCII (a typographic quote or "
                "dash, an accent?)",
                fix="Copy the key again from the MiniMax console, as plain text.",
            )
        self._value = value

    def header(self) -> str:
        return f"Bearer {self._value}"

    def __repr__(self) -> str:
        return "ApiKey(***)"

    __str__ = __repr__


def is_loopback(host: Optional[str]) -> bool:
    """True for localhost and 127.0.0.0/8 or ::1 addresses."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """Return ``url`` without a trailing slash or ``/v1``; https only, except on loopback."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InputError(
            f"base URL '{url}' is not an http(s) URL",
            fix="Use --provider, or a base URL such as https://api.minimax.io.",
        )
    try:
        _ = parts.port  # urlsplit checks it only when asked
    except ValueError:
        raise InputError(
            f"base URL '{url}' has a port that is not a number from 0 to 65535",
            fix="Write it as https://host or https://host:port.",
        ) from None
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InputError(
            f"base URL '{url}' is plain http, which would send the API key unencrypted",
            fix="Use its https:// address; plain http is only for a sandbox on this machine.",
        )
    base = url.strip().rstrip("/")
    return base[:-3] if base.endswith("/v1") else base


def user_data_folder() -> Path:
    """The plugin's folder in the user's data folder (presets, ledger, recovered voices)."""
    from platformdirs import user_data_dir  # only needed when no path is given

    return Path(user_data_dir("voiceclone", appauthor=False))


def default_presets_path() -> Path:
    """``presets.yaml`` in the user data folder: where presets live when no path is given."""
    return user_data_folder() / "presets.yaml"


@dataclass(frozen=True)
class Settings:
    """Everything a job needs to know about where and how to talk to MiniMax."""

    api_key: Optional[ApiKey]
    base_url: str
    presets_path: Path
    connect_timeout: float = 10.0
    read_timeout: float = 180.0
    max_attempts: int = 4
    backoff_s: float = 1.0
    rate_window_s: float = 60.0
    retry_budget_s: float = 300.0
    require_consent: bool = False
    #: The clone ledger (:mod:`voiceclone.ledger`); None: ``clone-ledger.jsonl`` in the user data folder.
    ledger_path: Optional[Path] = None
    #: The proxy to reach https hosts through, if any.
    proxy: Optional["Proxy"] = None
    #: The only certificates to trust; None: the system's and certifi's.
    ca_bundle: Optional[str] = None

    @property
    def ledger(self) -> Path:
        return self.ledger_path or user_data_folder() / "clone-ledger.jsonl"

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str],
        *,
        base_url: Optional[str] = None,
        provider: Optional[str] = None,
        presets: Optional[str] = None,
    ) -> "Settings":
        """Build the settings; command-line values win over the environment."""
        if provider is not None and base_url is not None:
            raise InputError("give either --provider or --base-url, not both")
        if provider is not None:
            if provider not in PROVIDERS:
                raise InputError(f"unknown provider '{provider}'", fix=f"Use one of: {', '.join(PROVIDERS)}.")
            url = PROVIDERS[provider]
        else:
            url = base_url or env.get("MINIMAX_BASE_URL") or PROVIDERS[DEFAULT_PROVIDER]
        key = env.get("MINIMAX_API_KEY")
        path = presets or env.get("VOICECLONE_PRESETS")
        return cls(
            api_key=ApiKey(key) if key else None,
            base_url=check_base_url(url),
            presets_path=Path(path).expanduser() if path else default_presets_path(),
            read_timeout=_number(env, "VOICECLONE_TIMEOUT", 180.0, 1.0, 3600.0),
            max_attempts=int(_number(env, "VOICECLONE_RETRIES", 4, 1, 10)),
            backoff_s=_number(env, "VOICECLONE_BACKOFF", 1.0, 0.0, 60.0),
            rate_window_s=_number(env, "VOICECLONE_RATE_WINDOW", 60.0, 0.1, 3600.0),
            require_consent=env.get("VOICECLONE_REQUIRE_CONSENT", "").strip().lower() in ("1", "true", "yes"),
            ledger_path=Path(env["VOICECLONE_LEDGER"]).expanduser() if env.get("VOICECLONE_LEDGER") else None,
            proxy=_proxy(env),
            ca_bundle=_ca_bundle(env),
        )

    def require_key(self) -> ApiKey:
        """The key, or an error saying how to set it, raised before anything is sent."""
        if self.api_key is None:
            raise InputError(
                "MINIMAX_API_KEY is not set",
                fix="Export your MiniMax API key as MINIMAX_API_KEY (it is never taken as a flag).",
            )
        return self.api_key


def _first(env: Mapping[str, str], *names: str) -> Tuple[Optional[str], str]:
    """The first of ``names`` set (lower case before upper, as curl and requests read them)."""
    for name in names:
        for spelling in (name.lower(), name):
            if env.get(spelling, "").strip():
                return spelling, env[spelling].strip()
    return None, ""


def _proxy(env: Mapping[str, str]) -> Optional["Proxy"]:
    from .proxy import Proxy  # it imports this module

    name, url = _first(env, "HTTPS_PROXY", "ALL_PROXY")
    if name is None and sys.platform in ("win32", "darwin"):  # the system's settings
        from urllib.request import getproxies

        name, url = "the system's proxy setting", getproxies().get("https", "")
    if not url:
        return None
    try:
        return Proxy(url, _first(env, "NO_PROXY")[1])
    except ValueError as exc:  # the message never holds the address: it may carry a password
        raise InputError(
            f"{name} is set, but {exc}",
            fix=f"Set {name} to the proxy's address as http://host:port, or unset it.",
        ) from exc


def _ca_bundle(env: Mapping[str, str]) -> Optional[str]:
    name, path = _first(env, "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
    if name is None:
        return None
    path = os.path.expanduser(path)
    if not os.path.isfile(path):
        raise InputError(
            f"{name} names '{path}', which is not a file",
            fix=f"Point {name} at a PEM file of the certificates to trust, or unset it.",
        )
    return path


def _number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise InputError(
            f"{name}='{raw}' is not a number",
            fix=f"Set {name} to a number from {low:g} to {high:g}, or unset it (default {default:g}).",
        ) from exc
    if not low <= value <= high:
        raise InputError(
            f"{name}={raw} is outside {low:g} to {high:g}",
            fix=f"Set {name} to a number from {low:g} to {high:g}, or unset it (default {default:g}).",
        )
    return value
