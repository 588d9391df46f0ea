"""Every error the plugin raises. Each knows the exit code the command line uses and a one-line fix.

::

    VoiceCloneError                 root; .exit_code, .fix
    ├── InputError (ValueError)     exit 2: bad input or usage, found before anything is sent
    │   ├── AudioError              the audio: missing, unreadable, wrong format, length, silent, NaN
    │   └── PresetError             unknown preset, a name or voice_id clash, corrupt or locked file
    ├── RemoteError                 .code, .trace_id, .http_status, .after_lost_response
    │   ├── ApiError                exit 3: MiniMax refused (a non-zero base_resp or an HTTP 4xx)
    │   │   ├── AuthError               1004, 2049, HTTP 401/403: key missing, wrong, or wrong region
    │   │   ├── RateLimitError          1002, 1039, 1041, 2045, HTTP 429
    │   │   ├── QuotaError              1008, 2056, 2061
    │   │   ├── ContentError            1026, 1027, 1042: text or audio flagged or unreadable
    │   │   ├── VerificationError       2038: voice cloning not enabled for the account
    │   │   ├── VoiceIdTakenError       2039
    │   │   ├── VoiceNotFoundError      20132, 2042
    │   │   └── SampleRejectedError     1000, 1043, 1044, 2037, 2048: the audio or transcript refused
    │   └── ServiceError            exit 4: network or server failure, after the retries
    ├── HostError                   exit 5: the DAW could not do what was asked (the result is kept)
    │   ├── HostUnavailable             not running, not reachable, busy or not answering
    │   └── HostCommandFailed           it answered that a command failed
    ├── StorageError                exit 6: a file could not be written here: disk full, read-only, no permission
    └── Cancelled                   exit 130
"""

import errno
from typing import Optional


class VoiceCloneError(Exception):
    """Root of the plugin's errors. ``str(err)`` says what went wrong; ``fix`` what to do."""

    exit_code = 1
    default_fix = ""

    def __init__(self, message: str, *, fix: Optional[str] = None):
        super().__init__(message)
        self.fix = self.default_fix if fix is None else fix

    def user_lines(self) -> list:
        """The one or two plain lines a user reads."""
        lines = [f"error: {self}"]
        if self.fix:
            lines.append(f"fix: {self.fix}")
        return lines


class InputError(VoiceCloneError, ValueError):
    """Bad input or usage, detected before anything is sent or overwritten."""

    exit_code = 2


class AudioError(InputError):
    """The audio file cannot be used as it is and cannot be fixed automatically."""


class PresetError(InputError):
    """A preset is unknown, clashes with another one, or the presets file cannot be used."""


class RemoteError(VoiceCloneError):
    """A failure reported by, or on the way to, the MiniMax service. Carries what support asks for."""

    def __init__(
        self,
        message: str,
        *,
        code: Optional[int] = None,
        trace_id: Optional[str] = None,
        http_status: Optional[int] = None,
        fix: Optional[str] = None,
        retryable: Optional[bool] = None,
        response_lost: bool = False,
    ):
        super().__init__(message, fix=fix)
        self.code = code
        self.trace_id = trace_id
        self.http_status = http_status
        self._retryable = retryable
        #: True when the request may have reached the server but its answer never came back.
        self.response_lost = response_lost
        #: True when an earlier attempt of the same call lost its response (the server may have
        #: acted on it): a 2039 for one's own voice_id then means the voice was made by this run.
        self.after_lost_response = False

    @property
    def retryable(self) -> bool:
        """Worth another attempt after a backoff: rate limits, timeouts, server faults."""
        if self._retryable is not None:
            return self._retryable
        if self.code is not None:
            return self.code in RETRY_CODES
        return self.http_status is not None and (self.http_status in (408, 429) or self.http_status >= 500)

    def __str__(self) -> str:
        details = []
        if self.code is not None:
            details.append(f"MiniMax code {self.code}")
        elif self.http_status is not None:
            details.append(f"HTTP {self.http_status}")
        if self.trace_id:
            details.append(f"Trace-Id {self.trace_id}")
        text = super().__str__()
        return f"{text} ({', '.join(details)})" if details else text


class ApiError(RemoteError):
    """MiniMax refused the request: a non-zero ``base_resp.status_code`` or an HTTP 4xx."""

    exit_code = 3
    default_fix = "Quote the Trace-Id to MiniMax support if the problem stays."


class AuthError(ApiError):
    """The key is missing, wrong, or belongs to the other region's host (1004, 2049, HTTP 401/403)."""

    default_fix = (
        "Check MINIMAX_API_KEY, and that its region matches the host: a global key works "
        "only with api.minimax.io (--provider minimax-global), a mainland key only with "
        "api.minimaxi.com (--provider minimax-cn)."
    )


