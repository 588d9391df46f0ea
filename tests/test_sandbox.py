"""The MiniMax sandbox, exercised over real HTTP the way the plugin's client talks to it."""

from __future__ import annotations

import io
import json
import struct
import time

import numpy as np
import pytest
import requests
import soundfile as sf

from helpers import FAKE_KEY, signal
from voiceclone.sandbox import Sandbox, banner

KEY = FAKE_KEY
AUTH = {"Authorization": f"Bearer {KEY}"}
RATE = 16000
MODEL = "speech-2.8-hd"
#: MiniMax API docs, Error Codes: every base_resp.status_code of the official table, and 2061.
DOCUMENTED_CODES = (
    1000,
    1001,
    1002,
    1004,
    1008,
    1013,
    1024,
    1026,
    1027,
    1033,
    1039,
    1041,
    1042,
    1043,
    1044,
    2013,
    20132,
    2037,
    2038,
    2039,
    2042,
    2045,
    2048,
    2049,
    2056,
    2061,
)


def wav_bytes(seconds: float) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, signal(seconds, RATE), RATE, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """Audio files written once for the module: an 11 s clone sample, a 5 s one, prompts."""
    folder = tmp_path_factory.mktemp("audio")
    files = {
        "sample": wav_bytes(11.0),
        "short": wav_bytes(5.0),
        "prompt": wav_bytes(4.0),
        "long_prompt": wav_bytes(9.0),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = folder / f"{name}.wav"
        paths[name].write_bytes(data)
    return paths


@pytest.fixture
def sandbox():
    with Sandbox() as running:
        yield running


@pytest.fixture
def http(sandbox):
    """Post or get a /v1 or /sandbox path of the sandbox with the test key."""
    session = requests.Session()

    class Http:
        def post(self, path, **kwargs):
            return session.post(sandbox.base_url + path, headers=kwargs.pop("headers", AUTH), timeout=10, **kwargs)

        def get(self, path, **kwargs):
            return session.get(sandbox.base_url + path, headers=kwargs.pop("headers", AUTH), timeout=10, **kwargs)

    yield Http()
    session.close()


def code_of(response) -> int:
    assert response.status_code == 200, response.text
    return response.json()["base_resp"]["status_code"]


def wav_of_size(size: int) -> bytes:
    """A valid 16 kHz 16-bit mono WAV file of exactly ``size`` bytes (silence)."""
    data = size - 44
    header = (
        b"RIFF"
        + struct.pack("<I", size - 8)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, RATE, 2 * RATE, 2, 16)
        + b"data"
        + struct.pack("<I", data)
    )
    return header + bytes(data)


def upload(http, path, purpose="voice_clone", filename=None):
    with open(path, "rb") as handle:
        return http.post("/v1/files/upload", data={"purpose": purpose}, files={"file": (filename or path.name, handle)})


def upload_id(http, path, purpose="voice_clone") -> int:
    response = upload(http, path, purpose)
    assert code_of(response) == 0, response.text
    return response.json()["file"]["file_id"]


def clone(http, file_id, voice_id="SandboxVoice01", **fields):
    return http.post("/v1/voice_clone", json=dict(file_id=file_id, voice_id=voice_id, **fields))


def speak(http, voice_id, **fields):
    body = {"model": MODEL, "text": "Hello from the sandbox.", "voice_setting": {"voice_id": voice_id}}
    body.update(fields)
    return http.post("/v1/t2a_v2", json=body)


# -- files ------------------------------------------------------------------------------------


def test_upload_wav_returns_an_integer_file_id(http, sandbox, samples):
    response = upload(http, samples["sample"])
    assert code_of(response) == 0
    file = response.json()["file"]
    assert isinstance(file["file_id"], int) and len(str(file["file_id"])) == 15
    assert file["bytes"] == samples["sample"].stat().st_size
    assert file["filename"] == "sample.wav" and file["purpose"] == "voice_clone"
    stored = sandbox.state.files[file["file_id"]]
    assert stored.duration_s == pytest.approx(11.0, abs=0.01)
    assert stored.data == samples["sample"].read_bytes()


