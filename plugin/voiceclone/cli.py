"""The command line: parse, call a job, print (the process around it: :mod:`.launch`).

Exit codes: 0 success; 2 bad input or usage (nothing sent); 3 MiniMax refused; 4 network or server
failure after retries; 5 the DAW unreachable or unable; 6 a file could not be written; 130 cancelled;
1 an internal bug. Errors are one or two plain lines on stderr; a traceback only with ``--debug``.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Set, TextIO

from . import __version__, rules
from .errors import ApiError, AudioError, Cancelled, InputError, VoiceCloneError, plain
from .providers import PROVIDERS

if TYPE_CHECKING:  # each handler imports what it uses: --help and --version load none of these
    from pathlib import Path

    from . import events
    from .options import CloneOptions
    from .settings import Settings


def _path(text: str) -> Path:
    """A path argument (pathlib is loaded when a path is given, not for --help)."""
    from pathlib import Path

    return Path(text)


def _json(value: Any, **options: Any) -> str:
    import json  # --help and --version print none

    return json.dumps(value, **options)


def _terminal_columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` reads it ($COLUMNS, then the terminal,
    else 80), without loading shutil and its compression modules (3 ms of every --help)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help text, as wide as the terminal."""

    def __init__(self, prog: str, **options: Any):
        options.setdefault("width", _terminal_columns() - 2)
        super().__init__(prog, **options)


class _Parser(argparse.ArgumentParser):
    """Usage errors become an :class:`InputError` (exit 2, plain lines) instead of argparse's exit."""

    def __init__(self, *args: Any, **options: Any):
        options.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **options)

    def error(self, message: str):
        raise InputError(message, fix=f"See `{self.prog} --help`.")


#: The commands, as build_parser names them (a test holds the two together).
COMMANDS = (
    "clone",
    "validate",
    "script",
    "speak",
    "patch",
    "activate",
    "reclone",
    "voices",
    "presets",
    "reaper",
    "audacity",
    "devices",
    "record",
    "play",
    "sandbox",
    "demo",
)


