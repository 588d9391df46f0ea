"""The pure checks of everything a user types: voice_id, preview text and model, language, clone
prompt, text validation, pause markup, interjection tags, region and preset names."""

import pytest

from voiceclone import rules
from voiceclone.errors import InputError

# A few of the preview models the API reference lists (MiniMax's voice-clone API page), spelled out here so the
# tests do not lean on rules.MODELS.
DOCUMENTED_MODELS = ("speech-2.8-hd", "speech-2.8-turbo", "speech-2.6-hd", "speech-02-hd", "speech-01-turbo")


def voice_id_of(length: int) -> str:
    """A valid-looking voice_id of exactly ``length`` characters: a letter, filler, a digit."""
    return "V" + "a" * (length - 2) + "1"


# --- voice_id -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "voice_id",
    [
        voice_id_of(8),
        voice_id_of(256),
        "HostVoice01",
        "host-voice_2024",
        "A1234567",
        "Narrator-EN-v2",
    ],
)
def test_a_voice_id_that_meets_every_rule_is_accepted_without_warnings(voice_id):
    assert rules.check_voice_id(voice_id) == []


@pytest.mark.parametrize("length", [7, 257, 0])
def test_a_voice_id_outside_8_to_256_characters_is_refused_with_its_length(length):
    voice_id = voice_id_of(length) if length else ""
    with pytest.raises(InputError) as caught:
        rules.check_voice_id(voice_id)
    message = str(caught.value)
    assert f"is {length} characters" in message
    assert "8 to 256" in message
    assert voice_id[:20] in message


def test_a_very_long_voice_id_is_shortened_in_the_message_but_still_recognisable():
    voice_id = "Studio" + "x" * 300 + "9"
    with pytest.raises(InputError) as caught:
        rules.check_voice_id(voice_id)
    message = str(caught.value)
    assert "Studioxxxx" in message
    assert voice_id not in message
    assert len(message) < 120


@pytest.mark.parametrize(
    "voice_id, rule",
    [
        ("1HostVoice", "must start with a letter"),
        ("_HostVoice1", "must start with a letter"),
        ("-HostVoice1", "must start with a letter"),
        ("\u00c9milieVoice1", "must start with a letter"),
        ("HostVoice1-", "must not end with '-' or '_'"),
        ("HostVoice1_", "must not end with '-' or '_'"),
        ("Host Voice01", "may hold only letters, digits, '-' and '_'"),
        ("Host.Voice01", "may hold only letters, digits, '-' and '_'"),
        ("HostVoic\u00e901", "may hold only letters, digits, '-' and '_'"),
    ],
)
def test_a_voice_id_breaking_a_rule_is_refused_naming_the_value_and_the_rule(voice_id, rule):
    with pytest.raises(InputError) as caught:
        rules.check_voice_id(voice_id)
    message = str(caught.value)
    assert f"'{voice_id}'" in message
    assert rule in message
    assert caught.value.fix


@pytest.mark.parametrize(
    "voice_id, bad", [("Host Voice01", "' '"), ("Host.Voice01", "'.'"), ("Host/Voice:01", "'/' ':'")]
)
def test_the_refusal_of_a_voice_id_quotes_the_characters_that_are_not_allowed(voice_id, bad):
    with pytest.raises(InputError, match=f"found {bad}"):
        rules.check_voice_id(voice_id)


def test_a_voice_id_without_a_digit_is_accepted_with_a_warning():
    warnings = rules.check_voice_id("HostVoiceMain")
    assert len(warnings) == 1
    assert "'HostVoiceMain'" in warnings[0]
    assert "no digit" in warnings[0]


# --- preview text and model ---------------------------------------------------------------------


@pytest.mark.parametrize("length", [1, 1000])
def test_preview_text_up_to_1000_characters_is_sent_as_it_is(length):
    text = ("Hello there. " * 100)[: length - 1] + "!"
    sent, model, warnings = rules.check_preview(text, "speech-2.6-hd")
    assert (sent, model, warnings) == (text, "speech-2.6-hd", [])


