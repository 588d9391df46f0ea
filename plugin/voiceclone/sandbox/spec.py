"""What the MiniMax API accepts and answers, written out from its public docs.

The sandbox stands in for MiniMax in the tests, so it keeps its own copy of every limit instead of
importing the plugin's (:mod:`voiceclone.rules`): a wrong limit there must fail a test, not pass on
both sides. Each value names the section of the MiniMax API docs it comes from.
"""

import re

# MiniMax API docs, File Management - Upload / List: the purposes a file can have.
UPLOAD_PURPOSES = ("voice_clone", "prompt_audio", "t2a_async_input")
# MiniMax API docs, File Management - Delete.
DELETE_PURPOSES = ("voice_clone", "prompt_audio", "t2a_async", "t2a_async_input", "video_generation")
# MiniMax API docs, Voice Cloning - Upload clone audio: the purposes whose file is audio.
AUDIO_PURPOSES = ("voice_clone", "prompt_audio")

# MiniMax API docs, Voice Cloning - Upload clone audio: mp3, m4a or wav, 10 s to 5 min, at most 20 MB.
CLONE_FORMATS = ("mp3", "m4a", "wav")
CLONE_MIN_S = 10.0
CLONE_MAX_S = 300.0
# The docs say "20 MB" without saying whether a MB is 10^6 or 2^20 bytes; the sandbox takes the
# stricter 20,000,000 bytes. They give the limit for audio uploads only, so only those are checked.
AUDIO_UPLOAD_MAX_BYTES = 20_000_000
# MiniMax API docs, Voice Cloning - Clone (clone_prompt): the prompt clip must be shorter than 8 s.
PROMPT_MAX_S = 8.0

# MiniMax API docs, Voice Cloning - Clone (voice_id): 8 to 256 characters, a letter first, then
# letters, digits, '-' or '_', not ending in '-' or '_'. Some resellers also demand a digit; the
# official docs do not, and neither does the sandbox.
VOICE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{6,254}[A-Za-z0-9]")
VOICE_ID_RULE = "8 to 256 letters, digits, '-' or '_', starting with a letter and not ending in '-' or '_'"

# MiniMax API docs, Voice Cloning - Clone (text): at most 1000 characters. Older and reseller docs
# say 2000; the sandbox follows the current docs.
PREVIEW_TEXT_MAX = 1000
# MiniMax API docs, Voice Cloning - Clone (text_validation, accuracy).
TEXT_VALIDATION_MAX = 200
ACCURACY_RANGE = (0.0, 1.0)
CLONE_FLAGS = (
    "need_noise_reduction",
    "need_volume_normalization",
    "aigc_watermark",
    # the older spelling, still sent by MiniMax's own dubbing demo
    "need_volumn_normalization",
)

# MiniMax API docs, Speech T2A HTTP (model) and Voice Cloning - Clone (model): the same eight models.
# A reseller's page lists only four preview models; the sandbox follows the official list.
MODELS = (
    "speech-2.8-hd",
    "speech-2.8-turbo",
    "speech-2.6-hd",
    "speech-2.6-turbo",
    "speech-02-hd",
    "speech-02-turbo",
    "speech-01-hd",
    "speech-01-turbo",
)

# MiniMax API docs, Speech T2A HTTP (language_boost); Voice Cloning - Clone takes the same values.
LANGUAGES = (
    "Chinese",
    "Chinese,Yue",
    "English",
    "Arabic",
    "Russian",
    "Spanish",
    "French",
    "Portuguese",
    "German",
    "Turkish",
    "Dutch",
    "Ukrainian",
    "Vietnamese",
    "Indonesian",
    "Japanese",
    "Italian",
    "Korean",
    "Thai",
    "Polish",
    "Romanian",
    "Greek",
    "Czech",
    "Finnish",
    "Hindi",
    "Bulgarian",
    "Danish",
    "Hebrew",
    "Malay",
    "Persian",
    "Slovak",
    "Swedish",
    "Croatian",
    "Filipino",
    "Hungarian",
    "Norwegian",
    "Slovenian",
    "Catalan",
    "Nynorsk",
    "Tamil",
    "Afrikaans",
    "auto",
)

# MiniMax API docs, Speech T2A HTTP (text): fewer than 10,000 characters.
SPEECH_TEXT_MAX = 9_999
# MiniMax API docs, Speech T2A HTTP (audio_setting, output_format). The global docs add pcmu_raw,
# pcmu_wav and opus, which the sandbox does not make.
SPEECH_FORMATS = ("mp3", "wav", "flac", "pcm")
SPEECH_RATES = (8000, 16000, 22050, 24000, 32000, 44100)
SPEECH_BITRATES = (32000, 64000, 128000, 256000)
SPEECH_CHANNELS = (1, 2)
OUTPUT_FORMATS = ("hex", "url")
# MiniMax API docs, Speech T2A HTTP (voice_setting): speed [0.5, 2] (default 1), vol (0, 10] (default 1),
# pitch an integer [-12, 12] (default 0), emotion from this list; fluent and whisper only on the 2.6
# models (2.8 has no whisper).
SPEED_RANGE = (0.5, 2.0)
VOL_MAX = 10.0
PITCH_RANGE = (-12, 12)
EMOTIONS = ("happy", "sad", "angry", "fearful", "disgusted", "surprised", "calm", "fluent", "whisper")
EMOTIONS_26_ONLY = ("fluent", "whisper")

# MiniMax API docs, Voice Management - Get Voice / Delete Voice.
VOICE_TYPES = ("system", "voice_cloning", "voice_generation", "all")
DELETABLE_VOICE_TYPES = ("voice_cloning", "voice_generation")

# MiniMax API docs, Voice Cloning - Intro: a clone not used for speech within 168 hours is deleted.
VOICE_LIFETIME_S = 168 * 3600

# MiniMax API docs, Error Codes: base_resp.status_code and what it means. The docs give meanings,
# not the exact status_msg (only "success", "unknown error" and "invalid api key" are quoted), so
# the sandbox sends the meaning.
STATUS_MESSAGES = {
    0: "success",
    1000: "unknown error",
    1001: "request timeout",
    1002: "rate limit (RPM)",
    1004: "not authorized: wrong API key or region",
    1008: "insufficient balance",
    1013: "internal service error",
    1024: "internal error",
    1026: "input content flagged as sensitive",
    1027: "output content flagged as sensitive",
    1033: "system error",
    1039: "token limit (TPM)",
    1041: "connection-count limit",
    1042: "invisible or illegal characters exceed 10% of the text",
    1043: "ASR similarity check failed",
    1044: "clone prompt similarity check failed",
    2013: "invalid parameters",
    20132: "invalid clone samples or voice_id",
    2037: "clone audio too short or too long",
    2038: "voice clone disabled for this user: complete real-name verification",
    2039: "voice_id already exists",
    2042: "no access to this voice_id",
    2045: "request-rate growth too steep",
    2048: "prompt audio too long",
    2049: "invalid api key",
    2056: "Token Plan resource limit reached for this period",
    # Not in the official table; MiniMax's CLI and an issue on its MCP server show it.
    2061: "model not included in the current Token Plan",
}