class _Unbuilt:
    """Stands for the parser of a command the command line does not name: all added to it is dropped."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **options: self


_UNBUILT = _Unbuilt()


def _command_named(argv: Optional[Sequence[str]]) -> Optional[str]:
    """The command ``argv`` names (its first word that is not an option), when it is one of COMMANDS."""
    word = next((arg for arg in argv or () if not arg.startswith("-")), None)
    return word if word in COMMANDS else None


def build_parser(argv: Optional[Sequence[str]] = None) -> argparse.ArgumentParser:
    """Every command, option and help text of ``voiceclone`` (the README's test reads it too).

    Given the ``argv`` to parse, only the command it names gets its parser and options: building
    all thirty-odd of them took 5 ms of every command (argparse looks up a translation of its own
    words for each), for a parse that reads one. An ``argv`` naming no known command gets them all.
    """
    only = _command_named(argv)
    local = _Parser(add_help=False)  # what every command takes
    local.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    common = _Parser(add_help=False, parents=[local])  # ... and the commands that use MiniMax or the presets
    where = common.add_argument_group("where")
    where.add_argument("--provider", choices=sorted(PROVIDERS), help="a named MiniMax host (default minimax-global)")
    where.add_argument("--base-url", help="the API's base URL (default $MINIMAX_BASE_URL or https://api.minimax.io)")
    where.add_argument("--presets", help="the presets YAML file (default $VOICECLONE_PRESETS or the user data folder)")
    as_json = _Parser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    parser = _Parser(
        prog="voiceclone",
        description="Clone a voice with MiniMax, keep it as a preset, speak with it. "
        "The API key is read from MINIMAX_API_KEY.",
    )
    parser.add_argument("--version", action="version", version=f"voiceclone {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks (also after a command)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def add(container: Any, name: str, **options: Any) -> Any:
        if container is sub and only is not None and name != only:
            return _UNBUILT
        return container.add_parser(name, **options)

    p = add(sub, "clone", parents=[common, as_json], help="clone a voice from an audio file")
    p.add_argument("audio", type=_path, help="mp3, m4a or wav sample of the voice (10 s to 5 min)")
    p.add_argument("--voice-id", required=True, help="the new voice's id: 8-256 characters, starts with a letter")
    _add_clone_options(p, where="the sample")

    p = add(sub, "validate", parents=[local, as_json], help="check a sample without sending anything")
    p.add_argument("audio", type=_path, help="the sample to check (any format the plugin reads)")
    p.add_argument("--start", type=_time, help="judge the sample from here: seconds, mm:ss or hh:mm:ss")
    p.add_argument("--end", type=_time, help="judge the sample up to here: seconds, mm:ss or hh:mm:ss")
    _add_pick_options(p)

    p = add(
        sub,
        "script",
        parents=[common, as_json],
        help="speak a script of many lines, one file each; a rerun speaks only new or changed lines",
    )
    p.add_argument("file", type=_path, help="the script: .txt (a line each), .csv/.tsv (speaker,text[,start]) or .srt")
    p.add_argument("--out", type=_path, required=True, help="the folder for the lines' files and the journal")
    p.add_argument("--preset", help="the voice of lines that name no [Preset]")
    p.add_argument("--model", help="speech model (default: each preset's)")
    _add_queue_options(p)
    p.add_argument("--subtitles", action="store_true", help="ask for sentence timings and write script.srt")
    p.add_argument("--timeline", type=_path, help="also write the whole script as one WAV, each line at its place")
    p.add_argument("--gap", type=float, default=0.5, help="seconds between lines without a start time (default 0.5)")

    p = add(sub, "speak", parents=[common, as_json], help="speak text in a cloned voice")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--preset", help="a saved preset's name")
    who.add_argument("--voice-id", help="any voice_id of the account")
    p.add_argument("text", help="what to say (up to 9,999 characters)")
    p.add_argument("-o", "--out", type=_path, required=True, help="the audio file to write (.wav, .mp3 or .flac)")
    p.add_argument("--model", help="speech model (default: the preset's, else speech-2.8-hd)")
    p.add_argument("--format", choices=rules.SPEECH_FORMATS, help="audio format (default: from the file name)")
    _add_speech_options(p)
    p.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    p.add_argument("--audition", action="store_true", help="play the speech when it is ready (Ctrl-C stops)")

    p = add(
        sub,
        "patch",
        parents=[common, as_json],
        help="replace a flubbed phrase of a take with the same words in the speaker's cloned voice",
    )
    p.add_argument("take", type=_path, help="the recording (wav or flac stay bit for bit outside the patch)")
    p.add_argument("--start", type=_time, required=True, help="where the phrase starts: seconds, mm:ss or hh:mm:ss")
    p.add_argument(
        "--end",
        type=_time,
        help="where the phrase ends: seconds, mm:ss or hh:mm:ss (default: at the pause where the text would end)",
    )
    p.add_argument("--text", required=True, help="what the phrase should say")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--preset", help="the speaker's preset")
    who.add_argument("--voice-id", help="any voice_id of the account")
    p.add_argument("-o", "--out", type=_path, help="the patched take to write (the original is never touched)")
    p.add_argument(
        "--patch-only",
        type=_path,
        help="also, or only, write the patch alone, crossfades included, to lay over the original",
    )
    p.add_argument("--model", help="speech model (default: the preset's, else speech-2.8-hd)")
    p.add_argument("--force", action="store_true", help="overwrite the outputs if they exist")
    p.add_argument(
        "--variants",
        type=int,
        default=1,
        help="1-5 takes of the line in other emotions, to pick by ear: numbered outputs (each one is charged)",
    )

    p = add(
        sub,
        "activate",
        parents=[common, as_json],
        help="make a preset's voice permanent with one short speech (charges the clone fee)",
    )
    p.add_argument("name", help="the preset")
    p.add_argument("--yes", action="store_true", help="do not ask before spending")
    p = add(
        sub,
        "reclone",
        parents=[common, as_json],
        help="clone an expired or deleted preset's voice again from its archived sample",
    )
    p.add_argument("name", help="the preset")
    p.add_argument("--yes", action="store_true", help="do not ask before spending")

    voices = add(sub, "voices", help="the voices on the MiniMax account").add_subparsers(
        dest="action", metavar="ACTION", parser_class=_Parser
    )
    voices.required = True
    p = voices.add_parser("list", parents=[common, as_json], help="list the account's voices")
    p.add_argument(
        "--type",
        default="voice_cloning",
        choices=("voice_cloning", "system", "voice_generation", "all"),
        help="which voices: your clones (default), MiniMax's system voices, designed voices, or all",
    )
    voices.add_parser(
        "sync",
        parents=[common, as_json],
        help="compare the account's cloned voices with the presets and update their states",
    )
    p = voices.add_parser("delete", parents=[common], help="delete a cloned voice for good (its id is burned)")
    p.add_argument("voice_id", help="the voice to delete")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    presets = add(sub, "presets", help="the saved voice presets").add_subparsers(
        dest="action", metavar="ACTION", parser_class=_Parser
    )
    presets.required = True
    presets.add_parser("list", parents=[common, as_json], help="list presets and when their voices expire")
    p = presets.add_parser(
        "set", parents=[common, as_json], help="set how a preset's voice speaks, for every speech from now on"
    )
    p.add_argument("name", help="the preset")
    _add_speech_options(p)
    p.add_argument("--model", help="the preset's speech model from now on")
    p.add_argument("--language-boost", help="a language to favour, or 'auto'")
    p.add_argument(
        "--say",
        action="append",
        default=[],
        metavar="WORD=HOW",
        help="how to say a word (repeatable), such as --say 'Nguyen=(wɪn)' or --say 'SQL=sequel'",
    )
    p.add_argument("--unsay", action="append", default=[], metavar="WORD", help="forget a word's pronunciation")
    p.add_argument("--clear", action="store_true", help="drop every speech setting first (MiniMax's defaults)")
    p = presets.add_parser("show", parents=[common, as_json], help="show one preset")
    p.add_argument("name", help="the preset")
    p.add_argument(
        "--provenance", action="store_true", help="only the record of who cloned it, from what, with whose consent"
    )
    presets.add_parser(
        "remove", parents=[common, as_json], help="forget a preset (the voice stays on MiniMax)"
    ).add_argument("name", help="the preset")
    p = presets.add_parser("export", parents=[common], help="write the library to a zip, to move it to another machine")
    p.add_argument("file", type=_path, help="the zip to write")
    p.add_argument("--with-audio", action="store_true", help="include the archived samples and the previews")
    presets.add_parser("import", parents=[common], help="add the presets of an exported zip").add_argument(
        "file", type=_path, help="a zip written by `presets export`"
    )
    presets.add_parser(
        "adopt",
        parents=[common],
        help="save a voice the plugin could not save: a recovery file, or an unconfirmed voice_id "
        "you know MiniMax made",
    ).add_argument(
        "what", metavar="FILE_OR_VOICE_ID", help="the recovery file a clone named, or an unconfirmed voice_id"
    )

    reaper = add(sub, "reaper", help="the REAPER actions").add_subparsers(
        dest="action", metavar="ACTION", parser_class=_Parser
    )
    reaper.required = True
    for name, text in (
        ("install", "copy the actions into REAPER and register them"),
        ("uninstall", "remove everything install added"),
    ):
        p = reaper.add_parser(name, parents=[local], help=text)
        p.add_argument("--resource-path", type=_path, help="REAPER's resource folder (default: this system's)")
    p = reaper.add_parser("index", parents=[local], help="write a ReaPack index.xml for the actions")
    p.add_argument(
        "--url-base", help="the raw URL of plugin/voiceclone/hosts/reaper/scripts in the published repository"
    )
    p.add_argument("-o", "--out", type=_path, default="index.xml", help="where to write it (default ./index.xml)")

    audacity = add(sub, "audacity", help="clone and speak in a running Audacity").add_subparsers(
        dest="action", metavar="ACTION", parser_class=_Parser
    )
    audacity.required = True
    p = audacity.add_parser("clone", parents=[common, as_json], help="clone the voice in Audacity's selection")
    p.add_argument("--voice-id", help="the new voice's id (default: made from the track name)")
    _add_clone_options(p, where="the selected tracks, in project time, instead of the selection's")
    p = audacity.add_parser("speak", parents=[common, as_json], help="speak text as a new track at the selection start")
    p.add_argument("--preset", required=True, help="a saved preset's name")
    p.add_argument("text", help="what to say (up to 9,999 characters)")
    p.add_argument("--model", help="speech model (default: the preset's)")
    p = audacity.add_parser(
        "patch", parents=[common, as_json], help="replace the selected phrase with the same words in the voice"
    )
    p.add_argument("--text", required=True, help="what the phrase should say")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--preset", help="the speaker's preset (default: the one last used on this track; remembered)")
    who.add_argument("--voice-id", help="any voice_id of the account")
    p.add_argument("--model", help="speech model (default: the preset's)")
    p.add_argument(
        "--variants",
        type=int,
        default=1,
        help="1-5 takes of the line in other emotions, as muted tracks below the patch",
    )
    p = audacity.add_parser(
        "script", parents=[common, as_json], help="speak the project's labels as a script, one track per speaker"
    )
    p.add_argument("--preset", help="the voice of labels that name no [Preset]")
    p.add_argument("--out", type=_path, help="the folder for the lines' files and journal (default: user data)")
    p.add_argument("--subtitles", action="store_true", help="add the sentences as labels on a track of their own")
    _add_queue_options(p)
    audacity.add_parser("doctor", parents=[local], help="check that Audacity can be driven, and say how to fix it")

    add(sub, "devices", parents=[local, as_json], help="list the sound card's input and output devices")
    p = add(sub, "record", parents=[local, as_json], help="record a sample from an input device, then check it")
    p.add_argument("out", type=_path, help="the WAV file to write")
    p.add_argument("--seconds", type=float, help="stop after this many seconds (default: when Enter is pressed)")
    p.add_argument("--device", help="input device number or name (default: the system's)")
    p = add(sub, "play", parents=[local], help="play an audio file (Ctrl-C stops)")
    p.add_argument("file", type=_path, help="the audio file (any format the plugin reads)")
    p.add_argument("--device", help="output device number or name (default: the system's)")

    p = add(sub, "sandbox", parents=[local], help="run the offline MiniMax sandbox server")
    p.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1, this machine only)"
    )
    p.add_argument("--port", type=int, default=8765, help="the port to listen on (default 8765)")

    p = add(sub, "demo", parents=[local], help="run the whole loop offline on the sandbox")
    p.add_argument("--out", type=_path, default="voiceclone-demo", help="the demo folder (default ./voiceclone-demo)")
    return parser


def _add_queue_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rpm", type=int, default=60, help="requests a minute to keep under (default 60: MiniMax's T2A)")
    p.add_argument("--parallel", type=int, default=2, help="lines spoken at once (1-8, default 2)")


def _add_speech_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--speed", type=float, help="0.5-2 (1: natural)")
    p.add_argument("--vol", type=float, help="loudness, above 0 up to 10 (1: as the voice is)")
    p.add_argument("--pitch", type=int, help="-12 to 12 semitones (0: as the voice is)")
    p.add_argument("--emotion", choices=rules.EMOTIONS, help="unset: the model picks (fluent, whisper: 2.6 models)")


def _add_pick_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--pick",
        action="store_true",
        help="from a long recording (a whole episode track), pick the speaker's cleanest speech as the sample",
    )
    p.add_argument(
        "--pick-length",
        type=_time,
        help=f"how much speech to pick (implies --pick): 10 s to 5:00 (default {rules.clock(rules.PICK_TARGET_S)})",
    )


def _add_clone_options(p: argparse.ArgumentParser, *, where: str) -> None:
    p.add_argument("--start", type=_time, help=f"clone from here on {where}: seconds, mm:ss or hh:mm:ss")
    p.add_argument("--end", type=_time, help=f"clone up to here on {where}: seconds, mm:ss or hh:mm:ss")
    _add_pick_options(p)
    p.add_argument(
        "--preview-out", type=_path, help="where to save the preview (default: previews/ beside the presets)"
    )
    p.add_argument("--audition", action="store_true", help="play the preview when it is ready (Ctrl-C stops)")
    p.add_argument("--name", help="the preset name (default: the voice_id)")
    p.add_argument("--text", help="preview text (up to 1000 characters) spoken in the new voice")
    p.add_argument("--model", help=f"preview and default speech model (default {rules.DEFAULT_MODEL})")
    p.add_argument("--language-boost", help="a language to favour, or 'auto'")
    p.add_argument("--noise-reduction", action="store_true", help="let MiniMax reduce noise in the sample")
    p.add_argument("--volume-normalization", action="store_true", help="let MiniMax normalize the sample's volume")
    p.add_argument("--watermark", action="store_true", help="add an audible AI marker at the end of the preview")
    p.add_argument("--prompt-audio", type=_path, help="a clip under 8 s of the voice, to improve similarity")
    p.add_argument("--prompt-text", help="exactly what is said in --prompt-audio, ending with punctuation")
    p.add_argument("--text-validation", help="what is said in the sample; MiniMax checks it (up to 200 chars)")
    p.add_argument("--accuracy", type=float, help="how close the sample must match --text-validation (0-1)")
    p.add_argument("--force", action="store_true", help="clone again even if this sample and voice_id were cloned")
    p.add_argument("--operator", help="who clones the voice, for the preset's record (default: the OS user)")
    p.add_argument("--consent", help="the speaker's consent: who agreed, when, how")
    p.add_argument("--consent-audio", type=_path, help="a recording of the speaker's consent (archived with its hash)")
    p.add_argument(
        "--require-consent",
        action="store_true",
        help="refuse to clone without --consent or --consent-audio (also VOICECLONE_REQUIRE_CONSENT=1)",
    )


def main(
    argv: Optional[List[str]] = None,
    *,
    env: Optional[Mapping[str, str]] = None,
    stdout: Optional[TextIO] = None,
    stderr: Optional[TextIO] = None,
) -> int:
    """Run one command; return its exit code."""
    env = os.environ if env is None else env
    out, err = stdout or sys.stdout, stderr or sys.stderr
    argv = sys.argv[1:] if argv is None else argv
    debug, as_json = "--debug" in argv, "--json" in argv
    try:
        args = build_parser(argv).parse_args(argv)
        return _run(args, env, out, err) or 0
    except BrokenPipeError:  # the reader of the output went away (`| head`): the work is done
        _quiet_broken_output(out)
        return 0
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 (every failure: one plain error)
        if debug and not isinstance(exc, KeyboardInterrupt):
            import traceback

            traceback.print_exc(file=err)
        return _fail(plain(exc, bug_fix="Run it again with --debug and report the output."), out, err, as_json)


def _quiet_broken_output(out: TextIO) -> None:
    """Point the closed output at the null device, so the exit's final flush raises nothing."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (a test's StringIO)
        pass