def test_preview_text_of_1001_characters_is_refused_with_its_count():
    with pytest.raises(InputError) as caught:
        rules.check_preview("a" * 1001, "speech-2.8-hd")
    assert "1001 characters" in str(caught.value)
    assert "1000" in str(caught.value)


@pytest.mark.parametrize(
    "text, what", [("", "empty"), ("   \n ", "empty"), ("Hello\u200bthere", "invisible or control character")]
)
def test_preview_text_with_nothing_to_speak_or_hidden_characters_is_refused(text, what):
    with pytest.raises(InputError, match=what):
        rules.check_preview(text, "speech-2.8-hd")


def test_preview_text_without_a_model_gets_the_default_model():
    assert rules.check_preview("Hello there.", None) == ("Hello there.", rules.DEFAULT_MODEL, [])
    assert rules.DEFAULT_MODEL in DOCUMENTED_MODELS


def test_no_preview_text_means_no_preview_and_no_model():
    assert rules.check_preview(None, None) == (None, None, [])


@pytest.mark.parametrize("model", DOCUMENTED_MODELS)
def test_every_documented_preview_model_is_accepted(model):
    assert rules.check_preview("Hello there.", model)[1] == model


@pytest.mark.parametrize("text", ["Hello there.", None])
@pytest.mark.parametrize("model", ["speech-3.0-hd", "Speech-2.8-HD", "tts-1"])
def test_an_unknown_model_is_refused_listing_the_choices(text, model):
    with pytest.raises(InputError) as caught:
        rules.check_preview(text, model)
    assert f"'{model}'" in str(caught.value)
    for choice in DOCUMENTED_MODELS:
        assert choice in caught.value.fix


# --- language_boost -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, canonical",
    [
        ("English", "English"),
        ("english", "English"),
        ("ENGLISH", "English"),
        ("chinese", "Chinese"),
        ("Chinese,Yue", "Chinese,Yue"),
        ("chinese,yue", "Chinese,Yue"),
        ("Chinese, Yue", "Chinese,Yue"),
        ("auto", "auto"),
        ("Auto", "auto"),
        ("persian", "Persian"),
    ],
)
def test_a_language_is_recognised_in_any_case_and_given_its_canonical_spelling(typed, canonical):
    assert rules.check_language(typed, "speech-2.8-hd") == canonical


def test_no_language_means_no_language_boost():
    assert rules.check_language(None, "speech-2.8-hd") is None


@pytest.mark.parametrize("typed", ["Klingon", "en", "Cantonese", ""])
def test_an_unknown_language_is_refused_naming_it_and_the_choices(typed):
    with pytest.raises(InputError) as caught:
        rules.check_language(typed, "speech-2.8-hd")
    assert f"'{typed}'" in str(caught.value)
    assert "auto" in caught.value.fix and "English" in caught.value.fix and "Chinese,Yue" in caught.value.fix


@pytest.mark.parametrize("language", ["Persian", "Filipino", "Tamil"])
@pytest.mark.parametrize("model", ["speech-02-hd", "speech-01-turbo"])
def test_languages_only_the_newer_models_speak_are_refused_with_older_models(language, model):
    with pytest.raises(InputError) as caught:
        rules.check_language(language.lower(), model)
    assert f"'{language}'" in str(caught.value)
    assert model in str(caught.value)


@pytest.mark.parametrize("model", ["speech-2.6-hd", "speech-2.8-turbo", None])
def test_persian_is_accepted_with_a_newer_model_or_none_chosen(model):
    assert rules.check_language("Persian", model) == "Persian"


# --- clone prompt -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "audio, text",
    [
        (None, None),
        ("clip.wav", "Hello there."),
        ("clip.wav", "Is it me?"),
        ("clip.wav", "\u4f60\u597d\u3002"),
        ("clip.wav", "Well, hello!  "),
    ],
)
def test_a_clone_prompt_with_both_parts_or_neither_is_accepted(audio, text):
    assert rules.check_prompt(audio, text) is None


