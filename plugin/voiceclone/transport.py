"""HTTP/1.1 for the MiniMax client, on the standard library's :mod:`http.client`.

What the client needs and nothing more (requests cost 50-80 ms to import, more than a speech's
whole call on loopback):

- one kept-alive connection per scheme, host and port; one the server closed while idle is dropped
  before it is used, so no request goes down a dead socket;
- a connect timeout for the TCP connection, a proxy's tunnel and the TLS handshake, then a read
  timeout for every wait on the socket;
- https through a proxy by CONNECT (:class:`voiceclone.proxy.Proxy`, from ``HTTPS_PROXY``/``NO_PROXY`` or the
  system's settings); loopback never goes through one;
- TLS verified against the system's certificates plus certifi's bundle where it is installed, or
  only the bundle a user names (``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``);
- bodies as bytes or a file-like object with a length, streamed; answers read whole or in chunks.
  ``Accept-Encoding: identity`` is asked for; a gzip or deflate answer is decoded all the same.

Every failure is one of the :class:`TransportError` classes below: after :class:`NotConnected`,
:class:`ConnectTimeout` and :class:`TLSFailure` the request never left; after the others it may have
reached the server. Nothing here knows the API, and no header value is ever in a message.
"""

import http.client
import os
import select
import socket
import ssl  # http.client has loaded it already
import zlib
from functools import cache
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import SplitResult, quote, urlsplit

from .proxy import Proxy

Timeout = Tuple[float, float]
REDIRECTS = frozenset({301, 302, 303, 307, 308})
#: Bytes written or read per system call for bodies.
BLOCK = 1 << 16


class TransportError(Exception):
    """A request that got no whole answer; ``proxy``: the proxy it went through (``host:port``), if any."""

    def __init__(self, message: str, *, proxy: Optional[str] = None):
        super().__init__(message)
        self.proxy = proxy


class NotConnected(TransportError):
    """No connection came about (refused, unreachable, a name that does not resolve, a proxy that
    refused the tunnel): the request never left."""


class ConnectTimeout(TransportError):
    """The connection, the proxy's tunnel or the TLS handshake took longer than the connect timeout."""


class TLSFailure(TransportError):
    """The secure connection could not be made (a certificate not trusted, a handshake refused)."""


class ReadTimeout(TransportError):
    """The server took longer than the read timeout to answer, or to go on answering."""


class ConnectionBroken(TransportError):
    """The connection broke after the request began, before the answer's head arrived."""


class AnswerCutOff(TransportError):
    """The answer's body ended early or could not be decoded."""


class Response:
    """An answer whose head has arrived. Its body is read by :meth:`read` or :meth:`chunks`; use it
    as a context manager (or :meth:`close`) so a connection whose body was left unread is not reused."""

    def __init__(self, answer: http.client.HTTPResponse, release):
        self.status = answer.status
        self.headers = answer.headers
        self._answer: Optional[http.client.HTTPResponse] = answer
        self._release = release
        encoding = (answer.headers.get("Content-Encoding") or "").strip().lower()
        self._decoder = zlib.decompressobj(47) if encoding in ("gzip", "x-gzip", "deflate") else None

    @property
    def is_redirect(self) -> bool:
        return self.status in REDIRECTS and "Location" in self.headers

    def chunks(self, size: int = BLOCK) -> Iterator[bytes]:
        """The body's bytes, decoded, as they arrive."""
        while True:
            raw = self._read(size)
            if not raw:
                break
            data = self._decode(raw)
            if data:
                yield data
        if self._decoder is not None:
            tail = self._decoder.flush()
            if tail:
                yield tail
        self._finish()

    def read(self, limit: Optional[int] = None) -> bytes:
        """The whole body, or its first ``limit`` bytes (the rest left unread)."""
        got: List[bytes] = []
        size = 0
        for chunk in self.chunks():
            got.append(chunk)
            size += len(chunk)
            if limit is not None and size >= limit:
                break
        data = b"".join(got)
        return data if limit is None else data[:limit]

    def close(self) -> None:
        """Done with it: the connection is reused only if the whole body was read."""
        if self._answer is not None:
            self._answer.close()
            self._answer = None
            self._release(False)

    def __enter__(self) -> "Response":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _read(self, size: int) -> bytes:
        if self._answer is None:
            return b""
        try:
            data = self._answer.read(size)
            if not data and self._answer.length:  # http.client ends a short Content-Length body quietly
                raise http.client.IncompleteRead(b"", self._answer.length)
            return data
        except socket.timeout as exc:
            self.close()
            raise ReadTimeout("the answer stopped arriving") from exc
        except (http.client.HTTPException, OSError, ValueError) as exc:
            self.close()
            raise AnswerCutOff(_reason(exc)) from exc

    def _decode(self, raw: bytes) -> bytes:
        if self._decoder is None:
            return raw
        try:
            return self._decoder.decompress(raw)
        except zlib.error as exc:
            self.close()
            raise AnswerCutOff(f"the compressed answer could not be decoded ({exc})") from exc

    def _finish(self) -> None:
        if self._answer is not None:
            reusable = not self._answer.will_close
            self._answer.close()
            self._answer = None
            self._release(reusable)