def _fail(exc: VoiceCloneError, out: TextIO, err: TextIO, as_json: bool) -> int:
    for line in exc.user_lines():
        print(line, file=err)
    if as_json:
        body = {
            "error": str(exc),
            "fix": exc.fix or None,
            "exit_code": exc.exit_code,
            "code": getattr(exc, "code", None),
            "trace_id": getattr(exc, "trace_id", None),
        }
        print(_json(body), file=out)
    return exc.exit_code


def _time(text: str) -> float:
    try:
        return rules.parse_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


class _Context:
    """What every command handler gets besides its arguments: the output streams, and the settings,
    read from the environment and the common options the first time a handler asks for them (which
    is also when what earlier runs left is settled and named)."""

    def __init__(self, args, env: Mapping[str, str], out: TextIO, err: TextIO):
        self.args, self.env, self.out, self.err = args, env, out, err
        self._settings: Optional[Settings] = None

    @property
    def settings(self) -> Settings:
        from .settings import Settings

        if self._settings is None:
            self._settings = Settings.from_env(
                self.env,
                base_url=getattr(self.args, "base_url", None),
                provider=getattr(self.args, "provider", None),
                presets=getattr(self.args, "presets", None),
            )
            _warn_presets(self._settings, self.err)
        return self._settings


def _run(args, env, out: TextIO, err: TextIO) -> int:
    return _COMMANDS[args.command](args, _Context(args, env, out, err))