def test_format_is_judged_by_content_not_name(http, sandbox, samples, tmp_path):
    response = upload(http, samples["sample"], filename="really-a-wav.mp3")
    assert code_of(response) == 0
    assert sandbox.state.files[response.json()["file"]["file_id"]].format == "wav"
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio at all\n" * 50)
    refused = upload(http, text)
    assert code_of(refused) == 2013
    assert "invalid file format, the file must be mp3, m4a, wav audio" in refused.json()["base_resp"]["status_msg"]


def test_mp3_and_m4a_are_measured_flac_is_refused(http, sandbox, samples, make_audio):
    mp3, flac, m4a = (make_audio(f"a.{fmt}", 11.0, RATE) for fmt in ("mp3", "flac", "m4a"))
    for path in (mp3, m4a):
        stored = sandbox.state.files[upload_id(http, path)]
        assert stored.duration_s == pytest.approx(11.0, abs=0.2)
    assert code_of(upload(http, flac)) == 2013


def test_upload_refuses_bad_purpose_missing_file_and_oversize(http, samples):
    bad = upload(http, samples["sample"], purpose="music")
    assert code_of(bad) == 2013 and "purpose" in bad.json()["base_resp"]["status_msg"]
    assert (
        code_of(http.post("/v1/files/upload", data={"purpose": "voice_clone"}, files={"other": ("x.txt", b"x")}))
        == 2013
    )
    # MiniMax API docs, Voice Cloning - Upload clone audio: at most 20 MB (taken as 20,000,000 bytes)
    largest = wav_of_size(20_000_000)
    accepted = http.post("/v1/files/upload", data={"purpose": "voice_clone"}, files={"file": ("big.wav", largest)})
    assert code_of(accepted) == 0 and accepted.json()["file"]["bytes"] == 20_000_000
    too_big = http.post(
        "/v1/files/upload", data={"purpose": "voice_clone"}, files={"file": ("big.wav", largest + b"\0")}
    )
    assert code_of(too_big) == 2013
    assert "file size 20000001 bytes exceeds 20000000 bytes" in too_big.json()["base_resp"]["status_msg"]


def test_file_list_and_delete(http, sandbox, samples):
    file_id = upload_id(http, samples["prompt"], purpose="prompt_audio")
    listed = http.get("/v1/files/list", params={"purpose": "prompt_audio"}).json()["files"]
    assert [f["file_id"] for f in listed] == [file_id]
    assert code_of(http.post("/v1/files/delete", json={"file_id": file_id, "purpose": "voice_clone"})) == 20132
    deleted = http.post("/v1/files/delete", json={"file_id": file_id, "purpose": "prompt_audio"})
    assert code_of(deleted) == 0 and deleted.json()["file_id"] == file_id
    assert file_id not in sandbox.state.files


# -- voice_clone ------------------------------------------------------------------------------


def test_clone_with_preview_serves_a_synthetic_mp3(http, sandbox, samples):
    file_id = upload_id(http, samples["sample"])
    response = clone(
        http,
        file_id,
        text="Hello, this is my cloned voice.",
        model=MODEL,
        need_volume_normalization=True,
        need_volumn_normalization=True,
    )
    assert code_of(response) == 0
    body = response.json()
    assert "voice_id" not in body and body["input_sensitive"] is False
    url = body["demo_audio"]
    assert url.startswith(sandbox.base_url + "/sandbox/audio/") and "synthetic" in url
    assert body["extra_info"]["usage_characters"] == len("Hello, this is my cloned voice.")
    preview = requests.get(url, timeout=10)  # no auth, like a CDN URL
    assert preview.headers["Content-Type"] == "audio/mpeg"
    assert int(preview.headers["Content-Length"]) == len(preview.content)
    decoded, rate = sf.read(io.BytesIO(preview.content))
    assert rate == 24000 and len(decoded) / rate >= 1.0
    voice = sandbox.state.voices["SandboxVoice01"]
    assert (voice.file_id, voice.model, voice.activated, voice.deleted) == (file_id, MODEL, False, False)
    assert voice.options["need_volumn_normalization"] is True


