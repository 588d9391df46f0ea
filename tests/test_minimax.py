"""The HTTP client against the sandbox over loopback: uploads, clone, speech, retries, errors, downloads."""

import http.server
import logging
import threading
import traceback
from dataclasses import replace
from pathlib import Path

import pytest
import soundfile as sf

from helpers import FAKE_KEY
from voiceclone import errors
from voiceclone.errors import (
    ApiError,
    AuthError,
    ContentError,
    QuotaError,
    RateLimitError,
    SampleRejectedError,
    ServiceError,
    VerificationError,
    VoiceIdTakenError,
    VoiceNotFoundError,
)
from voiceclone.minimax import CloneRequest, CloneSettings, MiniMaxClient
from voiceclone.sandbox import Sandbox
from voiceclone.sandbox import server as sandbox_server
from voiceclone.settings import ApiKey, Settings

PREVIEW = CloneSettings(text="Hi.", model="speech-2.8-hd")

#: MiniMax API docs, Error Codes: every code of the table (and 2061), the error a user gets for it
#: and what they read.
DOCUMENTED_CODES = {
    1000: (
        SampleRejectedError,
        "MiniMax reported an unknown error; for a clone this usually means it could not use the uploaded audio",
    ),
    1001: (ServiceError, "MiniMax timed out on the request"),
    1002: (RateLimitError, "MiniMax's request-per-minute limit was reached"),
    1004: (AuthError, "MiniMax did not accept the API key"),
    1008: (QuotaError, "the MiniMax account balance is too low"),
    1013: (ServiceError, "MiniMax had an internal service error"),
    1024: (ServiceError, "MiniMax had an internal error"),
    1026: (ContentError, "MiniMax flagged the input as sensitive content"),
    1027: (ContentError, "MiniMax flagged the generated audio as sensitive content"),
    1033: (ServiceError, "MiniMax had a system error"),
    1039: (RateLimitError, "MiniMax's tokens-per-minute limit was reached"),
    1041: (RateLimitError, "MiniMax's connection limit for the account was reached"),
    1042: (ContentError, "more than 10% of the text is invisible or illegal characters"),
    1043: (SampleRejectedError, "the sample's speech did not match the expected transcript"),
    1044: (SampleRejectedError, "the prompt audio did not match --prompt-text"),
    2013: (ApiError, "MiniMax rejected a parameter of the request"),
    20132: (VoiceNotFoundError, "MiniMax does not know this voice or sample id"),
    2037: (SampleRejectedError, "MiniMax found the sample too short or too long (it needs 10 s to 5 min)"),
    2038: (VerificationError, "voice cloning is not enabled for this MiniMax account"),
    2039: (VoiceIdTakenError, "this voice_id already exists on MiniMax"),
    2042: (VoiceNotFoundError, "this account has no access to this voice_id"),
    2045: (RateLimitError, "requests grew too fast for MiniMax"),
    2048: (SampleRejectedError, "the prompt audio is too long for MiniMax (it must be under 8 s)"),
    2049: (AuthError, "MiniMax says the API key is invalid"),
    2056: (QuotaError, "the Token Plan's limit for this period is used up"),
    2061: (QuotaError, "the chosen model is not part of the current Token Plan"),
}
#: The codes the same table says to retry, or to back off and retry.
RETRIED_CODES = {1000, 1001, 1002, 1013, 1024, 1033, 1039}


@pytest.fixture
def settings(sandbox, tmp_path):
    return Settings(
        api_key=ApiKey(FAKE_KEY),
        base_url=sandbox.base_url,
        presets_path=tmp_path / "p.yaml",
        read_timeout=5.0,
        max_attempts=4,
        backoff_s=0.01,
    )


@pytest.fixture
def client(settings):
    with MiniMaxClient(settings) as c:
        yield c


@pytest.fixture
def take(make_audio):
    return make_audio("take.wav", 12)


def upload(client, path):
    return client.upload(path, purpose="voice_clone", filename=path.name, fmt="wav")


def test_upload_returns_an_integer_file_id_and_the_server_got_the_exact_bytes(client, sandbox, take):
    file_id = upload(client, take)
    assert isinstance(file_id, int) and not isinstance(file_id, bool)
    stored = sandbox.state.files[file_id]
    assert stored.purpose == "voice_clone"
    assert stored.data == take.read_bytes()


