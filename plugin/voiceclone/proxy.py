"""The proxy a request goes through: its address, its credentials and the hosts that bypass it.

Read from ``HTTPS_PROXY`` (or ``ALL_PROXY``) and ``NO_PROXY`` by :mod:`voiceclone.settings`; used by
:mod:`voiceclone.transport`, which tunnels through it with CONNECT. Only an ``http://`` proxy is
taken (the usual kind; the tunnel inside it is TLS all the same). Loopback never goes through one.
"""

import base64
import ipaddress
from typing import Dict
from urllib.parse import unquote, urlsplit

from .settings import is_loopback


class Proxy:
    """The https proxy to go through, and the hosts that bypass it (``NO_PROXY`` syntax: names,
    ``.domain`` suffixes, ``*``, IP addresses and CIDR blocks, each with an optional ``:port``)."""

    def __init__(self, url: str, no_proxy: str = ""):
        parts = urlsplit(url if "://" in url else "http://" + url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"it is not an http:// proxy address (it begins '{parts.scheme}://')")
        try:
            port = parts.port
        except ValueError:
            raise ValueError("its port is not a number from 1 to 65535") from None
        self.host, self.port = parts.hostname, port or 80  # requests' default for an http:// proxy
        self.headers: Dict[str, str] = {}
        if parts.username is not None:
            credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            self.headers["Proxy-Authorization"] = "Basic " + base64.b64encode(credentials).decode()
        self._bypass = [entry.strip().lower() for entry in no_proxy.split(",") if entry.strip()]

    def __repr__(self) -> str:  # never the credentials
        return f"Proxy({self.host}:{self.port})"

    def applies_to(self, host: str, port: int) -> bool:
        """False for loopback and for a host ``NO_PROXY`` names."""
        host = host.lower().strip("[]")
        if is_loopback(host):
            return False
        for entry in self._bypass:
            if entry == "*":
                return False
            name, _, only_port = entry.rpartition(":") if _has_port(entry) else (entry, "", "")
            if only_port and only_port != str(port):
                continue
            name = name.lstrip(".").strip("[]")
            if host == name or host.endswith("." + name) or _in_network(host, name):
                return False
        return True


def _has_port(entry: str) -> bool:
    """Whether a NO_PROXY entry ends in ``:port`` (an IPv6 address has colons of its own)."""
    head, colon, tail = entry.rpartition(":")
    return bool(colon) and tail.isdigit() and (head.endswith("]") or ":" not in head)


def _in_network(host: str, entry: str) -> bool:
    if "/" not in entry:
        return False
    try:
        return ipaddress.ip_address(host) in ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False