def test_demo_audio_is_empty_without_text_or_model(http, samples):
    file_id = upload_id(http, samples["sample"])
    plain = clone(http, file_id, voice_id="PlainVoice01")
    assert code_of(plain) == 0 and plain.json()["demo_audio"] == "" and "extra_info" not in plain.json()
    text_only = clone(http, file_id, voice_id="TextOnly01", text="Just text.")
    assert text_only.json()["demo_audio"] == "" and "extra_info" in text_only.json()


def test_unknown_preview_audio_is_404(http):
    assert http.get("/sandbox/audio/sandbox-synthetic-preview-nothing-1.mp3").status_code == 404


def test_clone_refusals(http, samples):
    file_id = upload_id(http, samples["sample"])
    short_id = upload_id(http, samples["short"])
    prompt_id = upload_id(http, samples["prompt"], purpose="prompt_audio")
    long_prompt_id = upload_id(http, samples["long_prompt"], purpose="prompt_audio")
    cases = [
        (dict(file_id=str(file_id)), 2013),
        (dict(file_id=123456789012345), 20132),
        (dict(file_id=prompt_id), 20132),
        (dict(file_id=short_id), 2037),
        (dict(voice_id="bad id!"), 2013),
        (dict(voice_id="1StartsWithDigit"), 2013),
        (dict(voice_id="Seven07"), 2013),
        (dict(voice_id="V" * 257), 2013),
        (dict(voice_id="EndsWithDash01-"), 2013),
        (dict(voice_id="EndsWithUnderscore01_"), 2013),
        (dict(voice_id="Ünicode01"), 2013),
        (dict(clone_prompt={"prompt_audio": prompt_id}), 2013),
        (dict(clone_prompt={"prompt_audio": file_id, "prompt_text": "Hi."}), 20132),
        (dict(clone_prompt={"prompt_audio": long_prompt_id, "prompt_text": "Hi."}), 2048),
        (dict(text="x" * 1001), 2013),
        (dict(text_validation="x" * 201), 2013),
        (dict(text="Hi.", model="speech-9"), 2013),
        (dict(language_boost="Klingon"), 2013),
        (dict(accuracy=1.5), 2013),
        (dict(need_noise_reduction="yes"), 2013),
    ]
    for fields, expected in cases:
        body = dict(file_id=file_id, voice_id="RefusedVoice01")
        body.update(fields)
        response = http.post("/v1/voice_clone", json=body)
        assert code_of(response) == expected, (fields, response.text)
        assert response.json()["demo_audio"] == ""
    ok = clone(
        http,
        file_id,
        voice_id="RefusedVoice01",
        language_boost="English",
        accuracy=0.8,
        text_validation="hello",
        clone_prompt={"prompt_audio": prompt_id, "prompt_text": "Hi."},
    )
    assert code_of(ok) == 0
    longest = clone(http, file_id, voice_id="LongestText01", text="x" * 1000, text_validation="x" * 200)
    assert code_of(longest) == 0


@pytest.mark.parametrize("voice_id", ["Eight008", "A" + "b" * 254 + "9", "with-dash_and_underscore1"])
def test_documented_voice_ids_are_accepted(http, samples, voice_id):
    assert code_of(clone(http, upload_id(http, samples["sample"]), voice_id=voice_id)) == 0


def test_duplicate_voice_id_is_2039(http, sandbox, samples):
    file_id = upload_id(http, samples["sample"])
    assert code_of(clone(http, file_id)) == 0
    assert code_of(clone(http, file_id)) == 2039
    assert len(sandbox.state.voices) == 1


def test_malformed_json_is_2013(http):
    headers = dict(AUTH, **{"Content-Type": "application/json"})
    response = http.post("/v1/voice_clone", data=b"{not json", headers=headers)
    assert code_of(response) == 2013


# -- auth -------------------------------------------------------------------------------------


def test_missing_or_malformed_authorization_is_1004(http):
    assert code_of(http.post("/v1/get_voice", json={"voice_type": "all"}, headers={})) == 1004
    assert (
        code_of(http.post("/v1/get_voice", json={"voice_type": "all"}, headers={"Authorization": "Basic abc"})) == 1004
    )