class Transport:
    """Requests to any number of hosts, a connection kept for each. Not for sharing between threads."""

    def __init__(self, *, user_agent: str, proxy: Optional[Proxy] = None, ca_bundle: Optional[str] = None):
        self._user_agent, self._proxy, self._ca_bundle = user_agent, proxy, ca_bundle
        self._idle: Dict[Tuple[str, str, int], http.client.HTTPConnection] = {}

    def request(
        self, method: str, url: str, *, headers: Dict[str, str], body: Any = None, timeout: Timeout
    ) -> Response:
        """Send the request; return once the answer's head is in. Raises :class:`TransportError`."""
        parts = urlsplit(url)
        key = _where(parts)
        conn = self._idle.pop(key, None)
        if conn is not None and _dropped(conn):
            conn.close()
            conn = None
        if conn is None:
            conn = self._connect(*key, timeout)
        assert conn.sock is not None
        conn.sock.settimeout(timeout[1])  # this request's own, on a kept connection too
        target = _quoted(parts.path or "/") + (f"?{_quoted(parts.query)}" if parts.query else "")
        sent = {"User-Agent": self._user_agent, "Accept-Encoding": "identity", **headers}
        if body is not None and "Content-Length" not in sent:
            sent["Content-Length"] = str(len(body))
        try:
            conn.request(method, target, body=body, headers=sent)
            answer = conn.getresponse()
        except socket.timeout as exc:
            conn.close()
            raise ReadTimeout("no answer came in time") from exc
        except (http.client.HTTPException, OSError) as exc:
            conn.close()
            raise ConnectionBroken(_reason(exc)) from exc

        def release(reusable: bool) -> None:
            if reusable:
                self._idle[key] = conn
            else:
                conn.close()

        return Response(answer, release)

    def open(self, url: str, *, connect_s: float) -> None:
        """Connect to ``url``'s host now (through the proxy, and the TLS handshake, as a request
        would), for the next request there to use. Raises :class:`TransportError`."""
        key = _where(urlsplit(url))
        if key not in self._idle:
            self._idle[key] = self._connect(*key, (connect_s, connect_s))

    def close(self) -> None:
        for conn in self._idle.values():
            conn.close()
        self._idle.clear()

    def _connect(self, scheme: str, host: str, port: int, timeout: Timeout) -> http.client.HTTPConnection:
        connect_s = timeout[0]
        tunnel = self._proxy if self._proxy is not None and self._proxy.applies_to(host, port) else None
        at = (tunnel.host, tunnel.port) if tunnel else (host, port)
        conn: http.client.HTTPConnection
        if scheme == "https":
            conn = http.client.HTTPSConnection(*at, timeout=connect_s, context=_tls_context(self._ca_bundle))
        else:
            conn = http.client.HTTPConnection(*at, timeout=connect_s)
        conn.blocksize = BLOCK
        if tunnel:
            conn.set_tunnel(host, port, headers=tunnel.headers)
        proxy = f"{tunnel.host}:{tunnel.port}" if tunnel else None
        try:
            conn.connect()
        except socket.timeout as exc:
            conn.close()
            raise ConnectTimeout("connecting took too long", proxy=proxy) from exc
        except ssl.SSLError as exc:
            conn.close()
            raise TLSFailure(_tls_why(exc), proxy=proxy) from exc
        except OSError as exc:
            conn.close()
            why = _why_not(exc)
            raise NotConnected(f"through the proxy {proxy}, {why}" if proxy else why, proxy=proxy) from exc
        return conn


def _where(parts: SplitResult) -> Tuple[str, str, int]:
    """The scheme, host and port a connection is kept for."""
    scheme, host = parts.scheme, parts.hostname or ""
    try:
        return scheme, host, parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise NotConnected(f"the address {parts.netloc!r} has no port number that can be used") from None


@cache
def _tls_context(ca_bundle: Optional[str]) -> ssl.SSLContext:
    """The certificates to verify against, loaded once a process (a script's lines each have a
    client of their own, and loading certifi's bundle takes milliseconds); a context is safe to share
    between threads."""
    context = ssl.create_default_context(cafile=ca_bundle)
    bundle = None if ca_bundle else _certifi_bundle()
    if bundle:
        context.load_verify_locations(cafile=bundle)
    return context


def _certifi_bundle() -> Optional[str]:
    """certifi's cacert.pem, found without importing certifi (which loads importlib.resources)."""
    from importlib.util import find_spec

    spec = find_spec("certifi")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], "cacert.pem")
    return path if os.path.isfile(path) else None


def _dropped(conn: http.client.HTTPConnection) -> bool:
    """Whether an idle connection was closed by the server: a readable idle socket is at its end
    (or holds bytes nobody asked for)."""
    sock = conn.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _quoted(text: str) -> str:
    """A URL's path or query as it may go on the wire: what is already escaped stays as it is, a
    space or a letter beyond ASCII (a storage URL with a file name in it) is escaped."""
    return quote(text, safe="!#$%&'()*+,/:;=?@[]~")


def _tls_why(exc: ssl.SSLError) -> str:
    """Why a secure connection failed, in words."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"its certificate is not trusted ({exc.verify_message})"
    if exc.reason == "WRONG_VERSION_NUMBER":  # the answer was not TLS at all
        return "it does not answer in TLS (is it an http:// address?)"
    return _reason(exc)


def _why_not(exc: OSError) -> str:
    """Why a connection did not come about, in words."""
    if isinstance(exc, ConnectionRefusedError):
        return "the connection was refused (is the server running?)"
    if isinstance(exc, socket.gaierror):
        return "the name does not resolve"
    text = str(exc)
    if text.startswith("Tunnel connection failed: "):  # http.client's words for a refused CONNECT
        return f"the proxy refused the tunnel ({text.split(': ', 1)[1]})"
    return _reason(exc)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, http.client.IncompleteRead):
        return f"the answer ended after {len(exc.partial)} bytes"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    text = str(exc) or type(exc).__name__
    return text if len(text) < 160 else text[:157] + "..."