class RateLimitError(ApiError):
    """Too many requests for the account's plan (1002, 1039, 1041, 2045, HTTP 429)."""

    default_fix = "Wait a minute and run it again; MiniMax limits requests per minute per account."


class QuotaError(ApiError):
    """The account is out of balance or the plan does not cover the model (1008, 2056, 2061)."""

    default_fix = "Top up the MiniMax account or pick a model your plan includes, then run it again."


class ContentError(ApiError):
    """MiniMax flagged the text or the audio, or could not read it (1026, 1027, 1042)."""

    default_fix = "Change the text or the audio and run it again."


class VerificationError(ApiError):
    """Voice cloning is not enabled for the account until its real-name verification (2038)."""

    default_fix = (
        "Complete the personal or enterprise real-name verification in the MiniMax console; "
        "voice cloning is enabled after that."
    )


class VoiceIdTakenError(ApiError):
    """The voice_id exists already, or was deleted and is burned (2039)."""

    default_fix = (
        "Choose a new --voice-id: a voice_id can exist once per account and a deleted one can never be used again."
    )


class VoiceNotFoundError(ApiError):
    """No such voice on the account: never made, deleted, or expired unused (20132, 2042)."""

    default_fix = (
        "Check the voice_id with `voiceclone voices list`; a clone not used for speech "
        "within 7 days is deleted by MiniMax and has to be cloned again."
    )


class SampleRejectedError(ApiError):
    """MiniMax refused the sample or its transcript (1000 after an upload, 1043, 1044, 2037, 2048)."""

    default_fix = "Check the sample with `voiceclone validate`, fix it and run the clone again."


class ServiceError(RemoteError):
    """The network or the server failed, and retrying did not help."""

    exit_code = 4
    default_fix = "Check the network connection and the --base-url, then run it again."


class HostError(VoiceCloneError):
    """The DAW could not do what the plugin asked, such as inserting a result; what was made is kept."""

    exit_code = 5


class HostUnavailable(HostError):
    """The DAW is not running, cannot be reached, is busy with another command or stopped answering."""


class HostCommandFailed(HostError):
    """The DAW answered that a command it was sent failed."""


class StorageError(VoiceCloneError):
    """A file the plugin writes could not be written on this machine; what was made is kept, and
    the message says where."""

    exit_code = 6


#: errno -> what it means for a file the plugin writes.
_STORAGE_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "there is no permission to write there",
    errno.EPERM: "there is no permission to write there",
}


def is_storage_failure(exc: BaseException) -> bool:
    """An OSError that says the machine would not take a write (full, read-only, no permission)."""
    return isinstance(exc, OSError) and exc.errno in _STORAGE_REASONS


def storage_error(exc: OSError, path, what: str, *, fix: Optional[str] = None) -> StorageError:
    """A plain :class:`StorageError` for an OSError met writing ``what`` at ``path``."""
    reason = _STORAGE_REASONS.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    return StorageError(
        f"could not write {what} {path}: {reason}",
        fix=fix or "Free some space or choose a folder you can write to, then run it again.",
    )


class Cancelled(VoiceCloneError):
    """The user cancelled the job; nothing was saved."""

    exit_code = 130


def plain(error: BaseException, *, bug_fix: str) -> VoiceCloneError:
    """Any failure as the one plain error a user reads: the plugin's own as it is, Ctrl-C as
    :class:`Cancelled`, a full or read-only disk as :class:`StorageError`; anything else is a bug
    (exit 1), said as such with ``bug_fix``. The original stays the ``__cause__``."""
    if isinstance(error, VoiceCloneError):
        return error
    if isinstance(error, KeyboardInterrupt):
        said: VoiceCloneError = Cancelled("cancelled; nothing was saved")
    elif isinstance(error, OSError) and is_storage_failure(error):
        said = storage_error(error, error.filename or "a file", "to")
    else:
        said = VoiceCloneError(f"internal error: unexpected {type(error).__name__}: {error}", fix=bug_fix)
    said.__cause__ = error
    return said