def test_configured_keys_refuse_others_with_2049():
    with Sandbox(api_keys={KEY}) as sandbox:
        url = sandbox.base_url + "/v1/get_voice"
        wrong = requests.post(url, json={"voice_type": "all"}, headers={"Authorization": "Bearer other"}, timeout=10)
        assert code_of(wrong) == 2049
        right = requests.post(url, json={"voice_type": "all"}, headers=AUTH, timeout=10)
        assert code_of(right) == 0
        assert "any non-empty" not in banner(sandbox)


def test_the_key_never_appears_in_responses_or_log(samples):
    lines = []
    with Sandbox(log=lines.append) as sandbox:
        session = requests.Session()
        session.headers.update(AUTH)
        base = sandbox.base_url
        responses = []
        with open(samples["sample"], "rb") as handle:
            responses.append(
                session.post(
                    base + "/v1/files/upload", data={"purpose": "voice_clone"}, files={"file": ("s.wav", handle)}
                )
            )
        file_id = responses[0].json()["file"]["file_id"]
        responses.append(
            session.post(
                base + "/v1/voice_clone",
                json={"file_id": file_id, "voice_id": "KeyCheck01", "text": "Hi there.", "model": MODEL},
            )
        )
        responses.append(
            session.post(
                base + "/v1/t2a_v2", json={"model": MODEL, "text": "Hi.", "voice_setting": {"voice_id": "KeyCheck01"}}
            )
        )
        responses.append(session.post(base + "/v1/get_voice", json={"voice_type": "all"}))
        responses.append(session.post(base + "/v1/nope", json={}))
        responses.append(session.post(base + "/v1/voice_clone", data=KEY))
        responses.append(requests.post(base + "/v1/get_voice", json={}, headers={"Authorization": KEY}, timeout=10))
        for response in responses:
            assert KEY not in response.text and KEY not in json.dumps(dict(response.headers))
        assert lines and not any(KEY in line for line in lines)
        assert all(KEY not in json.dumps(entry) for entry in sandbox.requests_seen())


# -- t2a, get_voice, delete_voice -------------------------------------------------------------


def test_t2a_hex_wav_has_the_requested_rate(http, samples):
    response = speak(http, "English_expressive_narrator", audio_setting={"format": "wav", "sample_rate": 22050})
    assert code_of(response) == 0
    body = response.json()
    assert body["trace_id"] == response.headers["Trace-Id"] and body["data"]["status"] == 2
    audio = bytes.fromhex(body["data"]["audio"])
    decoded, rate = sf.read(io.BytesIO(audio))
    assert rate == 22050 and body["extra_info"]["audio_sample_rate"] == 22050
    assert body["extra_info"]["audio_size"] == len(audio)
    assert body["extra_info"]["audio_length"] == pytest.approx(1000 * len(decoded) / rate, abs=1)


@pytest.mark.parametrize("fmt, channels", [("mp3", 1), ("flac", 2), ("pcm", 1)])
def test_t2a_formats_and_url_output(http, fmt, channels):
    response = speak(
        http,
        "female-shaonv",
        output_format="url",
        audio_setting={"format": fmt, "sample_rate": 24000, "channel": channels},
    )
    assert code_of(response) == 0
    audio = requests.get(response.json()["data"]["audio"], timeout=10).content
    if fmt == "pcm":
        assert len(audio) == response.json()["extra_info"]["audio_size"] and len(audio) % 2 == 0
    else:
        info = sf.info(io.BytesIO(audio))
        assert (info.samplerate, info.channels) == (24000, channels)


def test_t2a_refusals(http):
    assert code_of(speak(http, "nobody-knows-me")) == 20132
    assert code_of(speak(http, "female-shaonv", stream=True)) == 2013
    assert code_of(speak(http, "female-shaonv", model="speech-9")) == 2013
    assert code_of(speak(http, "female-shaonv", text="")) == 2013
    assert code_of(speak(http, "female-shaonv", text="x" * 10000)) == 2013
    assert code_of(speak(http, "female-shaonv", text="x" * 9999, audio_setting={"format": "pcm"})) == 0
    assert code_of(speak(http, "female-shaonv", audio_setting={"sample_rate": 12345})) == 2013
    assert code_of(speak(http, "female-shaonv", audio_setting={"format": "ogg"})) == 2013
    refused = speak(http, "female-shaonv", output_format="base64")
    assert code_of(refused) == 2013 and refused.json()["data"] is None