def test_upload_reports_progress_up_to_the_whole_file(client, take):
    seen = []
    client.upload(
        take, purpose="voice_clone", filename="take.wav", fmt="wav", on_progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (take.stat().st_size, take.stat().st_size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_clone_sends_every_field_with_integer_ids_and_returns_the_preview_url(client, sandbox, take, make_audio):
    file_id = upload(client, take)
    prompt = make_audio("prompt.wav", 5)
    prompt_id = client.upload(prompt, purpose="prompt_audio", filename="prompt.wav", fmt="wav")
    chosen = CloneSettings(
        text="A preview.",
        model="speech-2.8-hd",
        language_boost="English",
        noise_reduction=True,
        volume_normalization=True,
        watermark=True,
        text_validation="words",
        accuracy=0.5,
    )
    result = client.clone(
        CloneRequest(
            file_id=file_id,
            voice_id="HostVoice01",
            settings=chosen,
            prompt_file_id=prompt_id,
            prompt_text="Hello there.",
        )
    )
    assert result.demo_audio_url.startswith(sandbox.base_url + "/sandbox/audio/")
    assert result.trace_id
    voice = sandbox.state.voices["HostVoice01"]
    assert (voice.file_id, voice.prompt_file_id, voice.model) == (file_id, prompt_id, "speech-2.8-hd")
    assert voice.options == {
        "need_noise_reduction": True,
        "need_volume_normalization": True,
        "need_volumn_normalization": True,
        "aigc_watermark": True,
        "language_boost": "English",
        "accuracy": 0.5,
        "text_validation": "words",
        "clone_prompt": {"prompt_audio": prompt_id, "prompt_text": "Hello there."},
    }


def test_clone_body_spells_volume_normalization_both_ways():
    body = CloneRequest(file_id=123, voice_id="HostVoice01", settings=CloneSettings(volume_normalization=True)).body()
    assert body["need_volume_normalization"] is True and body["need_volumn_normalization"] is True
    assert body["file_id"] == 123 and "text" not in body and "clone_prompt" not in body


def test_a_rate_limit_is_retried_with_backoff_until_it_passes(client, sandbox, take):
    sandbox.add_fault("rate_limit", path="/v1/files/upload", times=2)
    file_id = upload(client, take)
    uploads = [r for r in sandbox.requests_seen() if r["path"] == "/v1/files/upload"]
    assert [r["status_code"] for r in uploads] == [1002, 1002, 0]
    assert file_id in sandbox.state.files


def test_server_errors_are_retried_then_reported_as_a_service_failure(client, sandbox, take):
    sandbox.add_fault("server_error", path="/v1/files/upload", times=10)
    with pytest.raises(ServiceError) as caught:
        upload(client, take)
    assert caught.value.exit_code == 4
    assert "HTTP 503" in str(caught.value)
    assert len(sandbox.requests_seen()) == 4, "bounded by VOICECLONE_RETRIES"


def test_a_final_error_is_not_retried(client, sandbox, take):
    sandbox.add_fault("code", path="/v1/files/upload", code=1008, times=5)
    with pytest.raises(errors.QuotaError):
        upload(client, take)
    assert len(sandbox.requests_seen()) == 1


def test_a_lost_clone_answer_whose_retry_meets_2039_says_so_and_leaves_the_verdict_to_the_job(client, sandbox, take):
    file_id = upload(client, take)
    sandbox.add_fault("drop", path="/v1/voice_clone")
    with pytest.raises(errors.VoiceIdTakenError) as caught:
        client.clone(CloneRequest(file_id=file_id, voice_id="HostVoice01", settings=PREVIEW))
    assert caught.value.after_lost_response
    clones = [r for r in sandbox.requests_seen() if r["path"] == "/v1/voice_clone"]
    assert [(r["http_status"], r["status_code"]) for r in clones] == [(None, 0), (200, 2039)]
    assert list(sandbox.state.voices) == ["HostVoice01"], "created once"


@pytest.mark.parametrize(
    "fault",
    [dict(kind="server_error", code=502), dict(kind="code", code=1001), dict(kind="code", code=1013)],
    ids=["502", "1001", "1013"],
)
def test_a_server_fault_on_voice_clone_counts_as_an_unknown_answer(client, sandbox, take, fault):
    """MiniMax's error-code page: a gateway 5xx, 1001 or 1013 may come after the voice was made."""
    file_id = upload(client, take)
    sandbox.add_fault(fault["kind"], path="/v1/voice_clone", code=fault["code"], times=10)
    with pytest.raises(errors.ServiceError) as caught:
        client.clone(CloneRequest(file_id=file_id, voice_id="HostVoice01", settings=PREVIEW))
    assert caught.value.response_lost


def test_a_2039_without_a_lost_answer_is_a_taken_voice_id(client, sandbox, take):
    file_id = upload(client, take)
    client.clone(CloneRequest(file_id=file_id, voice_id="HostVoice01"))
    with pytest.raises(VoiceIdTakenError) as caught:
        client.clone(CloneRequest(file_id=file_id, voice_id="HostVoice01"))
    assert caught.value.exit_code == 3 and "voice-id" in caught.value.fix


@pytest.mark.parametrize("code", sorted(DOCUMENTED_CODES))
def test_every_documented_code_becomes_a_typed_error_with_a_plain_message_and_the_trace_id(
    client, sandbox, code, monkeypatch
):
    from voiceclone import minimax

    monkeypatch.setattr(minimax, "RATE_LIMIT_WAIT_S", 0.3)  # 1002 waits up to a minute: shortened here
    sandbox.add_fault("code", path="/v1/get_voice", code=code, times=1000)
    with pytest.raises(errors.RemoteError) as caught:
        client.voices()
    cls, message = DOCUMENTED_CODES[code]
    assert type(caught.value) is cls
    assert message in str(caught.value) and f"MiniMax code {code}" in str(caught.value)
    assert caught.value.trace_id and caught.value.trace_id in str(caught.value)
    assert caught.value.fix
    attempts = len(sandbox.requests_seen())
    if code == 1002:
        assert 1 < attempts < 1000, "waited, then gave up within its bound"
    else:
        assert attempts == (4 if code in RETRIED_CODES else 1)


@pytest.mark.parametrize("code", [1004, 2049])
def test_key_errors_mention_the_key_and_the_region_host_pairing(client, sandbox, code):
    sandbox.add_fault("code", code=code)
    with pytest.raises(AuthError) as caught:
        client.voices()
    fix = caught.value.fix
    assert "MINIMAX_API_KEY" in fix and "api.minimax.io" in fix and "api.minimaxi.com" in fix


def test_a_wrong_key_is_refused_by_the_server_as_an_auth_error(sandbox, settings):
    wrong = Settings(api_key=ApiKey("another-key"), base_url=sandbox.base_url, presets_path=settings.presets_path)
    with MiniMaxClient(wrong) as client, pytest.raises(AuthError) as caught:
        client.voices()
    assert caught.value.code == 2049


@pytest.mark.parametrize("status, cls", [(401, AuthError), (403, AuthError), (429, RateLimitError), (404, ApiError)])
def test_http_errors_without_base_resp_are_typed_by_status(client, sandbox, status, cls):
    sandbox.add_fault("http_status", code=status, times=10)
    with pytest.raises(cls) as caught:
        client.voices()
    assert f"HTTP {status}" in str(caught.value)


def test_a_slow_server_beyond_the_read_timeout_is_a_service_failure(sandbox, settings):
    impatient = Settings(
        api_key=settings.api_key,
        base_url=sandbox.base_url,
        presets_path=settings.presets_path,
        read_timeout=0.3,
        max_attempts=2,
        backoff_s=0.01,
    )
    sandbox.add_fault("slow", seconds=1.0, times=2)
    with MiniMaxClient(impatient) as client, pytest.raises(ServiceError, match="did not answer within 0.3 s"):
        client.voices()


def test_nothing_listening_is_a_connection_failure(settings):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = Settings(
        api_key=settings.api_key,
        base_url=f"http://127.0.0.1:{port}",
        presets_path=settings.presets_path,
        max_attempts=2,
        backoff_s=0.01,
    )
    with MiniMaxClient(dead) as client, pytest.raises(ServiceError, match="could not connect to 127.0.0.1"):
        client.voices()


def test_speech_hex_is_decoded_into_audio_of_the_asked_format(client, sandbox, take):
    file_id = upload(client, take)
    client.clone(CloneRequest(file_id=file_id, voice_id="HostVoice01"))
    speech = client.speak(
        "HostVoice01", "Hello from the sandbox.", model="speech-2.8-hd", fmt="flac", sample_rate=24000
    )
    path = Path(client.settings.presets_path).with_name("s.flac")
    path.write_bytes(speech.audio)
    info = sf.info(str(path))
    assert info.format == "FLAC" and info.samplerate == 24000
    assert sandbox.state.voices["HostVoice01"].activated


def test_speech_with_an_unknown_voice_is_voice_not_found(client):
    with pytest.raises(VoiceNotFoundError) as caught:
        client.speak("NoSuchVoice99", "Hello.", model="speech-2.8-hd")
    assert "7 days" in caught.value.fix


def test_the_preview_download_keeps_the_real_format_and_never_sends_the_key(
    client, sandbox, take, tmp_path, monkeypatch
):
    """The preview is served by the very host the key is for: the download must still go without it."""
    download_headers = []
    serve_audio = sandbox_server._Handler._serve_audio

    def recording(handler, path, body):
        download_headers.append(dict(handler.headers))
        return serve_audio(handler, path, body)

    monkeypatch.setattr(sandbox_server._Handler, "_serve_audio", recording)
    file_id = upload(client, take)
    url = client.clone(CloneRequest(file_id=file_id, voice_id="HostVoice01", settings=PREVIEW)).demo_audio_url
    assert [r["status_code"] for r in sandbox.requests_seen()] == [0, 0], "the API calls carried the key"
    path = client.download(url, tmp_path / "preview")
    assert path.suffix == ".mp3" and sf.info(str(path)).format == "MP3"
    assert len(download_headers) == 1
    assert not any(name.lower() == "authorization" for name in download_headers[0])
    assert not any(FAKE_KEY in value for value in download_headers[0].values())


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b""
    content_type = "audio/mpeg"
    seen_auth = []
    seen_paths = []
    #: path -> Location: answer those paths with a 302 there
    redirects = {}

    def do_GET(self):
        type(self).seen_auth.append(self.headers.get("Authorization"))
        type(self).seen_paths.append(self.path)
        if self.path in self.redirects:
            self.send_response(302)
            self.send_header("Location", self.redirects[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def cdn():
    """A plain loopback file host standing in for a preview URL's host."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Handler.seen_auth, _Handler.seen_paths, _Handler.redirects = [], [], {}
    yield server, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_key_is_never_sent_to_a_download_host(client, cdn, tmp_path, make_audio):
    _, url = cdn
    _Handler.body, _Handler.content_type = make_audio("p.wav", 1).read_bytes(), "audio/wav"
    path = client.download(url + "/p", tmp_path / "preview")
    assert path.suffix == ".wav"
    assert _Handler.seen_auth == [None]


@pytest.mark.parametrize(
    "body, content_type, words",
    [
        (b"<html>not found</html>", "text/html", "served 'text/html'"),
        (b"plain bytes that are not audio", "application/octet-stream", "did not serve audio"),
    ],
)
def test_a_download_that_is_not_audio_is_refused_and_leaves_no_file(client, cdn, tmp_path, body, content_type, words):
    _, url = cdn
    _Handler.body, _Handler.content_type = body, content_type
    with pytest.raises(ServiceError, match=words):
        client.download(url + "/p", tmp_path / "preview")
    assert list(tmp_path.iterdir()) == []


def test_a_download_over_the_size_cap_is_refused(client, cdn, tmp_path):
    _, url = cdn
    _Handler.body, _Handler.content_type = b"ID3" + b"\0" * 5000, "audio/mpeg"
    with pytest.raises(ServiceError, match="larger than"):
        client.download(url + "/p", tmp_path / "preview", max_bytes=4000)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://example.com/preview.mp3", "ftp://host/p.mp3"])
def test_only_https_or_loopback_preview_urls_are_fetched(client, tmp_path, url):
    with pytest.raises(ServiceError, match="refused to download"):
        client.download(url, tmp_path / "preview")


def test_the_client_never_shows_the_key(settings, caplog):
    """Not in the settings, the client, its errors and their tracebacks, what it says while waiting,
    the server's log, or any log line, even at DEBUG level (the client logs nothing of its own)."""
    caplog.set_level(logging.DEBUG)
    said, sandbox_log = [], []
    shown = [repr(settings), str(settings), repr(settings.api_key), str(settings.api_key)]
    with Sandbox(api_keys={"another-key"}, log=sandbox_log.append) as refusing:
        base_url = refusing.base_url
        refusing.add_fault("rate_limit")
        with MiniMaxClient(replace(settings, base_url=base_url), on_wait=said.append) as client:
            shown.append(repr(client))
            with pytest.raises(AuthError) as refused:
                client.voices()
    assert refused.value.code == 2049 and said, "the key reached the server, and a wait was told"
    unreachable_settings = replace(settings, base_url=base_url, max_attempts=1)  # now nothing listens
    with MiniMaxClient(unreachable_settings) as client, pytest.raises(ServiceError) as unreachable:
        client.voices()
    for caught in (refused, unreachable):
        error = caught.value
        shown += [
            str(error),
            repr(error),
            error.fix,
            *error.user_lines(),
            "".join(traceback.format_exception(type(error), error, error.__traceback__)),
        ]
    shown += said + sandbox_log + [caplog.text]
    assert sandbox_log
    assert [text for text in shown if FAKE_KEY in text] == []


def test_each_redirect_hop_is_checked_before_it_is_requested(client, cdn, tmp_path, make_audio):
    _, url = cdn
    _Handler.body, _Handler.content_type = make_audio("p.wav", 1).read_bytes(), "audio/wav"
    _Handler.redirects = {"/first": "/second", "/second": url + "/p"}
    assert client.download(url + "/first", tmp_path / "preview").suffix == ".wav"
    assert _Handler.seen_paths == ["/first", "/second", "/p"]
    _Handler.redirects = {"/bad": "file:///etc/passwd"}
    with pytest.raises(ServiceError, match="refused to download the preview from a file URL"):
        client.download(url + "/bad", tmp_path / "other")
    _Handler.redirects = {f"/loop{i}": f"/loop{i + 1}" for i in range(10)}
    with pytest.raises(ServiceError, match="redirected more than 5 times"):
        client.download(url + "/loop0", tmp_path / "looped")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.wav", "preview.wav"], "no partial file is left"


class _UploadAnswer(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b'{"file": {"file_id": "362145118748916"}, "base_resp": {"status_code": 0, "status_msg": "success"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_file_id_sent_as_a_decimal_string_is_taken_as_its_number(take, tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _UploadAnswer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = Settings(
            api_key=ApiKey(FAKE_KEY),
            base_url=f"http://127.0.0.1:{server.server_address[1]}",
            presets_path=tmp_path / "p.yaml",
            backoff_s=0.01,
        )
        with MiniMaxClient(settings) as client:
            assert upload(client, take) == 362145118748916
    finally:
        server.shutdown()
        server.server_close()


def test_1000_is_retried_on_an_upload_but_final_on_a_clone_after_the_upload(client, sandbox, take):
    sandbox.add_fault("code", path="/v1/files/upload", code=1000)
    file_id = upload(client, take)
    sandbox.add_fault("code", path="/v1/voice_clone", code=1000, times=3)
    with pytest.raises(errors.SampleRejectedError):
        client.clone(CloneRequest(file_id=file_id, voice_id="HostVoice01", settings=PREVIEW))
    paths = [r["path"] for r in sandbox.requests_seen()]
    assert paths.count("/v1/files/upload") == 2 and paths.count("/v1/voice_clone") == 1


def test_the_per_minute_limit_is_waited_out_and_each_wait_is_told(settings, sandbox):
    said = []
    sandbox.add_fault("rate_limit", path="/v1/t2a_v2", times=3)
    with MiniMaxClient(settings, on_wait=said.append) as client:
        speech = client.speak("female-shaonv", "Hello.", model="speech-2.8-hd")
    assert speech.audio and len(said) == 3
    assert all(s.startswith("MiniMax's per-minute request limit was reached: waiting") for s in said)


def test_waiting_for_the_per_minute_limit_is_bounded(settings, sandbox, monkeypatch):
    from voiceclone import minimax

    monkeypatch.setattr(minimax, "RATE_LIMIT_WAIT_S", 0.3)
    waited = []
    sandbox.add_fault("rate_limit", path="/v1/t2a_v2", times=1000)
    with MiniMaxClient(settings, sleep=waited.append) as client, pytest.raises(RateLimitError):
        client.speak("female-shaonv", "Hello.", model="speech-2.8-hd")
    assert sum(waited) == pytest.approx(0.3) and len(waited) < 1000


def test_every_other_retry_is_told_with_its_attempt(settings, sandbox):
    said = []
    sandbox.add_fault("server_error", path="/v1/t2a_v2", times=2)
    with MiniMaxClient(settings, on_wait=said.append) as client:
        client.speak("female-shaonv", "Hello.", model="speech-2.8-hd")
    assert [s.split(": retrying in ")[1].split(" s ")[1] for s in said] == ["(2/4)", "(3/4)"]


@pytest.mark.parametrize(
    "host, other", [("api.minimaxi.com", "api.minimax.cn"), ("api.minimax.cn", "api.minimaxi.com")]
)
def test_a_key_refused_by_one_mainland_host_names_the_other(settings, host, other):
    from dataclasses import replace

    from voiceclone.errors import api_error

    with MiniMaxClient(replace(settings, base_url=f"https://{host}")) as client:
        error = client._hinted(api_error(1004, "", trace_id="t", http_status=200))
    assert f"try MINIMAX_BASE_URL=https://{other}." in error.fix
    with MiniMaxClient(settings) as client:
        assert "MINIMAX_BASE_URL" not in client._hinted(api_error(1004, "", trace_id="t", http_status=200)).fix


def _one_shot_server(behaviour):
    """A raw TCP server on loopback that reads one request head and then does ``behaviour``:
    ``reset`` (RST before any answer), ``reset_in_body`` (RST after half the answer), ``silent``
    (never answers) or ``truncated`` (a Content-Length longer than the body, then a clean close)."""
    import socket
    import struct

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            body = b'{"base_resp": {"status_code": 0, "status_msg": "success"}, "voices": []}'
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            if behaviour == "silent":
                threading.Event().wait(5)
            elif behaviour == "truncated":
                conn.sendall(head % (len(body) + 40) + body)
            elif behaviour == "reset_in_body":
                conn.sendall(head % len(body) + body[:20])
            if behaviour in ("reset", "reset_in_body"):
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return server, f"http://127.0.0.1:{server.getsockname()[1]}"


@pytest.mark.parametrize(
    "behaviour, lost, words",
    [
        ("refused", False, "could not connect to 127.0.0.1"),
        ("reset", True, "broke before the answer arrived"),
        ("reset_in_body", True, ""),
        ("silent", True, "did not answer within 0.5 s"),
        ("truncated", True, ""),
    ],
)
def test_whether_an_answer_was_lost_is_decided_by_what_failed(settings, behaviour, lost, words):
    """Refused: the request never left, a retry is safe and nothing was made. Every failure after the
    connection existed may have reached the server: the answer counts as lost."""
    import socket

    if behaviour == "refused":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            server, url = None, f"http://127.0.0.1:{s.getsockname()[1]}"
    else:
        server, url = _one_shot_server(behaviour)
    try:
        one_try = Settings(
            api_key=settings.api_key,
            base_url=url,
            presets_path=settings.presets_path,
            read_timeout=0.5,
            max_attempts=1,
            backoff_s=0.01,
        )
        with MiniMaxClient(one_try) as client, pytest.raises(ServiceError) as caught:
            client.voices()
    finally:
        if server is not None:
            server.close()
    assert caught.value.response_lost is lost, str(caught.value)
    assert words in str(caught.value)


def test_speech_settings_are_sent_only_when_set(client, sandbox):
    client.speak("female-shaonv", "Plain.", model="speech-2.8-hd")
    client.speak(
        "female-shaonv",
        "Our guest is Nguyen.",
        model="speech-2.8-hd",
        style={"speed": 1.25, "vol": 2.0, "pitch": -3, "emotion": "calm", "pronunciation": ["Nguyen/(wɪn)"]},
    )
    plain, styled = sandbox.state.spoken
    assert plain == {"voice_id": "female-shaonv", "text": "Plain."}
    assert styled == {
        "voice_id": "female-shaonv",
        "text": "Our guest is (wɪn).",
        "speed": 1.25,
        "vol": 2.0,
        "pitch": -3,
        "emotion": "calm",
    }
