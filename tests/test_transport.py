"""The HTTP layer under the MiniMax client, against real servers on loopback: kept-alive connections,
connections the server dropped, chunked and compressed answers, answers cut short, a CONNECT proxy
(with a password, refusing, bypassed), and TLS with a certificate the system does not trust."""

import base64
import gzip
import shutil
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from helpers import FAKE_KEY
from voiceclone.errors import InputError, ServiceError
from voiceclone.minimax import MiniMaxClient
from voiceclone.proxy import Proxy
from voiceclone.settings import ApiKey, Settings
from voiceclone.transport import AnswerCutOff, NotConnected, ReadTimeout, Transport

TIMEOUT = (5.0, 5.0)
VOICES = b'{"base_resp": {"status_code": 0, "status_msg": "success"}, "system_voice": [{"voice_id": "v"}]}'


class RawServer:
    """A loopback TCP server: each connection is handed to ``serve(conn, number)``; it counts them."""

    def __init__(self, serve):
        self.connections = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._serve = serve
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn, self.connections), daemon=True).start()

    def close(self):
        self._sock.close()


def _read_request(conn) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0
    )
    while len(rest) < length:
        rest += conn.recv(65536)
    return head


def _answer(conn, body: bytes, extra: bytes = b"") -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n" % (len(body), extra) + body)


def _keep_alive(conn, number):
    """Answer every request on the connection, as a server that keeps connections does."""
    while _read_request(conn):
        _answer(conn, VOICES)
    conn.close()


def _get(transport, server, limit=None, timeout=TIMEOUT) -> bytes:
    with transport.request("GET", f"http://127.0.0.1:{server.port}/", headers={}, timeout=timeout) as resp:
        return resp.read(limit)


def test_requests_to_one_host_share_one_kept_alive_connection():
    server, transport = RawServer(_keep_alive), Transport(user_agent="t")
    try:
        assert [_get(transport, server) for _ in range(3)] == [VOICES] * 3
    finally:
        transport.close()
        server.close()
    assert server.connections == 1


def test_an_answer_left_unread_closes_its_connection():
    server, transport = RawServer(_keep_alive), Transport(user_agent="t")
    try:
        assert [_get(transport, server, 10) for _ in range(2)] == [VOICES[:10]] * 2
    finally:
        server.close()
    assert server.connections == 2 and transport._idle == {}


def test_a_connection_the_server_closed_while_idle_is_not_reused():
    """The server answers as if it kept the connection, then closes it once it has been idle a moment
    (as servers do after their keep-alive time): the next request must go out on a new connection,
    not fail on the dead one."""
    heads, closed = [], threading.Event()

    def serve(conn, number):
        heads.append(_read_request(conn))
        _answer(conn, VOICES)
        time.sleep(0.05)
        conn.close()
        closed.set()

    server = RawServer(serve)
    transport = Transport(user_agent="t")
    try:
        for _ in range(2):
            with transport.request(
                "POST", f"http://127.0.0.1:{server.port}/v1/get_voice", headers={}, body=b"{}", timeout=TIMEOUT
            ) as resp:
                assert resp.read() == VOICES
            assert closed.wait(5)
            time.sleep(0.05)
    finally:
        server.close()
    assert server.connections == 2 and len(heads) == 2


def test_a_chunked_answer_and_an_unasked_for_gzip_answer_are_decoded():
    heads = []

    def serve(conn, number):
        heads.append(_read_request(conn))
        if number == 1:
            half = len(VOICES) // 2
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (half, VOICES[:half], len(VOICES) - half, VOICES[half:])
            )
        else:
            _answer(conn, gzip.compress(VOICES), b"Content-Encoding: gzip\r\nConnection: close\r\n")
        conn.close()

    server = RawServer(serve)
    transport = Transport(user_agent="t")
    try:
        for _ in range(2):
            with transport.request("GET", f"http://127.0.0.1:{server.port}/", headers={}, timeout=TIMEOUT) as resp:
                assert resp.read() == VOICES
    finally:
        server.close()
    assert all(b"\r\nAccept-Encoding: identity" in head for head in heads)