def test_get_voice_lists_a_clone_only_after_speech(http, sandbox, samples):
    assert code_of(clone(http, upload_id(http, samples["sample"]))) == 0
    before = http.post("/v1/get_voice", json={"voice_type": "voice_cloning"}).json()
    assert before["voice_cloning"] == [] and "system_voice" not in before
    assert code_of(speak(http, "SandboxVoice01")) == 0
    assert sandbox.state.voices["SandboxVoice01"].activated
    after = http.post("/v1/get_voice", json={"voice_type": "all"}).json()
    assert [v["voice_id"] for v in after["voice_cloning"]] == ["SandboxVoice01"]
    assert len(after["voice_cloning"][0]["created_time"]) == 10
    assert any(v["voice_id"] == "female-shaonv" for v in after["system_voice"])
    assert after["voice_generation"] == []
    assert code_of(http.post("/v1/get_voice", json={"voice_type": "mine"})) == 2013


def test_delete_burns_the_voice_id(http, sandbox, samples):
    file_id = upload_id(http, samples["sample"])
    assert code_of(clone(http, file_id)) == 0
    deleted = http.post("/v1/delete_voice", json={"voice_type": "voice_cloning", "voice_id": "SandboxVoice01"})
    assert code_of(deleted) == 0 and deleted.json()["voice_id"] == "SandboxVoice01"
    assert deleted.json()["created_time"].isdigit()
    assert sandbox.state.voices["SandboxVoice01"].deleted
    assert (
        code_of(http.post("/v1/delete_voice", json={"voice_type": "voice_cloning", "voice_id": "SandboxVoice01"}))
        == 20132
    )
    assert code_of(http.post("/v1/delete_voice", json={"voice_type": "system", "voice_id": "x"})) == 2013
    assert code_of(speak(http, "SandboxVoice01")) == 20132
    assert code_of(clone(http, file_id)) == 2039


def test_unactivated_clone_expires_after_seven_days(samples):
    now = [1_700_000_000.0]
    with Sandbox(clock=lambda: now[0]) as sandbox:
        session = requests.Session()
        session.headers.update(AUTH)
        with open(samples["sample"], "rb") as handle:
            file_id = session.post(
                sandbox.base_url + "/v1/files/upload",
                data={"purpose": "voice_clone"},
                files={"file": ("s.wav", handle)},
            ).json()["file"]["file_id"]
        for voice_id in ("ExpiringVoice01", "KeptVoice01"):
            made = session.post(sandbox.base_url + "/v1/voice_clone", json={"file_id": file_id, "voice_id": voice_id})
            assert code_of(made) == 0
        t2a = {"model": MODEL, "text": "Hi.", "voice_setting": {"voice_id": "KeptVoice01"}}
        assert code_of(session.post(sandbox.base_url + "/v1/t2a_v2", json=t2a)) == 0
        now[0] += 7 * 24 * 3600 + 1  # MiniMax API docs, Voice Cloning - Intro: deleted after 168 h unused
        t2a["voice_setting"]["voice_id"] = "ExpiringVoice01"
        assert code_of(session.post(sandbox.base_url + "/v1/t2a_v2", json=t2a)) == 20132
        t2a["voice_setting"]["voice_id"] = "KeptVoice01"
        assert code_of(session.post(sandbox.base_url + "/v1/t2a_v2", json=t2a)) == 0
        again = {"file_id": file_id, "voice_id": "ExpiringVoice01"}
        assert code_of(session.post(sandbox.base_url + "/v1/voice_clone", json=again)) == 2039


# -- faults -----------------------------------------------------------------------------------