#: base_resp.status_code -> (error class, plain message, fix or None for the class's default).
#: From MiniMax's error-code page (platform.minimax.io/docs/api-reference/errorcode, and its mainland twin).
API_CODES = {
    1000: (
        SampleRejectedError,
        "MiniMax reported an unknown error; for a clone this usually means it could not use the uploaded audio",
        None,
    ),
    1001: (ServiceError, "MiniMax timed out on the request", None),
    1002: (RateLimitError, "MiniMax's request-per-minute limit was reached", None),
    1004: (AuthError, "MiniMax did not accept the API key", None),
    1008: (QuotaError, "the MiniMax account balance is too low", None),
    1013: (ServiceError, "MiniMax had an internal service error", None),
    1024: (ServiceError, "MiniMax had an internal error", None),
    1026: (ContentError, "MiniMax flagged the input as sensitive content", None),
    1027: (ContentError, "MiniMax flagged the generated audio as sensitive content", None),
    1033: (ServiceError, "MiniMax had a system error", None),
    1039: (RateLimitError, "MiniMax's tokens-per-minute limit was reached", None),
    1041: (
        RateLimitError,
        "MiniMax's connection limit for the account was reached",
        "Close other clients using the same account, or ask MiniMax support to raise the limit.",
    ),
    1042: (
        ContentError,
        "more than 10% of the text is invisible or illegal characters",
        "Remove control and invisible characters from the text and run it again.",
    ),
    1043: (
        SampleRejectedError,
        "the sample's speech did not match the expected transcript",
        "Correct --text-validation to what is said in the sample, or lower --accuracy.",
    ),
    1044: (
        SampleRejectedError,
        "the prompt audio did not match --prompt-text",
        "Make --prompt-text exactly what is said in --prompt-audio, ending with punctuation.",
    ),
    2013: (
        ApiError,
        "MiniMax rejected a parameter of the request",
        "Check the options (model, language, text) against `voiceclone --help`.",
    ),
    20132: (VoiceNotFoundError, "MiniMax does not know this voice or sample id", None),
    2037: (
        SampleRejectedError,
        "MiniMax found the sample too short or too long (it needs 10 s to 5 min)",
        "Use a sample between 10 seconds and 5 minutes long.",
    ),
    2038: (VerificationError, "voice cloning is not enabled for this MiniMax account", None),
    2039: (VoiceIdTakenError, "this voice_id already exists on MiniMax", None),
    2042: (VoiceNotFoundError, "this account has no access to this voice_id", None),
    2045: (RateLimitError, "requests grew too fast for MiniMax", "Wait a minute and send fewer requests at once."),
    2048: (
        SampleRejectedError,
        "the prompt audio is too long for MiniMax (it must be under 8 s)",
        "Use a --prompt-audio clip shorter than 8 seconds.",
    ),
    2049: (AuthError, "MiniMax says the API key is invalid", None),
    2056: (
        QuotaError,
        "the Token Plan's limit for this period is used up",
        "Wait for the next period or upgrade the plan.",
    ),
    2061: (
        QuotaError,
        "the chosen model is not part of the current Token Plan",
        "Pick another --model or change the plan.",
    ),
}

#: Codes worth retrying with backoff (the rest are final). 1000 is "unknown error, retry later"
#: everywhere but after a voice_clone's accepted upload (MiniMax's error-code page).
RETRY_CODES = frozenset({1000, 1001, 1002, 1013, 1024, 1033, 1039})


def api_error(code: int, status_msg: str, *, trace_id: Optional[str], http_status: Optional[int]):
    """The typed error for a non-zero ``base_resp.status_code``."""
    cls, message, fix = API_CODES.get(code, (ApiError, "MiniMax refused the request", None))
    if status_msg and (code == 2013 or code not in API_CODES):
        message = f"{message}: {status_msg}"  # only here does the server's text name what is wrong
    return cls(message, code=code, trace_id=trace_id, http_status=http_status, fix=fix)


def http_error(http_status: int, *, trace_id: Optional[str]):
    """The typed error for an HTTP error status without a ``base_resp`` in its body."""
    if http_status in (401, 403):
        return AuthError(
            f"MiniMax refused the API key (HTTP {http_status})", http_status=http_status, trace_id=trace_id
        )
    if http_status == 429:
        return RateLimitError("MiniMax is rate-limiting this account", http_status=http_status, trace_id=trace_id)
    if http_status == 404:
        return ApiError(
            "the MiniMax endpoint was not found",
            http_status=http_status,
            trace_id=trace_id,
            fix="Check --base-url or --provider: the base URL must not end in /v1.",
        )
    if http_status >= 500 or http_status in (408,):
        return ServiceError(
            f"the MiniMax server failed (HTTP {http_status})",
            http_status=http_status,
            trace_id=trace_id,
            fix="Run it again in a minute; the service may be busy.",
        )
    return ApiError(f"MiniMax refused the request (HTTP {http_status})", http_status=http_status, trace_id=trace_id)