@pytest.mark.parametrize(
    "audio, text, missing", [("clip.wav", None, "--prompt-text"), (None, "Hello there.", "--prompt-audio")]
)
def test_a_clone_prompt_with_one_part_is_refused_naming_the_missing_one(audio, text, missing):
    with pytest.raises(InputError) as caught:
        rules.check_prompt(audio, text)
    assert f"{missing} is missing" in str(caught.value)


@pytest.mark.parametrize("text", ["Hello there", "Hello there (laughs)", "Hello there\n"])
def test_prompt_text_without_final_punctuation_is_refused(text):
    with pytest.raises(InputError, match="must end with punctuation"):
        rules.check_prompt("clip.wav", text)


# --- text validation and accuracy ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, accuracy",
    [(None, None), ("a" * 200, None), ("Hello there.", 0.0), ("Hello there.", 0.7), ("Hello there.", 1.0)],
)
def test_text_validation_up_to_200_characters_with_accuracy_in_0_to_1_is_accepted(text, accuracy):
    assert rules.check_text_validation(text, accuracy) is None


def test_text_validation_of_201_characters_is_refused_with_its_count():
    with pytest.raises(InputError) as caught:
        rules.check_text_validation("a" * 201, None)
    assert "201 characters" in str(caught.value)
    assert "200" in str(caught.value)


@pytest.mark.parametrize("accuracy", [-0.1, 1.01, 70.0, float("nan")])
def test_an_accuracy_outside_0_to_1_is_refused_naming_it(accuracy):
    with pytest.raises(InputError) as caught:
        rules.check_text_validation("Hello there.", accuracy)
    assert f"--accuracy {accuracy}" in str(caught.value)
    assert "outside 0 to 1" in str(caught.value)


def test_an_accuracy_without_text_validation_is_refused():
    with pytest.raises(InputError, match="--accuracy only applies together with --text-validation"):
        rules.check_text_validation(None, 0.8)


# --- pause markup -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Hello <#0.5#> world.",
        "Hello<#0.01#>world.",
        "Hello <#99.99#> world.",
        "One <#1#> two <#2.5#> three.",
        "A <#0.5#> b <#0.5#> c",
    ],
)
def test_pauses_between_two_pieces_of_text_within_range_are_accepted(text):
    assert rules.check_preview(text, "speech-2.8-hd")[0] == text


@pytest.mark.parametrize("pause", ["<#0#>", "<#0.001#>", "<#0.125#>", "<#100#>", "<#120.5#>"])
def test_a_pause_out_of_range_or_with_more_than_two_decimals_is_refused_naming_it(pause):
    with pytest.raises(InputError) as caught:
        rules.check_preview(f"Hello {pause} world.", "speech-2.8-hd")
    assert f"the pause {pause} in the preview text is out of range" in str(caught.value)
    assert "0.01 to 99.99" in caught.value.fix


@pytest.mark.parametrize(
    "text, pause",
    [
        ("<#0.5#> Hello world.", "<#0.5#>"),
        ("  <#0.5#>Hello world.", "<#0.5#>"),
        ("Hello world. <#0.5#>", "<#0.5#>"),
        ("Hello <#0.5#><#1#> world.", "<#0.5#>"),
        ("Hello <#0.5#> <#1#> world.", "<#0.5#>"),
    ],
)
def test_a_pause_at_the_start_or_end_or_next_to_another_pause_is_refused(text, pause):
    with pytest.raises(InputError) as caught:
        rules.check_preview(text, "speech-2.8-hd")
    assert f"the pause {pause} in the preview text must stand between two pieces of text" in str(caught.value)


def test_pause_rules_also_apply_to_the_validation_text():
    with pytest.raises(InputError, match="the pause <#0.5#> in the validation text"):
        rules.check_text_validation("Hello world. <#0.5#>", None)


# --- interjection tags --------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["speech-2.8-hd", "speech-2.8-turbo"])
def test_interjection_tags_are_kept_for_the_models_that_perform_them(model):
    text = "(laughs) That was funny. (sighs) Anyway."
    assert rules.strip_tags(text, model) == (text, [])