def test_rate_limit_and_code_faults_skip_the_work(http, sandbox, samples):
    file_id = upload_id(http, samples["sample"])
    sandbox.add_fault("rate_limit", path="/v1/voice_clone")
    limited = clone(http, file_id)
    assert code_of(limited) == 1002 and limited.json()["base_resp"]["status_msg"] == "rate limit (RPM)"
    sandbox.add_fault("code", code=2038, times=2)
    assert code_of(clone(http, file_id)) == 2038
    assert code_of(http.post("/v1/get_voice", json={"voice_type": "all"})) == 2038
    assert not sandbox.state.voices
    assert code_of(clone(http, file_id)) == 0


def test_every_documented_code_can_be_injected_with_its_meaning(http, sandbox):
    for code in DOCUMENTED_CODES:
        sandbox.add_fault("code", code=code)
        response = http.post("/v1/get_voice", json={"voice_type": "all"})
        assert code_of(response) == code
        assert response.json()["base_resp"]["status_msg"] != "error injected by the sandbox", code
    quoted = {1000: "unknown error", 2049: "invalid api key", 0: "success"}  # the texts MiniMax's docs quote
    for code, text in quoted.items():
        if code:
            sandbox.add_fault("code", code=code)
        assert http.post("/v1/get_voice", json={"voice_type": "all"}).json()["base_resp"]["status_msg"] == text


def test_server_error_and_http_status_faults(http, sandbox):
    sandbox.add_fault("server_error")
    failed = http.post("/v1/get_voice", json={"voice_type": "all"})
    assert failed.status_code == 503 and failed.text.lstrip().startswith("<html")
    sandbox.add_fault("http_status", code=429)
    limited = http.post("/v1/get_voice", json={"voice_type": "all"})
    assert limited.status_code == 429 and "base_resp" not in limited.json()
    assert code_of(http.post("/v1/get_voice", json={"voice_type": "all"})) == 0


def test_fault_path_only_matches_that_path(http, sandbox):
    sandbox.add_fault("rate_limit", path="/v1/t2a_v2")
    assert code_of(http.post("/v1/get_voice", json={"voice_type": "all"})) == 0
    assert code_of(speak(http, "female-shaonv")) == 1002
    sandbox.add_fault("rate_limit", times=5)
    sandbox.clear_faults()
    assert code_of(speak(http, "female-shaonv")) == 0


def test_drop_does_the_work_but_loses_the_answer(http, sandbox, samples):
    file_id = upload_id(http, samples["sample"])
    sandbox.add_fault("drop", path="/v1/voice_clone")
    with pytest.raises(requests.ConnectionError):
        clone(http, file_id)
    assert "SandboxVoice01" in sandbox.state.voices
    assert code_of(clone(http, file_id)) == 2039
    clones = [r for r in sandbox.requests_seen() if r["path"] == "/v1/voice_clone"]
    assert [(r["fault"], r["http_status"], r["status_code"]) for r in clones] == [("drop", None, 0), (None, 200, 2039)]
    assert clones[0]["voice_id"] == "SandboxVoice01"


def test_slow_fault_delays_then_answers(http, sandbox):
    sandbox.add_fault("slow", seconds=0.3)
    with pytest.raises(requests.Timeout):
        requests.post(sandbox.base_url + "/v1/get_voice", json={"voice_type": "all"}, headers=AUTH, timeout=0.1)
    sandbox.add_fault("slow", seconds=0.2)
    started = time.monotonic()
    assert code_of(http.post("/v1/get_voice", json={"voice_type": "all"})) == 0
    assert time.monotonic() - started >= 0.2, "the answer came after the delay"


def test_faults_over_http(http, sandbox):
    added = requests.post(
        sandbox.base_url + "/sandbox/faults",
        timeout=10,
        json={"kind": "code", "code": 1008, "path": "/v1/t2a_v2", "times": 1},
    )
    assert added.status_code == 200
    assert code_of(speak(http, "female-shaonv")) == 1008
    requests.post(sandbox.base_url + "/sandbox/faults", json={"kind": "rate_limit", "times": 3}, timeout=10)
    assert requests.delete(sandbox.base_url + "/sandbox/faults", timeout=10).status_code == 200
    assert code_of(speak(http, "female-shaonv")) == 0
    bad = requests.post(sandbox.base_url + "/sandbox/faults", json={"kind": "explode"}, timeout=10)
    assert bad.status_code == 400 and "kind" in bad.json()["error"]
    seen = requests.get(sandbox.base_url + "/sandbox/requests", timeout=10).json()["requests"]
    assert [(r["path"], r["status_code"], r["fault"]) for r in seen] == [
        ("/v1/t2a_v2", 1008, "code"),
        ("/v1/t2a_v2", 0, None),
    ]