def _demo(args, ctx: _Context) -> int:
    from .demo import run_demo

    return run_demo(args.out, out=ctx.out)


def _progress(args, err: TextIO):
    """A progress sink for a terminal, or None (JSON output and pipes stay quiet)."""
    if getattr(args, "json", False) or not err.isatty():
        return None
    from .progress_bar import TerminalProgress

    return TerminalProgress(err)


class _Job:
    """A job run from the command line: its progress on a terminal, and each warning said once, as
    soon as it is known (a trimmed sample is told before the upload starts, not after the clone)."""

    def __init__(self, args, err: TextIO):
        self._err = err
        self._progress = _progress(args, err)
        self._said: Set[str] = set()

    def __call__(self, job, *job_args, **job_kwargs):
        with self._progress or nullcontext():
            return job(*job_args, on_event=self._event, **job_kwargs)

    def warn(self, warnings: List[str], *, kind: str = "warning") -> None:
        for warning in warnings:
            if warning not in self._said:
                self._said.add(warning)
                if self._progress is not None:
                    self._progress.write(f"{kind}: {warning}")
                else:
                    print(f"{kind}: {warning}", file=self._err)

    def _event(self, event: events.Event) -> None:
        if event.stage in ("warning", "note"):
            self.warn([event.message], kind=event.stage)
        elif self._progress is not None:
            self._progress(event)


def _warn(warnings: List[str], err: TextIO) -> None:
    for warning in warnings:
        print(f"warning: {warning}", file=err)


def _clone_options(args) -> CloneOptions:
    from .options import CloneOptions, CloneSettings

    chosen = CloneSettings(
        text=args.text,
        model=args.model,
        language_boost=args.language_boost,
        noise_reduction=args.noise_reduction,
        volume_normalization=args.volume_normalization,
        watermark=args.watermark,
        text_validation=args.text_validation,
        accuracy=args.accuracy,
    )
    return CloneOptions(
        audio=getattr(args, "audio", None) or _path("."),  # a host fills in its own capture
        voice_id=args.voice_id or "",
        name=args.name,
        settings=chosen,
        prompt_audio=args.prompt_audio,
        prompt_text=args.prompt_text,
        start=args.start,
        end=args.end,
        preview_out=args.preview_out,
        force=args.force,
        operator=args.operator,
        consent=args.consent,
        consent_audio=args.consent_audio,
        require_consent=args.require_consent,
        pick_s=_pick_length(args),
    )


def _pick_length(args) -> Optional[float]:
    """The seconds ``--pick`` / ``--pick-length`` ask for, or None."""
    if args.pick_length is not None:
        return rules.check_pick_length(args.pick_length)
    return rules.PICK_TARGET_S if args.pick else None