def test_an_answer_shorter_than_its_content_length_is_cut_off():
    def serve(conn, number):
        _read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (len(VOICES) + 40) + VOICES)
        conn.close()

    server = RawServer(serve)
    try:
        with (
            pytest.raises(AnswerCutOff, match="ended after"),
            Transport(user_agent="t").request(
                "GET", f"http://127.0.0.1:{server.port}/", headers={}, timeout=TIMEOUT
            ) as resp,
        ):
            resp.read()
    finally:
        server.close()


class ConnectProxy:
    """An HTTP CONNECT proxy on loopback that resolves names of its own (``names``), so a request that
    arrives proves it went through the proxy; with ``password``, it asks for Basic credentials."""

    def __init__(self, names, password=None):
        self.names, self.password, self.heads = names, password, []
        self.server = RawServer(self._serve)
        self.url = f"http://127.0.0.1:{self.server.port}"

    def _serve(self, conn, number):
        head = _read_request(conn).decode("latin-1")
        self.heads.append(head)
        host, port = head.split()[1].rsplit(":", 1)
        wanted = "Basic " + base64.b64encode(f"editor:{self.password}".encode()).decode()
        if self.password and f"Proxy-Authorization: {wanted}" not in head:
            conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
            conn.close()
            return
        upstream = socket.create_connection((self.names[host], int(port)))
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")

        def pipe(source, sink):
            try:
                while True:
                    data = source.recv(65536)
                    if not data:
                        break
                    sink.sendall(data)
            except OSError:
                pass
            for side in (source, sink):
                try:
                    side.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        threading.Thread(target=pipe, args=(upstream, conn), daemon=True).start()
        pipe(conn, upstream)

    def close(self):
        self.server.close()


def _settings(base_url, tmp_path, **extra):
    return Settings(
        api_key=ApiKey(FAKE_KEY),
        base_url=base_url,
        presets_path=tmp_path / "p.yaml",
        read_timeout=5.0,
        max_attempts=1,
        **extra,
    )


def test_requests_go_through_the_proxy_with_its_credentials(sandbox, tmp_path):
    """The API's host name resolves only at the proxy: the answer could only have come through it."""
    proxy = ConnectProxy({"api.minimax.example": "127.0.0.1"}, password="p@ss word")
    port = sandbox.base_url.rsplit(":", 1)[1]
    through = Proxy(proxy.url.replace("http://", "http://editor:p%40ss%20word@"))
    try:
        with MiniMaxClient(_settings(f"http://api.minimax.example:{port}", tmp_path, proxy=through)) as client:
            assert client.voices()["system_voice"]
    finally:
        proxy.close()
    assert proxy.heads[0].startswith(f"CONNECT api.minimax.example:{port} HTTP/1.")
    assert "p@ss word" not in repr(through) and "editor" not in repr(through)


def test_a_proxy_refusing_the_tunnel_means_nothing_was_sent(sandbox, tmp_path):
    proxy = ConnectProxy({"api.minimax.example": "127.0.0.1"}, password="right")
    port = sandbox.base_url.rsplit(":", 1)[1]
    wrong = Proxy(proxy.url.replace("http://", "http://editor:wrong@"))
    try:
        settings = _settings(f"http://api.minimax.example:{port}", tmp_path, proxy=wrong)
        with MiniMaxClient(settings) as client, pytest.raises(ServiceError) as caught:
            client.voices()
    finally:
        proxy.close()
    assert "the proxy refused the tunnel (407 Proxy Authentication Required)" in str(caught.value)
    assert "Check HTTPS_PROXY" in caught.value.fix and "NO_PROXY=api.minimax.example" in caught.value.fix
    assert caught.value.response_lost is False and isinstance(caught.value.__cause__, NotConnected)
    assert sandbox.requests_seen() == []


