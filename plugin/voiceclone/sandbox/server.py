"""The sandbox's HTTP side: a threaded loopback server speaking the MiniMax API over HTTP/1.1.

Routes: the ``/v1`` API (Bearer auth, errors as HTTP 200 + ``base_resp``), and the sandbox's own
``/sandbox/...`` routes without auth: ``POST``/``DELETE /sandbox/faults``, ``GET /sandbox/requests``
and ``GET /sandbox/audio/<name>`` (the generated audio the API hands out as URLs).
"""

from __future__ import annotations

import json
import secrets
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional, Set, Tuple, cast
from urllib.parse import parse_qs, urlsplit

from . import faults as faults_module
from .multipart import parse_form
from .state import Context, Refusal, State, base_resp, error_body

#: path -> (method, State operation, how the request carries its parameters).
API_ROUTES = {
    "/v1/files/upload": ("POST", "upload_file", "form"),
    "/v1/files/list": ("GET", "list_files", "query"),
    "/v1/files/delete": ("POST", "delete_file", "json"),
    "/v1/voice_clone": ("POST", "voice_clone", "json"),
    "/v1/t2a_v2": ("POST", "t2a", "json"),
    "/v1/get_voice": ("POST", "get_voice", "json"),
    "/v1/delete_voice": ("POST", "delete_voice", "json"),
}
AUDIO_PREFIX = "/sandbox/audio/"
#: One request as :meth:`Sandbox.requests_seen` lists it (JSON values, keys as documented there).
RequestRecord = Dict[str, Any]
#: How often the serving loop checks for stop(); the default 0.5 s would slow every test's teardown.
SHUTDOWN_POLL_S = 0.05
_SERVER_ERROR_PAGE = (
    b"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n"
    b"<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
    b"</body>\r\n</html>\r\n"
)