def _clone(args, ctx: _Context) -> int:
    from . import jobs
    from .hosts import command_line

    settings, out, err = ctx.settings, ctx.out, ctx.err
    job = _Job(args, err)
    outcome = job(command_line.clone, settings, _clone_options(args))
    job.warn(outcome["warnings"])
    if args.json:
        print(_json(outcome), file=out)
        return 0
    voice_id, preset = outcome["voice_id"], outcome["preset"]
    if outcome["reused"]:
        print(
            f"Voice '{voice_id}' was already cloned from this sample (preset '{preset}'); "
            "nothing was sent. To make another voice of it, give a new id: --voice-id "
            f"{jobs.next_free_voice_id(settings, voice_id)}.",
            file=out,
        )
    else:
        print(f"Cloned voice '{voice_id}' and saved it as preset '{preset}'.", file=out)
        print(
            "It stays temporary until first used for speech: MiniMax deletes unused clones after "
            f"{rules.VOICE_LIFETIME_DAYS} days.",
            file=out,
        )
    if outcome["preview_path"]:
        print(f"Preview: {outcome['preview_path']}", file=out)
        if args.audition:
            _audition(_path(outcome["preview_path"]), out)
    elif not args.text and not outcome["reused"]:
        print("No preview was made: give --text to hear the voice (or use `voiceclone speak`).", file=out)
    return 0


def _audition(path: Path, out: TextIO) -> None:
    from . import device

    try:
        device.play(path)
    except KeyboardInterrupt:
        print("Playback stopped.", file=out)


def _devices(args, ctx: _Context) -> int:
    from . import device

    out = ctx.out
    found = device.devices()
    if args.json:
        print(_json(found), file=out)
        return 0
    for d in found:
        kinds = ", ".join(k for k, n in (("in", d["inputs"]), ("out", d["outputs"])) if n)
        print(f"{d['index']:>3}  {d['name']:<40} {kinds:<8} {d['sample_rate']} Hz", file=out)
    return 0


def _play(args, ctx: _Context) -> int:
    from . import device

    out = ctx.out
    try:
        seconds = device.play(args.file, device=args.device)
    except KeyboardInterrupt:
        print("Playback stopped.", file=out)
        return 0
    print(f"Played {seconds:.1f} s of {args.file}.", file=out)
    return 0


def _record(args, ctx: _Context) -> int:
    import threading

    from . import device
    from .doctor import QUIET_PEAK_DBFS
    from .verdict import judge

    out, err = ctx.out, ctx.err
    at_terminal = sys.stdin.isatty()
    if args.seconds is None and not at_terminal:
        raise InputError("there is no terminal to press Enter in", fix="Give --seconds N to stop after N seconds.")
    stop = threading.Event()
    if at_terminal:

        def wait_for_enter() -> None:
            input()
            stop.set()

        threading.Thread(target=wait_for_enter, daemon=True).start()
        print("Recording... press Enter to stop.", file=err)

    def meter(seconds: float, peak_db: float, clip: bool) -> None:
        if err.isatty():
            bar = "#" * int((min(max(peak_db, -60.0), 0.0) + 60) / 2)  # digital silence is -inf dBFS
            note = "CLIPPING" if clip else "too quiet" if peak_db < QUIET_PEAK_DBFS else ""
            print(f"\r  {seconds:6.1f} s  [{bar:<30}] {peak_db:6.1f} dBFS  {note:<9}", end="", file=err, flush=True)

    device.record(args.out, seconds=args.seconds, device=args.device, stop=stop, meter=meter)
    if err.isatty():
        print(file=err)
    verdict = judge(args.out)
    if args.json:
        checked = verdict.as_dict()
        print(
            _json(
                {
                    "path": str(args.out),
                    "usable": verdict.usable,
                    "problem": verdict.problem,
                    "file": checked["file"],
                    "quality": checked["quality"],
                    "warnings": verdict.warnings,
                }
            ),
            file=out,
        )
    else:
        said = "usable for a clone" if verdict.usable else f"not usable: {verdict.problem}"
        print(f"Recorded {verdict.info.duration_s:.1f} s to {args.out}: {said}", file=out)
        _warn(verdict.warnings, err)
    return 0 if verdict.usable else AudioError.exit_code


def _validate(args, ctx: _Context) -> int:
    from .verdict import judge

    out, err = ctx.out, ctx.err
    target = _pick_length(args)
    if target is not None:
        return _validate_pick(args, target, out)
    verdict = judge(args.audio, start=args.start, end=args.end)
    info, problem, plan, report = verdict.info, verdict.problem, verdict.plan, verdict.report
    if args.json:
        print(_json(verdict.as_dict()), file=out)
    else:
        print(f"{info.path.name}: {f'refused: {problem}' if problem else 'can be cloned'}", file=out)
        print(
            f"  format    {info.format} ({info.subtype}), {info.sample_rate} Hz, {info.num_channels} channel(s)",
            file=out,
        )
        print(f"  duration  {info.duration_s:.2f} s", file=out)
        print(f"  size      {info.size_bytes / 1e6:.2f} MB", file=out)
        if plan is not None:
            print("  upload    " + ("as it is" if plan.untouched else "; ".join(plan.fixes)), file=out)
        if report is not None and not report.nonfinite and report.peak_dbfs != float("-inf"):
            floor = (
                f"{report.noise_floor_dbfs:.1f} dBFS"
                if report.noise_floor_dbfs > -140
                else "digital silence between the words"
            )
            print(
                f"  level     peak {report.peak_dbfs:.1f} dBFS, RMS {report.rms_dbfs:.1f} dBFS, noise floor {floor}",
                file=out,
            )
            print(
                f"  voice     {report.active_s:.1f} s above the noise, {report.clipped_samples} clipped samples",
                file=out,
            )
            _print_checks(report.checks, out)
        failed = [check.said for check in (report.checks if report else []) if not check.ok]
        _warn([w for w in verdict.warnings if not any(w.startswith(said) for said in failed)], err)
    return 0 if verdict.usable else AudioError.exit_code