def test_loopback_and_the_hosts_no_proxy_names_bypass_the_proxy():
    proxy = Proxy("http://proxy.corp:3128", "intranet.corp, .minimax.cn,10.0.0.0/8, api.example:8443,[::2]")
    assert (proxy.host, proxy.port) == ("proxy.corp", 3128)
    assert proxy.applies_to("api.minimax.io", 443)
    for host, port in [
        ("127.0.0.1", 8000),
        ("localhost", 80),
        ("::1", 80),
        ("intranet.corp", 443),
        ("api.minimax.cn", 443),
        ("minimax.cn", 443),
        ("10.2.3.4", 443),
        ("api.example", 8443),
        ("::2", 443),
    ]:
        assert not proxy.applies_to(host, port), host
    assert proxy.applies_to("api.example", 443), "the entry names port 8443 only"
    assert proxy.applies_to("notintranet.corp", 443)
    assert not Proxy("proxy:1", "*").applies_to("api.minimax.io", 443)
    assert Proxy("proxy.corp").port == 80


@pytest.mark.parametrize(
    "variable, value, words",
    [
        ("HTTPS_PROXY", "socks5://editor:secret@proxy:1080", "HTTPS_PROXY is set, but it is not an http:// proxy"),
        ("https_proxy", "http://editor:secret@proxy:port", "https_proxy is set, but its port is not a number"),
        ("ALL_PROXY", "https://editor:secret@proxy:443", "ALL_PROXY is set, but it is not an http:// proxy"),
        ("REQUESTS_CA_BUNDLE", "/no/such/bundle.pem", "REQUESTS_CA_BUNDLE names '/no/such/bundle.pem', which is not"),
    ],
)
def test_a_proxy_or_bundle_setting_that_cannot_work_is_refused_before_anything_is_sent(variable, value, words):
    with pytest.raises(InputError) as caught:
        Settings.from_env({"MINIMAX_API_KEY": FAKE_KEY, variable: value}, presets="p.yaml")
    assert words in str(caught.value)
    assert "secret" not in str(caught.value) + caught.value.fix


def test_a_sandbox_on_loopback_is_reached_directly_whatever_the_proxy(run, env):
    """A proxy that does not exist would fail every request; loopback never goes through it."""
    done = run("voices", "list", env_extra={"HTTPS_PROXY": "http://127.0.0.1:9", "ALL_PROXY": "http://127.0.0.1:9"})
    assert done.code == 0, done.err


