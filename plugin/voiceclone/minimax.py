"""The MiniMax HTTP client: upload, voice_clone, t2a_v2, get_voice, delete_voice, preview download.

The only module that sends requests, through one :class:`voiceclone.transport.Transport` (kept-alive
connections, finite connect and read timeouts); retries with exponential backoff and jitter for what
is worth retrying, and every failure turned into a typed :mod:`voiceclone.errors` error at one choke
point (:meth:`MiniMaxClient._send`).
The API key goes only into the Authorization header of API calls, never to a download host.
"""

import io
import json
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import urljoin, urlsplit

from . import __version__
from .errors import AuthError, RemoteError, ServiceError, api_error, http_error
from .formats import MIME_TYPES, sniff
from .leftovers import partial_name
from .options import CloneSettings
from .settings import Settings, is_loopback
from .transport import (
    AnswerCutOff,
    ConnectionBroken,
    ConnectTimeout,
    NotConnected,
    ReadTimeout,
    Response,
    TLSFailure,
    Transport,
    TransportError,
)

MAX_DOWNLOAD_BYTES = 50_000_000
MAX_BACKOFF_S = 30.0
#: A subtitle file is a few kB a minute of speech.
MAX_SUBTITLE_BYTES = 4_000_000
#: 1002 is a per-minute limit: waits for it add up to at most a minute, then it is reported.
RATE_LIMIT_WAIT_S = 60.0
MAX_REDIRECTS = 5
#: How long an early connection (:meth:`MiniMaxClient.connect`) may take before it is left to the first call.
EARLY_CONNECT_S = 3.0
#: The mainland hosts: platform.minimaxi.com's docs name the first, its newer voice-clone OpenAPI the second.
MAINLAND_HOSTS = ("api.minimaxi.com", "api.minimax.cn")
#: Codes after which a request's work may have been done all the same (timeouts, internal errors).
ANSWER_UNKNOWN_CODES = frozenset({1001, 1013, 1024, 1033})

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CloneRequest:
    """The body of one voice_clone call. ``file_id`` values stay integers end to end."""

    file_id: int
    voice_id: str
    settings: CloneSettings = CloneSettings()
    prompt_file_id: Optional[int] = None
    prompt_text: Optional[str] = None

    def body(self) -> dict:
        s = self.settings
        body = {
            "file_id": int(self.file_id),
            "voice_id": self.voice_id,
            "need_noise_reduction": s.noise_reduction,
            # The current docs spell it "volume"; older docs and MiniMax's own demo "volumn".
            "need_volume_normalization": s.volume_normalization,
            "need_volumn_normalization": s.volume_normalization,
            "aigc_watermark": s.watermark,
        }
        if self.prompt_file_id is not None:
            body["clone_prompt"] = {"prompt_audio": int(self.prompt_file_id), "prompt_text": self.prompt_text}
        optional = {
            "text": s.text,
            "model": s.model,
            "language_boost": s.language_boost,
            "text_validation": s.text_validation,
            "accuracy": s.accuracy,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        return body


@dataclass(frozen=True)
class CloneResult:
    """What voice_clone answered. The caller's voice_id *is* the voice; the API returns none."""

    demo_audio_url: Optional[str]
    trace_id: Optional[str]
    sensitive_type: int = 0
    #: True when the answer was lost and the ledger showed the voice that exists is this sample's
    #: (set by the clone job).
    recovered: bool = False
    extra_info: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Speech:
    """Synthesized audio and its facts."""

    audio: bytes
    format: str
    trace_id: Optional[str]
    extra_info: dict = field(default_factory=dict)
    #: Where MiniMax put the sentence timings, when asked for (``subtitles``).
    subtitle_url: Optional[str] = None


class MiniMaxClient:
    """A client for one base URL and key. Use as a context manager, or call :meth:`close`."""

    def __init__(
        self,
        settings: Settings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Optional[Callable[[str], None]] = None,
        before_request: Optional[Callable[[], None]] = None,
    ):
        self.settings = settings
        self._sleep = sleep
        #: Called before every attempt of an API request (a rate limiter waits there for its turn).
        self._before_request = before_request or (lambda: None)
        #: Told, in a sentence, each time a retry waits (why, and for how long).
        self._on_wait = on_wait or (lambda message: None)
        self._http = Transport(
            user_agent=f"voiceclone/{__version__}", proxy=settings.proxy, ca_bundle=settings.ca_bundle
        )

    def __enter__(self) -> "MiniMaxClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def connect(self) -> None:
        """Open the connection to MiniMax now (its TLS handshake too) for the first call to use: a
        clone does it while its sample is checked. Nothing is sent on it. If it cannot be opened in
        :data:`EARLY_CONNECT_S`, the first call connects as ever, and meets and says what is wrong."""
        try:
            self._http.open(self.settings.base_url, connect_s=min(self.settings.connect_timeout, EARLY_CONNECT_S))
        except TransportError:
            pass

    # -- endpoints ---------------------------------------------------------------------------

    def upload(
        self, path: Path, *, purpose: str, filename: str, fmt: str, on_progress: Optional[Progress] = None
    ) -> int:
        """Upload an audio file, streamed from disk as multipart form data.

        Parameters
        ----------
        path : Path
            The file as it is to be sent (already checked and prepared).
        purpose : str
            ``voice_clone`` (the sample) or ``prompt_audio`` (the optional short clip).
        filename : str
            The name MiniMax is told; its extension must match ``fmt``.
        fmt : str
            ``mp3``, ``m4a`` or ``wav``, for the part's content type.
        on_progress : callable, optional
            Called with ``(bytes sent, total bytes)`` as the body goes out.

        Returns
        -------
        int
            The ``file_id`` to clone from (an integer end to end, even when a gateway sends a string).
        """

        def body() -> _MultipartBody:
            return _MultipartBody(
                {"purpose": purpose}, Path(path), filename, MIME_TYPES.get(fmt, "application/octet-stream"), on_progress
            )

        payload, trace_id = self._call("/v1/files/upload", make_body=body)
        file_id = (payload.get("file") or {}).get("file_id")
        if isinstance(file_id, str) and file_id.isdigit():  # some gateways send it as a decimal string
            file_id = int(file_id)
        if isinstance(file_id, bool) or not isinstance(file_id, int):
            raise ServiceError(f"MiniMax's upload answer has no integer file_id (got {file_id!r})", trace_id=trace_id)
        return file_id

    def clone(self, request: CloneRequest) -> CloneResult:
        """Clone a voice. A failure after which MiniMax may have made the voice all the same (a
        dropped connection, a timeout, a gateway 5xx, code 1001, 1013, 1024 or 1033) is marked
        ``response_lost``; a 2039 after one has ``after_lost_response``. What a 2039 means is the
        caller's to decide (:func:`voiceclone.ledger.claim`)."""
        # 1000 after an accepted upload means MiniMax could not use the audio: not worth a retry
        payload, trace_id = self._call(
            "/v1/voice_clone", json_body=request.body(), server_faults_unknown=True, final_codes=frozenset({1000})
        )
        return CloneResult(
            demo_audio_url=payload.get("demo_audio") or None,
            trace_id=trace_id,
            sensitive_type=_sensitive_type(payload),
            extra_info=payload.get("extra_info") or {},
        )

    def speak(
        self,
        voice_id: str,
        text: str,
        *,
        model: str,
        fmt: str = "wav",
        sample_rate: int = 32000,
        language_boost: Optional[str] = None,
        style: Optional[Dict[str, Any]] = None,
        subtitles: bool = False,
    ) -> Speech:
        """Synthesize ``text`` with ``voice_id`` (t2a_v2, non-streaming, hex output).

        Parameters
        ----------
        voice_id : str
            A cloned or system voice of the account. The first speech of a clone makes it permanent.
        text : str
            Up to 9,999 characters; pause and interjection markup as the model takes it.
        model : str
            The speech model, such as ``speech-2.8-hd``.
        fmt : str
            ``wav``, ``mp3`` or ``flac``.
        sample_rate : int
            Hz of the returned audio.
        language_boost : str, optional
            A language to favour, or ``auto``.
        style : dict, optional
            ``speed``, ``vol``, ``pitch``, ``emotion`` (sent in ``voice_setting`` only when set) and
            ``pronunciation`` (``word/replacement`` entries, sent as ``pronunciation_dict.tone``).
        subtitles : bool
            Ask for sentence timings (``subtitle_enable``); :meth:`subtitles` reads them.

        Returns
        -------
        Speech
            The decoded audio bytes, MiniMax's ``extra_info`` (length, size) and the Trace-Id.
        """
        audio_setting = {"format": fmt, "sample_rate": sample_rate, "channel": 1}
        if fmt == "mp3":
            audio_setting["bitrate"] = 128000
        body = {
            "model": model,
            "text": text,
            "stream": False,
            "voice_setting": {"voice_id": voice_id, **_voice_setting(style or {})},
            "audio_setting": audio_setting,
            "output_format": "hex",
        }
        if language_boost:
            body["language_boost"] = language_boost
        if style and style.get("pronunciation"):
            body["pronunciation_dict"] = {"tone": list(style["pronunciation"])}
        if subtitles:
            body.update(subtitle_enable=True, subtitle_type="sentence")
        payload, trace_id = self._call("/v1/t2a_v2", json_body=body)
        audio_hex = (payload.get("data") or {}).get("audio")
        if not audio_hex:
            raise ServiceError(
                "MiniMax answered without audio",
                trace_id=trace_id,
                fix="Run it again; if it persists, quote the Trace-Id to MiniMax support.",
            )
        try:
            audio = bytes.fromhex(audio_hex)
        except (ValueError, TypeError) as exc:
            raise ServiceError("MiniMax's audio was not valid hex", trace_id=trace_id) from exc
        subtitle_url = (payload.get("data") or {}).get("subtitle_file") or None
        return Speech(audio, fmt, trace_id, payload.get("extra_info") or {}, subtitle_url)

    def subtitles(self, url: str) -> List[Dict[str, Any]]:
        """The sentences of a speech's subtitle file: ``text``, ``start_s``, ``end_s``. MiniMax's
        file is documented only as a URL (reference §6.2): entries with ``time_begin``/``time_end``
        in milliseconds are read, and ``start``/``end`` in seconds too."""
        timeout = (self.settings.connect_timeout, min(self.settings.read_timeout, 60.0))
        try:
            with self._follow(url, timeout) as resp:
                if resp.status != 200:
                    raise ServiceError(f"the subtitle download failed (HTTP {resp.status})")
                raw = resp.read(MAX_SUBTITLE_BYTES + 1)
        except TransportError as exc:
            raise ServiceError(f"the subtitle download failed: {exc}") from exc
        try:
            entries = json.loads(raw[:MAX_SUBTITLE_BYTES].decode("utf-8"))
        except ValueError as exc:
            raise ServiceError("MiniMax's subtitle file is not JSON") from exc
        if isinstance(entries, dict):  # a wrapper object around the list
            entries = next((value for value in entries.values() if isinstance(value, list)), [])
        sentences = []
        for entry in entries if isinstance(entries, list) else []:
            timing = _sentence_time(entry)
            if timing is not None:
                sentences.append({"text": entry["text"].strip(), "start_s": timing[0], "end_s": timing[1]})
        return sentences

    def voices(self, voice_type: str = "all") -> Dict[str, List[dict]]:
        """The account's voices by kind: ``system_voice``, ``voice_cloning``, ``voice_generation``."""
        payload, _ = self._call("/v1/get_voice", json_body={"voice_type": voice_type})
        return {kind: payload.get(kind) or [] for kind in ("system_voice", "voice_cloning", "voice_generation")}

    def delete_voice(self, voice_id: str, voice_type: str = "voice_cloning") -> None:
        """Delete a cloned or designed voice; its id can never be used again."""
        self._call("/v1/delete_voice", json_body={"voice_type": voice_type, "voice_id": voice_id})

    def download(self, url: str, stem: Path, *, max_bytes: Optional[int] = None) -> Path:
        """Fetch a preview URL into ``stem`` + the extension of its real format; return the path.

        Only https (or http on loopback, for the sandbox); no Authorization header is sent; at most
        ``max_bytes`` (default :data:`MAX_DOWNLOAD_BYTES`).
        """
        max_bytes = max_bytes or MAX_DOWNLOAD_BYTES
        timeout = (self.settings.connect_timeout, min(self.settings.read_timeout, 60.0))
        partial = partial_name(stem)
        try:
            with self._follow(url, timeout) as resp:
                if resp.status != 200:
                    raise ServiceError(f"the preview download failed (HTTP {resp.status})")
                kind = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
                if kind and not (
                    kind.startswith("audio/") or kind in ("application/octet-stream", "binary/octet-stream")
                ):
                    raise ServiceError(f"the preview URL served '{kind}', not audio")
                if int(resp.headers.get("Content-Length") or 0) > max_bytes:
                    raise ServiceError(f"the preview is larger than {max_bytes // 1_000_000} MB")
                fmt = _save_stream(resp.chunks(), partial, max_bytes)
            final = stem.with_name(stem.name + "." + fmt)
            partial.replace(final)
        except TransportError as exc:
            partial.unlink(missing_ok=True)
            raise ServiceError(f"the preview download failed: {exc}") from exc
        except BaseException:  # a full disk, Ctrl-C: no half-written preview stays behind
            partial.unlink(missing_ok=True)
            raise
        return final

    def _follow(self, url: str, timeout) -> Response:
        """GET ``url``, following redirects one hop at a time: each hop's URL is checked before it
        is requested, so a redirect to a refused host is never fetched."""
        for _ in range(MAX_REDIRECTS + 1):
            _check_download_url(url)
            resp = self._http.request("GET", url, headers={}, timeout=timeout)
            if not resp.is_redirect:
                return resp
            resp.close()
            url = urljoin(url, resp.headers["Location"])
        raise ServiceError(f"the preview URL redirected more than {MAX_REDIRECTS} times")

    # -- the one place HTTP happens ----------------------------------------------------------

    def _call(
        self,
        path: str,
        *,
        json_body: Optional[dict] = None,
        make_body: Optional[Callable[[], "_MultipartBody"]] = None,
        server_faults_unknown: bool = False,
        final_codes: frozenset = frozenset(),
    ):
        """POST ``path`` with retries; return ``(payload, trace_id)`` or raise a typed error.

        Retryable failures are retried with backoff, bounded in count and time; a 1002 (the
        per-minute limit) waits instead, up to :data:`RATE_LIMIT_WAIT_S` in all. Each wait is told
        to ``on_wait``. With ``server_faults_unknown``, a server fault (HTTP 5xx, or a code of
        :data:`ANSWER_UNKNOWN_CODES`) counts as a lost answer: the server may have done the work
        before failing to say so.
        ``final_codes`` are never retried here.
        """
        key = self.settings.require_key()
        started, lost = time.monotonic(), False
        attempt, limited_s = 0, 0.0
        while True:
            attempt += 1
            body = make_body() if make_body else None
            headers = {"Authorization": key.header()}
            if body is not None:
                headers["Content-Type"] = body.content_type
            try:
                self._before_request()
                error, payload, trace_id, retry_after = self._send(path, json_body, body, headers)
            finally:
                if body is not None:
                    body.close()
            if error is None:
                return payload, trace_id
            if server_faults_unknown and (error.code in ANSWER_UNKNOWN_CODES or (error.http_status or 0) >= 500):
                error.response_lost = True
            error.after_lost_response = lost
            lost = lost or error.response_lost
            if error.code in final_codes:
                raise error
            if error.code == 1002:
                delay = (
                    retry_after if retry_after is not None else max(self._backoff(attempt), 5 * self.settings.backoff_s)
                )
                delay = min(delay, RATE_LIMIT_WAIT_S - limited_s)
                if delay <= 0:
                    raise error
                limited_s += delay
                self._on_wait(
                    f"MiniMax's per-minute request limit was reached: waiting {delay:.0f} s "
                    f"({limited_s:.0f} of at most {RATE_LIMIT_WAIT_S:.0f} s)"
                )
            else:
                delay = retry_after if retry_after is not None else self._backoff(attempt)
                if (
                    not error.retryable
                    or attempt >= self.settings.max_attempts
                    or time.monotonic() - started + delay > self.settings.retry_budget_s
                ):
                    raise error
                self._on_wait(f"{error}: retrying in {delay:.0f} s ({attempt + 1}/{self.settings.max_attempts})")
            self._sleep(delay)

    def _send(self, path, json_body, body, headers):
        """One attempt: ``(error or None, payload, trace_id, retry_after)``. No transport error escapes."""
        url = self.settings.base_url + path
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        if body is None and json_body is not None:
            body = json.dumps(json_body, allow_nan=False).encode()
            headers["Content-Type"] = "application/json"
        try:
            with self._http.request("POST", url, headers=headers, body=body, timeout=timeout) as resp:
                raw = resp.read()
        except TransportError as exc:
            error = _network_error(exc, url, self.settings)
            error.__cause__ = exc  # raised later, by the retry loop: --debug still shows what failed
            return error, None, None, None
        trace_id = resp.headers.get("Trace-Id")
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        retry_after = _retry_after(resp)
        if isinstance(payload, dict):
            trace_id = trace_id or payload.get("trace_id")
            base = payload.get("base_resp") or {}
            try:
                code = int(base.get("status_code") or 0)
            except (TypeError, ValueError):
                code = -1
            if code:
                return (
                    self._hinted(
                        api_error(code, str(base.get("status_msg") or ""), trace_id=trace_id, http_status=resp.status)
                    ),
                    payload,
                    trace_id,
                    retry_after,
                )
        if resp.status >= 400:
            return self._hinted(http_error(resp.status, trace_id=trace_id)), payload, trace_id, retry_after
        if not isinstance(payload, dict):
            # The server took the request but its answer is unreadable: treat it like a lost answer.
            return (
                ServiceError(
                    "MiniMax answered with something that is not JSON",
                    http_status=resp.status,
                    trace_id=trace_id,
                    retryable=True,
                    response_lost=True,
                ),
                None,
                trace_id,
                None,
            )
        return None, payload, trace_id, None

    def _hinted(self, error: RemoteError) -> RemoteError:
        """A key refused by one mainland host may belong to the other one: say which to try."""
        host = urlsplit(self.settings.base_url).hostname
        if isinstance(error, AuthError) and host in MAINLAND_HOSTS:
            other = next(h for h in MAINLAND_HOSTS if h != host)
            error.fix = (
                f"{error.fix} MiniMax's mainland service answers on two hosts: if this key is a mainland "
                f"one, try MINIMAX_BASE_URL=https://{other}."
            )
        return error

    def _backoff(self, attempt: int) -> float:
        base = self.settings.backoff_s * (2 ** (attempt - 1))
        return min(MAX_BACKOFF_S, base * (0.5 + random.random()))


class _MultipartBody:
    """A multipart/form-data body streamed from disk, with a known length (no copy in memory)."""

    def __init__(
        self, fields: Dict[str, str], path: Path, filename: str, content_type: str, on_progress: Optional[Progress]
    ):
        boundary = os.urandom(16).hex()  # as uuid4().hex, without loading uuid
        self.content_type = f"multipart/form-data; boundary={boundary}"
        head = "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        )
        safe_name = filename.replace('"', "_").replace("\r", "_").replace("\n", "_")
        head += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{safe_name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        tail = f"\r\n--{boundary}--\r\n".encode()
        size = path.stat().st_size
        self._parts = [io.BytesIO(head.encode()), open(path, "rb"), io.BytesIO(tail)]  # noqa: SIM115 (close())
        self._length = len(head.encode()) + size + len(tail)
        self._file_size, self._file_start, self._sent = size, len(head.encode()), 0
        self._on_progress = on_progress

    def __len__(self) -> int:
        return self._length

    def __iter__(self):
        return iter(lambda: self.read(1 << 16), b"")

    def read(self, size: int = -1) -> bytes:
        size = self._length if size is None or size < 0 else size
        chunks = []
        while size > 0 and self._parts:
            chunk = self._parts[0].read(size)
            if not chunk:
                self._parts.pop(0).close()
                continue
            chunks.append(chunk)
            size -= len(chunk)
        data = b"".join(chunks)
        self._sent += len(data)
        if self._on_progress and data:
            done = min(max(self._sent - self._file_start, 0), self._file_size)
            self._on_progress(done, self._file_size)
        return data

    def close(self) -> None:
        for part in self._parts:
            part.close()
        self._parts = []


def _network_error(exc: TransportError, url: str, settings: Settings) -> ServiceError:
    """Map a transport failure; mark whether the request may have reached the server."""
    parts = urlsplit(url)
    host = parts.netloc
    if isinstance(exc, TLSFailure):
        return ServiceError(
            f"the secure connection to {host} failed: {exc}",
            retryable=False,
            fix="Check the base URL and the system's certificates (REQUESTS_CA_BUNDLE names a bundle of your own).",
        )
    through = None
    if exc.proxy:
        through = (
            f"Check HTTPS_PROXY (the proxy {exc.proxy}) and that the proxy is running, or set "
            f"NO_PROXY={parts.hostname} to go around it."
        )
    if isinstance(exc, ConnectTimeout):
        within = f"within {settings.connect_timeout:g} s" + (f" (through the proxy {exc.proxy})" if exc.proxy else "")
        return ServiceError(f"could not connect to {host} {within}", retryable=True, fix=through)
    if isinstance(exc, NotConnected):
        return ServiceError(f"could not connect to {host}: {exc}", retryable=True, fix=through)
    if isinstance(exc, ReadTimeout):
        return ServiceError(
            f"{host} did not answer within {settings.read_timeout:g} s",
            retryable=True,
            response_lost=True,
            fix="Run it again; set VOICECLONE_TIMEOUT for a longer wait.",
        )
    if isinstance(exc, ConnectionBroken):
        return ServiceError(
            f"the connection to {host} broke before the answer arrived", retryable=True, response_lost=True
        )
    if isinstance(exc, AnswerCutOff):
        return ServiceError(f"the answer from {host} was cut off", retryable=True, response_lost=True)
    # anything else may have happened after the request reached the server
    return ServiceError(f"the request to {host} failed: {exc}", retryable=False, response_lost=True)


def _voice_setting(style: Dict[str, Any]) -> Dict[str, Any]:
    """The ``voice_setting`` fields of a speech style that are set (pitch is an integer on the wire)."""
    chosen = {key: style[key] for key in ("speed", "vol", "pitch", "emotion") if style.get(key) is not None}
    if "pitch" in chosen:
        chosen["pitch"] = int(chosen["pitch"])
    return chosen


def _retry_after(resp) -> Optional[float]:
    raw = resp.headers.get("Retry-After")
    try:
        return min(MAX_BACKOFF_S, max(0.0, float(raw))) if raw else None
    except ValueError:
        return None


def _sensitive_type(payload: dict) -> int:
    """``input_sensitive`` comes as a bool plus ``input_sensitive_type``, or as ``{type: int}``."""
    flag = payload.get("input_sensitive")
    if isinstance(flag, dict):
        return int(flag.get("type") or 0)
    if flag:
        return int(payload.get("input_sensitive_type") or 7)
    return 0


def _check_download_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname)):
        return
    raise ServiceError(
        f"refused to download the preview from a {parts.scheme or 'schemeless'} URL",
        fix="Only https preview URLs are fetched; the voice itself was cloned.",
    )