def _validate_pick(args, target: float, out: TextIO) -> int:
    """``validate --pick``: the pieces the picker would clone from, and why; nothing is sent."""
    from . import audio, picker

    info = audio.probe(args.audio)
    try:
        found = picker.pick(args.audio, target_s=target, start=args.start, end=args.end)
    except AudioError as exc:
        if not args.json:
            raise
        print(_json({"ok": False, "problem": str(exc), "fix": exc.fix, "file": info.as_dict()}), file=out)
        return AudioError.exit_code
    if args.json:
        print(_json({"ok": True, "file": info.as_dict(), **found.as_dict()}), file=out)
        return 0
    print(f"{info.path.name}: {found.summary()}", file=out)
    for piece in found.pieces:
        print(f"  {_clock(piece.start_s)}-{_clock(piece.end_s)}  {piece.why}", file=out)
    _print_checks(list(found.checks), out, title="the whole recording")
    print(f"Clone from these pieces: voiceclone clone {info.path.name} --pick --voice-id ID", file=out)
    return 0


def _print_checks(checks: list, out: TextIO, *, title: str = "") -> None:
    """The sample doctor's checks, one a line: ok, or what was found and the fix."""
    if not checks:
        return
    print(f"  checks{f' ({title})' if title else ''}:", file=out)
    width = max(len(check.name) for check in checks)
    for check in checks:
        line = f"    {'ok  ' if check.ok else 'warn'}  {check.name:<{width}}  {check.said}"
        print(line + ("" if check.ok else f"; {check.fix}"), file=out)


def _clock(seconds: float) -> str:
    """m:ss.s (h:mm:ss.s from an hour)."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return (f"{int(hours)}:{int(minutes):02d}" if hours else f"{int(minutes)}") + f":{secs:04.1f}"


def _script(args, ctx: _Context) -> int:
    from . import script_output, script_run
    from .script_file import read_script

    settings, out, err = ctx.settings, ctx.out, ctx.err
    lines = read_script(args.file)
    if args.gap < 0:
        raise InputError(f"--gap {args.gap:g} is negative", fix="Give 0 or more seconds between lines.")
    if args.timeline is not None and args.timeline.parent.resolve() != args.out.resolve():
        from . import files

        files.check_writable(args.timeline, "--timeline")  # (the --out folder is checked, and made, by the run)
    progress = _progress(args, err)

    def tell(event: events.Event) -> None:
        if event.stage in ("warning", "note"):
            print(f"{event.stage}: {event.message}", file=err)
        elif progress is not None:
            progress(event)
        elif event.stage == "script" and not args.json:
            print(event.message, file=err)

    with progress or nullcontext():
        report = script_run.speak_script(
            settings,
            lines,
            args.out,
            preset=args.preset,
            model=args.model,
            rpm=args.rpm,
            parallel=args.parallel,
            subtitles=args.subtitles,
            on_event=tell,
        )
    made: Dict[str, Optional[str]] = {}
    if args.timeline is not None:
        made["timeline"] = str(script_output.write_timeline(report.lines, args.out, args.timeline, gap_s=args.gap))
    if args.subtitles:
        srt = script_output.write_srt(report.lines, args.out / "script.srt", gap_s=args.gap)
        made["subtitles"] = None if srt is None else str(srt)
    if args.json:
        print(_json({**report.as_dict(), **made}), file=out)
    else:
        print(f"{args.file.name}: {report.summary()}. Files and journal: {args.out}", file=out)
        for failure in report.failures():
            print(f"  {failure}", file=out)
        for what, path in made.items():
            if path:
                print(f"  {what}: {path}", file=out)
        if report.count("failed") or report.cancelled:
            print(
                f"Run the same command again to speak the rest; the {report.count('spoken') + report.count('reused')} "
                "lines done are not paid again.",
                file=out,
            )
    if report.cancelled:
        return Cancelled.exit_code
    return 0 if not report.count("failed") else ApiError.exit_code


def _speak(args, ctx: _Context) -> int:
    from .hosts import command_line

    settings, out, err = ctx.settings, ctx.out, ctx.err
    _note_first_speech(settings, args.preset, err)
    job = _Job(args, err)
    outcome = job(
        command_line.speak,
        settings,
        args.text,
        args.out,
        preset=args.preset,
        voice_id=args.voice_id,
        model=args.model,
        fmt=args.format,
        force=args.force,
        style={key: getattr(args, key) for key in ("speed", "vol", "pitch", "emotion")},
    )
    job.warn(outcome["warnings"])
    if args.json:
        print(_json(outcome), file=out)
    else:
        length = "" if outcome["duration_s"] is None else f" ({outcome['duration_s']:.1f} s)"
        print(f"Spoke with '{outcome['voice_id']}' into {outcome['path']}{length}.", file=out)
    if args.audition:
        _audition(_path(outcome["path"]), out)
    return 0


def _patch(args, ctx: _Context) -> int:
    from .hosts import command_line

    settings, out, err = ctx.settings, ctx.out, ctx.err
    _note_first_speech(settings, args.preset, err)
    job = _Job(args, err)
    outcome = job(
        command_line.patch,
        settings,
        args.take,
        start=args.start,
        end=args.end,
        text=args.text,
        out=args.out,
        patch_out=args.patch_only,
        preset=args.preset,
        voice_id=args.voice_id,
        model=args.model,
        force=args.force,
        variants=args.variants,
    )
    job.warn(outcome["warnings"])
    if args.json:
        print(_json(outcome), file=out)
        return 0
    made = " and ".join(
        str(path) for take in [outcome, *outcome["variants"]] for path in (take["path"], take["patch_path"]) if path
    )
    levels, name = outcome["loudness_lufs"], outcome["preset"] or outcome["voice_id"]
    print(
        f"Patched {outcome['selection_s']:.2f} s of {args.take.name} with '{name}' (speed {outcome['speed']:.2f}, "
        f"{outcome['spoken_s']:.2f} s spoken, {levels['patch']:.1f} LUFS for the take's {levels['take']:.1f}): "
        f"{made}. The speech is kept as {outcome['speech_path']}.",
        file=out,
    )
    return 0


def _note_first_speech(settings: Settings, preset: Optional[str], err: TextIO) -> None:
    from . import speech

    note = speech.first_speech_note(settings, preset)
    if note:
        print(f"note: {note}", file=err)


def _confirmed(args, question: str, refusal: str, out: TextIO, err: TextIO) -> bool:
    """``--yes``, or the user's yes on a terminal; elsewhere a refusal asking for ``--yes``."""
    if args.yes:
        return True
    if not sys.stdin.isatty():
        raise InputError(refusal, fix="Add --yes to confirm.")
    print(f"{question} [y/N] ", end="", file=err, flush=True)
    if input().strip().lower() in ("y", "yes"):
        return True
    print("Nothing was done.", file=out)
    return False