@pytest.fixture
def tls_server(tmp_path):
    """A TLS server on 127.0.0.1 with a self-signed certificate, answering every POST as get_voice."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (tests/run installs it): no certificate can be made")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", str(len(VOICES)))
            self.end_headers()
            self.wfile.write(VOICES)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}", cert, seen
    server.shutdown()
    server.server_close()


def test_a_certificate_nobody_vouches_for_is_refused_and_nothing_is_sent(tls_server, tmp_path):
    url, cert, seen = tls_server
    with MiniMaxClient(_settings(url, tmp_path)) as client, pytest.raises(ServiceError) as caught:
        client.voices()
    assert f"the secure connection to {url[8:]} failed" in str(caught.value)
    assert "its certificate is not trusted (self" in str(caught.value)  # self-signed (OpenSSL 1.1: self signed)
    assert "REQUESTS_CA_BUNDLE" in caught.value.fix
    assert caught.value.response_lost is False and seen == []


def test_a_bundle_the_user_names_is_trusted(tls_server, tmp_path):
    url, cert, seen = tls_server
    settings = Settings.from_env(
        {"MINIMAX_API_KEY": FAKE_KEY, "MINIMAX_BASE_URL": url, "REQUESTS_CA_BUNDLE": str(cert)}, presets="p.yaml"
    )
    with MiniMaxClient(settings) as client:
        assert client.voices()["system_voice"] == [{"voice_id": "v"}]
    assert seen == ["/v1/get_voice"]


def test_a_url_with_spaces_or_letters_beyond_ascii_is_sent_escaped_and_an_escaped_one_as_it_is():
    heads = []

    def serve(conn, number):
        heads.append(_read_request(conn))
        _answer(conn, b"ok", b"Connection: close\r\n")
        conn.close()

    server = RawServer(serve)
    transport = Transport(user_agent="t")
    try:
        for path in ("/previews/Café take 1.mp3?sig=a%2Bb&x=1", "/already%20escaped.mp3"):
            url = f"http://127.0.0.1:{server.port}{path}"
            with transport.request("GET", url, headers={}, timeout=TIMEOUT) as resp:
                assert resp.read() == b"ok"
    finally:
        server.close()
    assert heads[0].startswith(b"GET /previews/Caf%C3%A9%20take%201.mp3?sig=a%2Bb&x=1 HTTP/1.1\r\n")
    assert heads[1].startswith(b"GET /already%20escaped.mp3 HTTP/1.1\r\n")


def test_https_to_a_server_that_speaks_plain_http_says_so(sandbox, tmp_path):
    url = sandbox.base_url.replace("http://", "https://")
    with MiniMaxClient(_settings(url, tmp_path)) as client, pytest.raises(ServiceError) as caught:
        client.voices()
    assert "it does not answer in TLS (is it an http:// address?)" in str(caught.value)
    assert caught.value.response_lost is False and sandbox.requests_seen() == []


def test_a_kept_connection_waits_only_as_long_as_each_request_allows():
    """The first request may wait long; the second, on the same connection, only its own 0.3 s."""

    def serve(conn, number):
        answered = 0
        while _read_request(conn):
            answered += 1
            if answered == 2:
                time.sleep(2)
            _answer(conn, VOICES)
        conn.close()

    server = RawServer(serve)
    transport = Transport(user_agent="t")
    url = f"http://127.0.0.1:{server.port}/"
    try:
        with transport.request("GET", url, headers={}, timeout=(5.0, 30.0)) as resp:
            resp.read()
        started = time.monotonic()
        with pytest.raises(ReadTimeout):
            transport.request("GET", url, headers={}, timeout=(5.0, 0.3))
        assert time.monotonic() - started < 1.5
    finally:
        server.close()
    assert server.connections == 1


def test_a_preview_url_with_a_port_that_is_not_a_number_is_a_failed_download(client_settings, tmp_path):
    with MiniMaxClient(client_settings) as client, pytest.raises(ServiceError) as caught:
        client.download("https://cdn.example:44x3/preview.mp3", tmp_path / "preview")
    assert "the preview download failed" in str(caught.value) and "no port number" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def client_settings(sandbox, tmp_path):
    return _settings(sandbox.base_url, tmp_path)


def test_a_connection_opened_early_sends_nothing_and_carries_the_first_request():
    """A clone opens its connection while its sample is checked: no byte goes out on it until the
    first request, which then needs no connection of its own."""
    heard = []

    def serve(conn, number):
        conn.settimeout(0.3)
        try:
            heard.append(conn.recv(1))  # what came before any request: nothing, within 0.3 s
        except socket.timeout:
            heard.append(b"")
        conn.settimeout(None)
        _keep_alive(conn, number)

    server, transport = RawServer(serve), Transport(user_agent="t")
    try:
        transport.open(f"http://127.0.0.1:{server.port}/v1", connect_s=5.0)
        deadline = time.monotonic() + 5
        while not heard and time.monotonic() < deadline:
            time.sleep(0.01)
        assert heard == [b""]
        assert _get(transport, server) == VOICES
    finally:
        transport.close()
        server.close()
    assert server.connections == 1


def test_an_early_connection_that_cannot_be_made_is_left_to_the_first_call_to_say(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]  # a port nobody listens on
    with MiniMaxClient(_settings(f"http://127.0.0.1:{closed}", tmp_path)) as client:
        client.connect()  # quietly
        with pytest.raises(ServiceError) as caught:
            client.voices()
    assert f"could not connect to 127.0.0.1:{closed}: the connection was refused" in str(caught.value)