def test_bad_fault_arguments_raise():
    sandbox = Sandbox()
    for kind, kwargs in [
        ("explode", {}),
        ("code", {}),
        ("http_status", {"code": 200}),
        ("rate_limit", {"times": 0}),
        ("server_error", {"code": 404}),
        ("slow", {"seconds": -1}),
        ("drop", {"path": "v1/x"}),
    ]:
        with pytest.raises(ValueError):
            sandbox.add_fault(kind, **kwargs)


# -- HTTP behaviour ---------------------------------------------------------------------------


def test_every_response_has_a_unique_trace_id(http, sandbox):
    responses = [
        http.post("/v1/get_voice", json={"voice_type": "all"}),
        http.post("/v1/missing", json={}),
        http.get("/v1/voice_clone"),
        http.get("/sandbox/audio/none.mp3"),
    ]
    traces = [r.headers.get("Trace-Id", "") for r in responses]
    assert all(t.startswith("sbx-") for t in traces) and len(set(traces)) == len(traces)


def test_unknown_path_is_404_text_and_wrong_method_405(http, sandbox):
    missing = http.post("/v1/voice_clones", json={})
    assert missing.status_code == 404 and missing.text == "404 page not found"
    wrong = http.get("/v1/voice_clone")
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "POST"
    assert [r["http_status"] for r in sandbox.requests_seen()] == [404, 405]


def test_chunked_request_body_and_keep_alive(http, sandbox):
    def chunks():
        yield b'{"voice_type": '
        yield b'"system"}'

    session = requests.Session()
    first = session.post(sandbox.base_url + "/v1/get_voice", data=chunks(), headers=AUTH, timeout=10)
    assert code_of(first) == 0 and "system_voice" in first.json()
    second = session.post(sandbox.base_url + "/v1/get_voice", json={"voice_type": "system"}, headers=AUTH, timeout=10)
    assert code_of(second) == 0 and len(sandbox.requests_seen()) == 2
    session.close()


def test_requests_seen_records_what_was_asked(http, sandbox, samples):
    assert sandbox.requests_seen() == []
    upload_id(http, samples["sample"])
    seen = sandbox.requests_seen()
    assert len(seen) == 1 and seen[0]["purpose"] == "voice_clone" and seen[0]["status_code"] == 0


def test_stop_is_idempotent_and_does_not_wait_for_open_connections():
    sandbox = Sandbox().start()
    session = requests.Session()
    session.post(sandbox.base_url + "/v1/get_voice", json={"voice_type": "all"}, headers=AUTH, timeout=10)
    sandbox.stop()
    sandbox.stop()
    with pytest.raises(RuntimeError):
        _ = sandbox.base_url
    session.close()


def test_banner_names_the_url_and_says_it_is_not_minimax(sandbox):
    text = banner(sandbox)
    assert "SANDBOX" in text and "not the real MiniMax API" in text
    assert f"MINIMAX_BASE_URL={sandbox.base_url}" in text


def test_audio_dir_keeps_generated_audio_on_disk(tmp_path):
    with Sandbox(audio_dir=tmp_path / "audio") as sandbox:
        response = requests.post(
            sandbox.base_url + "/v1/t2a_v2",
            headers=AUTH,
            timeout=10,
            json={
                "model": MODEL,
                "text": "Hi.",
                "voice_setting": {"voice_id": "female-shaonv"},
                "output_format": "url",
            },
        )
        url = response.json()["data"]["audio"]
        name = url.rsplit("/", 1)[1]
        assert (tmp_path / "audio" / name).read_bytes() == requests.get(url, timeout=10).content