def _save_stream(chunks, path: Path, max_bytes: int) -> str:
    """Write ``chunks`` to ``path``; return the audio format found in the first bytes."""
    size, fmt = 0, None
    with open(path, "wb") as handle:
        for chunk in chunks:
            if fmt is None and chunk:
                fmt = sniff(chunk)
                if fmt is None:
                    raise ServiceError("the preview URL did not serve audio")
            size += len(chunk)
            if size > max_bytes:
                raise ServiceError(f"the preview is larger than {max_bytes // 1_000_000} MB")
            handle.write(chunk)
    if fmt is None:
        raise ServiceError("the preview download was empty")
    return fmt


def _sentence_time(entry: Any) -> Optional[Tuple[float, float]]:
    """A subtitle entry's start and end in seconds (ms ``time_begin``/``time_end``, or seconds
    ``start``/``end``); None for an entry without text or readable times."""
    if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
        return None
    keys, scale = (("time_begin", "time_end"), 1000.0) if "time_begin" in entry else (("start", "end"), 1.0)
    try:
        start = float(entry[keys[0]]) / scale
        end = float(entry[keys[1]] if keys[1] in entry else entry[keys[0]]) / scale
    except (KeyError, TypeError, ValueError):
        return None
    return round(start, 3), round(end, 3)