class Sandbox:
    """A local MiniMax-compatible API with synthetic audio, for tests and the offline demo.

    Parameters
    ----------
    host, port : where to listen; port 0 picks a free port (read it from :attr:`base_url`).
    api_keys : None accepts any non-empty Bearer token; a collection accepts only those keys
        (others get 2049). A missing or malformed Authorization header gets 1004.
    audio_dir : keep generated audio as files there instead of in memory.
    clock : returns the time in seconds; replace it to age clones past their 7-day lifetime.
    log : called with one line per API request (never headers or keys); None keeps quiet.
    rate_limits : path -> (requests, window seconds): more requests to that path within any window
        are refused with 1002, as MiniMax's per-minute limits do (T2A: 60 a minute, reference §9).
        Tests shorten the window; :meth:`over_limit` counts the refusals.

    Tests read :attr:`state` (``state.files``, ``state.voices``) and :meth:`requests_seen`.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        api_keys: Optional[Iterable[str]] = None,
        audio_dir=None,
        clock: Callable[[], float] = time.time,
        log: Optional[Callable[[str], None]] = None,
        rate_limits: Optional[Dict[str, Tuple[int, float]]] = None,
    ):
        self.host = host
        self.port = port
        if isinstance(api_keys, str):
            api_keys = [api_keys]
        self.api_keys = None if api_keys is None else frozenset(api_keys)
        self.state = State(clock=clock, audio_dir=audio_dir)
        self.log = log
        self._faults = faults_module.Faults()
        self._limits = {path: faults_module.RateLimit(*limit) for path, limit in (rate_limits or {}).items()}
        self._seen: List[RequestRecord] = []
        self._seen_lock = threading.Lock()
        self._server: Optional[_Server] = None
        self._thread: Optional[threading.Thread] = None

    def start(self) -> Sandbox:
        """Listen and serve in a daemon thread; return self. Starting a running sandbox does nothing."""
        if self._server is None:
            self._server = _Server((self.host, self.port), self)
            self._thread = threading.Thread(
                target=self._server.serve_forever, args=(SHUTDOWN_POLL_S,), name="minimax-sandbox", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the listening socket and open connections. Safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` of the running sandbox, without a trailing slash or /v1."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running; call start() first")
        return self._server.base_url

    def add_fault(
        self,
        kind: str,
        *,
        path: Optional[str] = None,
        times: int = 1,
        seconds: float = 0.0,
        code: Optional[int] = None,
        after: int = 0,
    ) -> None:
        """Fail the next ``times`` /v1 requests to ``path`` (None: any) in the way ``kind`` names.

        Kinds: ``rate_limit`` (code 1002), ``code`` (base_resp ``code``), ``server_error`` (HTTP 503,
        or ``code``, with an HTML body), ``http_status`` (HTTP ``code``, JSON without base_resp): all
        without doing the work. These do the work (the voice is made) and then fail to say so:
        ``drop`` closes the connection without an answer; ``cut`` sends half the answer's body and
        closes; ``late`` waits ``seconds`` before answering
        (past a client's timeout); ``after_work`` answers the failure ``code`` names, an HTTP 5xx
        page for 500-599, else that base_resp code (1001, 1013...). ``slow`` waits ``seconds``, then
        works and answers. ``damaged_audio`` does the work, but the audio it hands out (preview or
        speech) keeps only its first 12 bytes, zeros after them. ``path="/sandbox/audio/"`` slows or
        drops the download of served audio. ``after`` lets that many matching requests through
        first. Raise ValueError for a bad fault.
        """
        self._faults.add(
            faults_module.make_fault(kind, path=path, times=times, seconds=seconds, code=code, after=after)
        )

    def over_limit(self, path: str) -> int:
        """How many requests to ``path`` its rate limit refused."""
        limit = self._limits.get(path)
        return 0 if limit is None else limit.refused

    def clear_faults(self) -> None:
        """Forget every pending fault."""
        self._faults.clear()

    def requests_seen(self) -> List[RequestRecord]:
        """Every request outside /sandbox/, oldest first.

        Each is a dict with ``method``, ``path``, ``http_status`` (None when dropped),
        ``status_code`` (the base_resp code, None without one), ``trace_id``, ``fault`` (kind or
        None), and ``purpose``, ``voice_id`` or ``file_id`` when the request named them.
        """
        with self._seen_lock:
            return [dict(entry) for entry in self._seen]

    def accepts(self, key: str) -> bool:
        """Whether ``key`` is an API key this sandbox takes."""
        return self.api_keys is None or key in self.api_keys

    def _record(self, entry: RequestRecord) -> None:
        with self._seen_lock:
            self._seen.append(entry)
        if self.log is not None:
            words = [
                entry["method"],
                entry["path"],
                "->",
                "dropped" if entry["http_status"] is None else f"HTTP {entry['http_status']}",
            ]
            if entry["status_code"] is not None:
                words.append(f"code {entry['status_code']}")
            words += [
                f"{name}={entry[name]}"
                for name in ("purpose", "voice_id", "file_id", "fault")
                if entry.get(name) is not None
            ]
            self.log(" ".join(words + ["trace", entry["trace_id"]]))


def banner(sandbox: Sandbox) -> str:
    """The line the ``voiceclone sandbox`` command prints when the sandbox is up."""
    keys = (
        "one of the sandbox's configured keys as MINIMAX_API_KEY"
        if sandbox.api_keys is not None
        else "any non-empty MINIMAX_API_KEY works"
    )
    return (
        f"MiniMax SANDBOX (offline, synthetic audio; not the real MiniMax API) listening on "
        f"{sandbox.base_url} - point the plugin at it with MINIMAX_BASE_URL={sandbox.base_url} ({keys})"
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 resets connections when a test fires many requests at once.
    request_queue_size = 64
    # Keep-alive connections would otherwise make server_close() wait for their clients.
    block_on_close = False

    def __init__(self, address, sandbox: Sandbox):
        self.sandbox = sandbox
        self._connections: Set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    @property
    def base_url(self) -> str:
        # server_bind() stored socket.getsockname() here, whose host is a str for AF_INET and AF_INET6;
        # typeshed types the attribute as the constructor's argument, which may also be bytes.
        host, port = cast(Tuple[str, int], self.server_address[:2])
        return f"http://{host}:{port}"

    def process_request(self, request, client_address):
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        """A client that hung up (a timed-out test client, say) is normal here; anything else is reported."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """End the connections still open, so their handler threads finish."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the client's delayed ACK adds 40 ms.
    disable_nagle_algorithm = True
    server_version = "MiniMaxSandbox/1.0"
    server: _Server
    trace_id: Optional[str] = None

    def version_string(self) -> str:
        return self.server_version

    @property
    def sandbox(self) -> Sandbox:
        return self.server.sandbox

    @property
    def _current_trace_id(self) -> str:
        """The trace id of the request being handled, which parse_request() set."""
        if self.trace_id is None:
            raise RuntimeError("no request is being handled")
        return self.trace_id

    def parse_request(self) -> bool:
        self.trace_id = _new_trace_id()
        return super().parse_request()

    def send_response(self, code: int, message: Optional[str] = None) -> None:
        super().send_response(code, message)
        self.send_header("Trace-Id", self.trace_id or _new_trace_id())

    def log_request(self, code="-", size="-") -> None:
        """Requests are logged by Sandbox._record, with their base_resp code."""

    def log_message(self, format: str, *args) -> None:
        if self.sandbox.log is not None:
            self.sandbox.log(format % args)

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        try:
            body = self._read_body()
        except ValueError:
            self.send_error(400, "Bad request body")
            return
        try:
            if url.path.startswith("/sandbox/"):
                response = self._admin(url.path, body)
                if response is None:  # a dropped download
                    self.close_connection = True
                else:
                    self._send(response)
            else:
                self._api(url.path, url.query, body)
        finally:
            self.trace_id = None

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch

    # -- the API -----------------------------------------------------------------------------

    def _api(self, path: str, query: str, body: bytes) -> None:
        entry: RequestRecord = {
            "method": self.command,
            "path": path,
            "http_status": None,
            "status_code": None,
            "trace_id": self.trace_id,
            "fault": None,
        }
        route = API_ROUTES.get(path)
        response: Optional[Response]
        if route is None or route[0] != self.command:
            response = _route_refusal(route[0] if route else None)
        else:
            response, found = self._serve(path, route[1], route[2], query, body)
            entry.update(found)
        entry["http_status"] = response and response.status
        # Recorded before answering, so a client holding its answer also finds the record.
        self.sandbox._record(entry)
        if response is None:
            # A "drop": closing without writing a byte is what a lost response looks like.
            self.close_connection = True
        else:
            self._send(response)

    def _serve(
        self, path: str, operation: str, carrier: str, query: str, body: bytes
    ) -> Tuple[Optional[Response], Dict[str, Any]]:
        """Work on an API request as a pending fault says, if any.

        Return the response (None to drop the connection) and the fields to record.
        """
        limit = self.sandbox._limits.get(path)
        if limit is not None and not limit.admit(time.monotonic()):
            refusal = error_body(operation, Refusal(1002, "rate limit exceeded (RPM)"), self._current_trace_id)
            return _json_response(200, refusal), {"fault": "over_limit", "status_code": 1002}
        fault = self.sandbox._faults.take(path)
        kind = fault.kind if fault is not None else None
        if fault is not None and fault.kind in faults_module.INSTEAD_OF_WORK:
            response, code = self._fault_response(fault, operation)
            return response, {"fault": kind, "status_code": code}
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.seconds)
        reply, fields = self._perform(operation, carrier, query, body, damaged=kind == "damaged_audio")
        fields.update(fault=kind, status_code=reply["base_resp"]["status_code"])
        if fault is not None and fault.kind == "late":
            time.sleep(fault.seconds)
        if fault is not None and fault.kind == "after_work":
            response, code = self._fault_response(fault, operation)
            return response, {**fields, "status_code": code}
        if kind == "cut":
            whole = _json_response(200, reply)
            return whole._replace(cut=True), fields
        return (None if kind == "drop" else _json_response(200, reply)), fields

    def _perform(
        self, operation: str, carrier: str, query: str, body: bytes, *, damaged: bool = False
    ) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        """Run ``operation``; return its reply (with base_resp) and the request's notable fields."""
        fields: Dict[str, Any] = {}
        try:
            self._authorize()
            payload = self._payload(carrier, query, body)
            fields = _notable_fields(payload)
            context = Context(self.server.base_url, self._current_trace_id, damaged)
            reply: Dict[str, Any] = getattr(self.sandbox.state, operation)(payload, context)
            reply["base_resp"] = base_resp()
        except Refusal as refusal:
            reply = error_body(operation, refusal, self._current_trace_id)
        return reply, fields

    def _authorize(self) -> None:
        scheme, _, key = (self.headers.get("Authorization") or "").strip().partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            raise Refusal(1004)
        if not self.sandbox.accepts(key):
            raise Refusal(2049)

    def _payload(self, carrier: str, query: str, body: bytes) -> Dict[str, Any]:
        if carrier == "query":
            return {name: values[-1] for name, values in parse_qs(query).items()}
        if carrier == "form":
            try:
                return parse_form(self.headers.get("Content-Type", ""), body)
            except ValueError as exc:
                raise Refusal(2013, str(exc)) from exc
        try:
            payload = json.loads(body.decode("utf-8"))
        except ValueError as exc:
            raise Refusal(2013, "the body is not valid JSON") from exc
        if not isinstance(payload, dict):
            raise Refusal(2013, "the body must be a JSON object")
        return payload

    def _fault_response(self, fault: faults_module.Fault, operation: str) -> Tuple[Response, Optional[int]]:
        """The answer ``fault`` gives instead of working, and its base_resp code (None without one)."""
        if fault.kind == "server_error" or (
            fault.kind == "after_work" and fault.code is not None and 500 <= fault.code <= 599
        ):
            return Response(fault.code or 503, _SERVER_ERROR_PAGE, "text/html"), None
        code = 1002 if fault.kind == "rate_limit" else fault.code
        if code is None:  # make_fault() gives every other kind an integer code
            raise ValueError(f"a {fault.kind!r} fault needs an integer code")
        if fault.kind == "http_status":
            body = {"error": {"http_status": code, "message": "error injected by the sandbox"}}
            return _json_response(code, body), None
        return _json_response(200, error_body(operation, Refusal(code), self._current_trace_id)), code

    # -- the sandbox's own routes ------------------------------------------------------------

    def _admin(self, path: str, body: bytes) -> Optional[Response]:
        """The answer to a /sandbox/ request; None to drop the connection."""
        routes: Dict[str, Dict[str, Callable[[str, bytes], Optional[Response]]]] = {
            "/sandbox/faults": {"POST": self._add_fault, "DELETE": self._clear_faults},
            "/sandbox/requests": {"GET": self._list_requests},
            AUDIO_PREFIX: {"GET": self._serve_audio},
        }
        methods = routes.get(AUDIO_PREFIX if path.startswith(AUDIO_PREFIX) else path)
        handler = methods.get(self.command) if methods else None
        if handler is None:
            return _route_refusal(", ".join(methods) if methods else None)
        return handler(path, body)

    def _add_fault(self, path: str, body: bytes) -> Response:
        try:
            spec = json.loads(body.decode("utf-8"))
            if not isinstance(spec, dict):
                raise ValueError("the body must be a JSON object")
            self.sandbox.add_fault(**spec)
        except (ValueError, TypeError) as exc:
            return _json_response(400, {"error": str(exc)})
        return _json_response(200, {"ok": True})

    def _clear_faults(self, path: str, body: bytes) -> Response:
        self.sandbox.clear_faults()
        return _json_response(200, {"ok": True})

    def _list_requests(self, path: str, body: bytes) -> Response:
        return _json_response(200, {"requests": self.sandbox.requests_seen()})

    def _serve_audio(self, path: str, body: bytes) -> Optional[Response]:
        found = self.sandbox.state.audio.get(path[len(AUDIO_PREFIX) :])
        if found is None:
            return _route_refusal(None)
        fault = self.sandbox._faults.take(faults_module.AUDIO_PATH)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.seconds)
        if fault is not None and fault.kind == "drop":
            return None
        content_type, data = found
        return Response(200, data, content_type)

    # -- plumbing ----------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        """The request body, by Content-Length or chunked; raise ValueError if it is malformed."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        body = self.rfile.read(length)
        if len(body) != length:
            raise ValueError("the body is shorter than its Content-Length")
        return body

    def _read_chunked(self) -> bytes:
        chunks = []
        while True:
            size = int(self.rfile.readline(1024).split(b";")[0].strip(), 16)
            if size == 0:
                break
            chunk = self.rfile.read(size)
            if len(chunk) != size or self.rfile.readline(3).strip():
                raise ValueError("a chunk is shorter than its size")
            chunks.append(chunk)
        while self.rfile.readline(65536).strip():
            pass  # trailer fields, unused
        return b"".join(chunks)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.payload)))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if response.cut:  # half the body, then the connection closes: an answer cut off
            self.wfile.write(response.payload[: len(response.payload) // 2])
            self.close_connection = True
            return
        self.wfile.write(response.payload)


class Response(NamedTuple):
    """An HTTP answer, built before it is sent."""

    status: int
    payload: bytes
    content_type: str
    headers: Tuple[Tuple[str, str], ...] = ()
    cut: bool = False


def _new_trace_id() -> str:
    return "sbx-" + secrets.token_hex(12)


def _json_response(status: int, body: Dict[str, Any]) -> Response:
    return Response(status, json.dumps(body).encode("utf-8"), "application/json")


def _route_refusal(allowed: Optional[str]) -> Response:
    """405 naming the ``allowed`` methods; 404 with the real gateway's text for an unknown path (None)."""
    if allowed is None:
        return Response(404, b"404 page not found", "text/plain; charset=utf-8")
    return Response(405, b"405 method not allowed", "text/plain; charset=utf-8", (("Allow", allowed),))


def _notable_fields(payload: Dict[str, Any]) -> Dict[str, Any]:
    """The fields of a request that tests assert on: purpose, voice_id, file_id."""
    voice_setting = payload.get("voice_setting")
    voice_id = voice_setting.get("voice_id") if isinstance(voice_setting, dict) else payload.get("voice_id")
    fields = {"purpose": payload.get("purpose"), "voice_id": voice_id, "file_id": payload.get("file_id")}
    return {name: value for name, value in fields.items() if isinstance(value, (str, int))}