def _spoken(http, **fields):
    """The speech's samples and rate, as a wav."""
    response = speak(
        http, "English_expressive_narrator", audio_setting={"format": "wav", "sample_rate": 24000}, **fields
    )
    assert code_of(response) == 0, response.text
    return sf.read(io.BytesIO(bytes.fromhex(response.json()["data"]["audio"])), dtype="float32")


def _pitch_hz(samples, rate) -> float:
    """The voice's median fundamental: the autocorrelation peak of each loud 40 ms frame."""
    frame, found = int(0.04 * rate), []
    lags = np.arange(rate // 500, rate // 60)
    loud = 0.3 * np.max(np.abs(samples))
    for start in range(0, len(samples) - frame, frame):
        piece = samples[start : start + frame].astype(np.float64)
        if np.max(np.abs(piece)) < loud:
            continue
        piece -= piece.mean()
        corr = np.array([np.dot(piece[:-lag], piece[lag:]) for lag in lags])
        found.append(rate / lags[int(np.argmax(corr))])
    return float(np.median(found))


def _rms(samples) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def test_t2a_honours_speed_vol_pitch_and_emotion_measurably(http):
    """The voice settings change the audio the way a listener would notice, so the plugin's tests
    check what the plugin sends, not the sandbox's indifference."""
    text = {"text": "A sentence long enough to measure the speed of the sandbox's synthetic voice."}
    plain, rate = _spoken(http, **text)
    fast, _ = _spoken(http, voice_setting={"voice_id": "English_expressive_narrator", "speed": 2.0}, **text)
    assert len(fast) == pytest.approx(len(plain) / 2, rel=0.02)
    quiet, _ = _spoken(http, voice_setting={"voice_id": "English_expressive_narrator", "vol": 0.5}, **text)
    assert _rms(quiet) == pytest.approx(_rms(plain) / 2, rel=0.05)
    higher, _ = _spoken(http, voice_setting={"voice_id": "English_expressive_narrator", "pitch": 12}, **text)
    assert _pitch_hz(higher, rate) == pytest.approx(2 * _pitch_hz(plain, rate), rel=0.1)
    sad, _ = _spoken(http, voice_setting={"voice_id": "English_expressive_narrator", "emotion": "sad"}, **text)
    assert _pitch_hz(sad, rate) < _pitch_hz(plain, rate) and _rms(sad) < _rms(plain)


def test_t2a_applies_the_pronunciation_dict_to_what_it_says(http, sandbox):
    plain = {"text": "Our guest is Nguyen."}
    assert code_of(speak(http, "female-shaonv", **plain)) == 0
    said = speak(http, "female-shaonv", pronunciation_dict={"tone": ["Nguyen/(wɪn) the great"]}, **plain)
    assert code_of(said) == 0
    assert [entry["text"] for entry in sandbox.state.spoken] == [
        "Our guest is Nguyen.",
        "Our guest is (wɪn) the great.",
    ]
    assert said.json()["extra_info"]["audio_length"] > 0


@pytest.mark.parametrize(
    "voice_setting, model",
    [
        ({"speed": 0.4}, MODEL),
        ({"speed": 2.1}, MODEL),
        ({"vol": 0}, MODEL),
        ({"vol": 10.5}, MODEL),
        ({"pitch": 13}, MODEL),
        ({"pitch": 1.5}, MODEL),
        ({"emotion": "neutral"}, MODEL),
        ({"emotion": "whisper"}, "speech-2.8-hd"),
        ({"emotion": "fluent"}, "speech-02-hd"),
    ],
)
def test_t2a_refuses_voice_settings_outside_the_documented_ranges(http, voice_setting, model):
    body = {"voice_id": "female-shaonv", **voice_setting}
    assert code_of(speak(http, "female-shaonv", voice_setting=body, model=model)) == 2013


def test_t2a_takes_whisper_and_fluent_on_the_2_6_models(http):
    for emotion in ("whisper", "fluent"):
        body = {"voice_id": "female-shaonv", "emotion": emotion}
        assert code_of(speak(http, "female-shaonv", voice_setting=body, model="speech-2.6-hd")) == 0