@pytest.mark.parametrize("model", ["speech-2.6-hd", "speech-02-turbo", "speech-01-hd"])
def test_interjection_tags_are_removed_with_a_warning_for_other_models(model):
    sent, warnings = rules.strip_tags("Well (sighs) that was (laughs) funny.", model)
    assert sent == "Well that was funny."
    assert len(warnings) == 1
    assert "removed 2 interjection tag(s) such as (sighs)" in warnings[0]
    assert "speech-2.8-hd" in warnings[0] and "speech-2.8-turbo" in warnings[0]


def test_pronunciation_hints_in_parentheses_are_not_mistaken_for_tags():
    text = "Say hello(he2) to the (Laughs) crowd."
    assert rules.strip_tags(text, "speech-02-hd") == (text, [])


def test_the_preview_removes_the_clone_page_extra_tags_for_older_models_but_keeps_them_for_2_8():
    text = "Bravo! (applause) Lovely (whistles) tune."
    assert rules.check_preview(text, "speech-2.8-hd") == (text, "speech-2.8-hd", [])
    sent, model, warnings = rules.check_preview(text, "speech-02-hd")
    assert sent == "Bravo! Lovely tune."
    assert "removed 2" in warnings[0]


# --- region -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (None, None, (0.0, 20.0)),
        (2.5, 14.25, (2.5, 14.25)),
        (5, None, (5.0, 20.0)),
        (None, 12, (0.0, 12.0)),
        (5, 30, (5.0, 20.0)),
    ],
)
def test_a_region_is_resolved_against_the_file_and_clamped_to_its_end(start, end, expected):
    assert rules.check_region(start, end, 20.0) == expected


@pytest.mark.parametrize(
    "start, end, message",
    [
        (-1, None, "cannot be negative"),
        (None, -3, "cannot be negative"),
        (5, 3, "--end (3 s) must come after --start (5 s)"),
        (4, 4, "--end (4 s) must come after --start (4 s)"),
        (25, 30, "--start (25 s) is beyond the end of the file (20.0 s)"),
    ],
)
def test_an_impossible_region_is_refused_saying_why(start, end, message):
    with pytest.raises(InputError) as caught:
        rules.check_region(start, end, 20.0)
    assert message in str(caught.value)


@pytest.mark.parametrize("start", [20, 25])
def test_a_start_past_the_end_without_an_end_is_refused_as_beyond_the_file(start):
    with pytest.raises(InputError) as caught:
        rules.check_region(start, None, 20.0)
    assert f"--start ({start} s) is beyond the end of the file (20.0 s)" in str(caught.value)


# --- preset names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, kept",
    [
        ("Host voice", "Host voice"),
        ("  Host voice  ", "Host voice"),
        ("N" * 64, "N" * 64),
        ("\u4e3b\u6301\u4eba", "\u4e3b\u6301\u4eba"),
        ("x", "x"),
    ],
)
def test_a_preset_name_of_1_to_64_printable_characters_is_kept_trimmed(name, kept):
    assert rules.check_preset_name(name) == kept


@pytest.mark.parametrize(
    "name",
    [
        "",
        "   ",
        "N" * 65,
        "Host\nvoice",
        "Host\x07voice",
        "Host\u200bvoice",
        "\x1b[31mHost",
        "Host\rvoice",
    ],
)
def test_a_preset_name_that_is_empty_too_long_or_not_printable_is_refused(name):
    with pytest.raises(InputError) as caught:
        rules.check_preset_name(name)
    assert repr(name) in str(caught.value)
    assert "1 to 64 printable characters" in str(caught.value)


def test_every_broken_voice_id_rule_is_named_at_once():
    with pytest.raises(InputError) as caught:
        rules.check_voice_id("1ab c-")
    message = str(caught.value)
    assert "is 6 characters (it must be 8 to 256)" in message and "must start with a letter" in message
    assert "must not end with '-' or '_'" in message and "found ' '" in message


def test_a_long_voice_id_without_a_name_gets_a_valid_preset_name():
    voice_id = "HostVoice" + "x" * 100 + "1"
    name = rules.preset_name_for(voice_id)
    assert rules.check_preset_name(name) == name and len(name) == 64 and name.startswith("HostVoice")