def _activate(args, ctx: _Context) -> int:
    from . import lifecycle

    settings, out, err = ctx.settings, ctx.out, ctx.err
    if not _confirmed(
        args,
        f"Activate preset '{args.name}'? MiniMax charges the clone fee on this first speech.",
        f"activating '{args.name}' charges the MiniMax clone fee",
        out,
        err,
    ):
        return 0
    job = _Job(args, err)
    done = job(lifecycle.activate, settings, args.name)
    job.warn(done["warnings"])
    if args.json:
        print(_json(done), file=out)
    else:
        print(f"Voice '{done['voice_id']}' of preset '{args.name}' is now permanent.", file=out)
    return 0


def _reclone(args, ctx: _Context) -> int:
    from . import lifecycle

    settings, out, err = ctx.settings, ctx.out, ctx.err
    if not _confirmed(
        args,
        lifecycle.reclone_question(settings, args.name),
        f"re-cloning '{args.name}' creates a new MiniMax voice",
        out,
        err,
    ):
        return 0
    job = _Job(args, err)
    outcome = job(lifecycle.reclone, settings, args.name)
    job.warn(outcome.warnings)
    if args.json:
        print(_json(outcome.as_dict()), file=out)
    else:
        print(
            f"Cloned preset '{outcome.preset}' again as voice '{outcome.voice_id}' (the old voice is kept in its "
            "history).",
            file=out,
        )
        if outcome.preview_path:
            print(f"Preview: {outcome.preview_path}", file=out)
    return 0


def _voices(args, ctx: _Context) -> int:
    from . import account

    settings, out, err = ctx.settings, ctx.out, ctx.err
    if args.action == "sync":
        changes = account.sync_voices(settings)
        if args.json:
            print(_json(changes), file=out)
        for name, (before, after) in changes.items():
            if not args.json:
                print(f"{name}: {before} -> {after}", file=out)
        if not changes and not args.json:
            print("Every preset agrees with the account; nothing changed.", file=out)
        return 0
    if args.action == "delete":
        if not _confirmed(
            args,
            f"Delete voice '{args.voice_id}' on MiniMax for good? Its id can never be used again.",
            f"deleting '{args.voice_id}' cannot be undone and its id can never be used again",
            out,
            err,
        ):
            return 0
        names = account.delete_voice(settings, args.voice_id)
        marked = f"; marked preset(s) {', '.join(names)} as deleted" if names else ""
        print(f"Deleted voice '{args.voice_id}' on MiniMax{marked}.", file=out)
        return 0
    found = account.list_voices(settings, args.type)
    if args.json:
        print(_json(found), file=out)
        return 0
    rows = [
        (kind, v.get("voice_id", ""), v.get("voice_name") or "", _created(v.get("created_time")))
        for kind, entries in found.items()
        for v in entries
    ]
    if not rows:
        print("No voices of that kind on this account (clones are listed only after their first speech).", file=out)
    for kind, voice_id, name, created in rows:
        print(f"{voice_id:<40} {kind:<16} {created:<12} {name}".rstrip(), file=out)
    return 0


def _created(value) -> str:
    """A voice's creation date as listed; blank where MiniMax has none (system voices: the epoch)."""
    text = str(value or "")
    return "" if not text or text.startswith("1970-01-01") or text in ("0", "None") else text


def _presets(args, ctx: _Context) -> int:
    from . import account  # (its HTTP client is imported when it first calls MiniMax)
    from .library import export_library, import_library
    from .presets import Preset, PresetStore, expiring_soon, lifetime, listed, listed_waiting, utc_now

    settings, out = ctx.settings, ctx.out
    store = PresetStore(settings.presets_path)
    if args.action == "remove":
        removed = account.remove_preset(settings, args.name)
        if args.json:
            print(_json({"removed": args.name, "preset": removed}, default=str), file=out)
        else:
            print(f"Removed preset '{args.name}' from {store.path} (the voice itself stays on MiniMax).", file=out)
        return 0
    if args.action == "adopt":
        from . import reconcile

        name = reconcile.adopt(settings, args.what)
        print(f"Saved the voice as preset '{name}' in {store.path}.", file=out)
        return 0
    if args.action == "export":
        counts = export_library(store, args.file, with_audio=args.with_audio)
        print(f"Wrote {counts['presets']} preset(s) and {counts['files']} audio file(s) to {args.file}.", file=out)
        return 0
    if args.action == "import":
        done = import_library(store, args.file)
        for kind, names in done.items():
            if names:
                print(f"{kind.replace('_', ' ')}: {', '.join(names)}", file=out)
        return 0
    if args.action == "set":
        changes = {key: getattr(args, key) for key in ("speed", "vol", "pitch", "emotion", "model", "language_boost")}
        styled = account.set_speech(
            settings, args.name, changes=changes, say=args.say, unsay=args.unsay, clear=args.clear
        )
        if args.json:
            print(_json(styled), file=out)
        else:
            speech_now: Dict[str, Any] = styled["speech"] or {}
            said = ", ".join(f"{key} {value}" for key, value in speech_now.items() if key != "pronunciation")
            words = speech_now.get("pronunciation") or []
            print(
                f"Preset '{args.name}' speaks with {said or 'MiniMax defaults'}"
                + (f"; says {', '.join(words)}" if words else "")
                + f" ({styled['model'] or rules.DEFAULT_MODEL}).",
                file=out,
            )
        return 0
    if args.action == "show":
        preset = store.get(args.name)
        if args.provenance:
            preset = Preset.from_mapping(preset).provenance_view()
        if args.json:
            print(_json(preset, default=str), file=out)
        else:
            from . import yaml_text

            print(yaml_text.dump({args.name: preset}).rstrip(), file=out)
        return 0
    voices, waiting = store.voices(), store.pending()
    now = utc_now()
    if args.json:
        shown = {name: listed(preset, now) for name, preset in voices.items()}
        for voice_id, entry in waiting.items():
            shown.setdefault(
                entry["name"] if entry["name"] not in shown else f"{entry['name']} ({voice_id})", listed_waiting(entry)
            )
        print(_json(shown, default=str), file=out)
        return 0
    if not voices and not waiting:
        print(f"No presets yet in {store.path}.", file=out)
        return 0
    soon = expiring_soon(voices, now)
    rows = [(name, preset.get("voice_id", ""), lifetime(preset, now)) for name, preset in voices.items()]
    rows += [(entry["name"], voice_id, listed_waiting(entry)["lifetime"]) for voice_id, entry in waiting.items()]
    width = max(len(name) for name in [*(r[0] for r in rows), "PRESET"]) + 2
    print(f"  {'PRESET':<{width}}{'VOICE ID':<34}STATE", file=out)
    for name, voice_id, lifetime_text in rows:
        mark = "! " if name in soon else "  "
        print(f"{mark}{name:<{width}}{voice_id:<34}{lifetime_text}", file=out)
    if soon:
        print("! expires within 24 hours: use it for speech or run `voiceclone activate NAME` to keep it", file=out)
    return 0


def _warn_presets(settings: Settings, err: TextIO) -> None:
    """Once per command: remove what killed runs left, settle finished clone requests, then name the
    voices that may exist but are unconfirmed and those MiniMax deletes within a day. A preset
    problem is left to the command."""
    from . import leftovers, reconcile
    from .presets import PresetStore, expiring_soon

    store = PresetStore(settings.presets_path)
    leftovers.clean([store.folder, store.folder / "previews", store.folder / "samples"])
    try:
        for voice_id, what in reconcile.settle(settings).items():
            if what != "unconfirmed":
                print(f"note: the clone of voice '{voice_id}' was {what}", file=err)
        for line in reconcile.describe(reconcile.unconfirmed(store)):
            print(f"warning: {line}", file=err)
        soon = expiring_soon(store.voices())
    except (VoiceCloneError, OSError):
        return
    for name, left in soon.items():
        print(
            f"warning: the voice of preset '{name}' expires in "
            f"{left.seconds // 3600} h {left.seconds % 3600 // 60} min; "
            f'use it for speech or run `voiceclone activate "{name}"` to keep it',
            file=err,
        )


def _audacity(args, ctx: _Context) -> int:
    from .hosts.audacity import commands

    if args.action == "doctor":
        ok, lines = commands.doctor()
        for line in lines:
            print(line, file=ctx.out)
        return 0 if ok else InputError.exit_code
    settings, out, err = ctx.settings, ctx.out, ctx.err
    job = _Job(args, err)
    if args.action == "script":
        report = job(
            commands.script,
            settings,
            preset=args.preset,
            out=args.out,
            subtitles=args.subtitles,
            rpm=args.rpm,
            parallel=args.parallel,
        )
        if args.json:
            print(_json(report), file=out)
        else:
            tracks = ", ".join(t["name"] for t in report["placed"])
            print(f"Audacity script: {report['summary']}; tracks: {tracks}.", file=out)
            for failure in report["failures"]:
                print(f"  {failure}", file=out)
        if report.get("cancelled"):
            return Cancelled.exit_code
        return ApiError.exit_code if report["failed"] else 0
    if args.action == "clone":
        data = job(commands.clone, settings, _clone_options(args))
    elif args.action == "patch":  # the voice may be the track's: the job says what its first speech costs
        data = job(
            commands.patch,
            settings,
            args.text,
            preset=args.preset,
            voice_id=args.voice_id,
            model=args.model,
            variants=args.variants,
        )
    else:
        _note_first_speech(settings, args.preset, err)
        data = job(commands.speak, settings, args.text, preset=args.preset, model=args.model)
    job.warn(data.get("warnings") or [])
    track = data.get("track")
    if args.json:
        print(_json(data), file=out)
    elif track:
        print(f"Added track '{track['name']}' at {track['start']:.2f} s in Audacity.", file=out)
    else:
        print(
            f"Cloned voice '{data['voice_id']}' as preset '{data['preset']}' (no preview to add: give --text).",
            file=out,
        )
    if args.action == "clone" and args.audition and data.get("preview_path"):
        _audition(_path(data["preview_path"]), out)
    return 0


def _reaper(args, ctx: _Context) -> int:
    out = ctx.out
    from .hosts.reaper import install, reapack

    if args.action == "index":
        args.out.write_text(reapack.build_index(args.url_base), encoding="utf-8")
        print(f"Wrote {args.out}", file=out)
        return 0
    done = install.install(args.resource_path) if args.action == "install" else install.uninstall(args.resource_path)
    for line in done:
        print(line, file=out)
    return 0


def _sandbox(args, ctx: _Context) -> int:
    out = ctx.out
    import time

    from .sandbox import Sandbox, banner

    try:
        sandbox = Sandbox(args.host, args.port).__enter__()
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise InputError(
            f"port {args.port} on {args.host} is already taken (another sandbox running?)",
            fix=f"Give another port: voiceclone sandbox --port {args.port + 1}.",
        ) from exc
    with sandbox:
        print(banner(sandbox), file=out, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("Sandbox stopped.", file=out)
    return 0


_COMMANDS = {
    "clone": _clone,
    "patch": _patch,
    "validate": _validate,
    "speak": _speak,
    "script": _script,
    "activate": _activate,
    "reclone": _reclone,
    "voices": _voices,
    "presets": _presets,
    "reaper": _reaper,
    "audacity": _audacity,
    "devices": _devices,
    "record": _record,
    "play": _play,
    "sandbox": _sandbox,
    "demo": _demo,
}
