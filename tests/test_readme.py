"""README and command line cannot drift: every command and flag the README shows is one the
command line takes."""

import argparse
import re
from pathlib import Path

from voiceclone import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands():
    """Each ``voiceclone ...`` of the README's code blocks, continuation lines joined, alternatives
    (``a | b``) split, each with its subcommand path."""
    found = []
    for block in re.findall(r"```\n(.*?)```", README, re.S):
        lines = []
        for line in block.splitlines():
            line = line.split("#", 1)[0].rstrip()
            if line.strip().startswith("voiceclone "):
                lines.append(line.strip())
            elif lines and line.startswith(" ") and line.strip().startswith("["):
                lines[-1] += " " + line.strip()
        for line in lines:
            first, *others = re.split(r"\s+\|\s+(?=[a-z])", line)
            words = first.split()
            found.append(words)
            prefix = ["voiceclone"] + _path(words)[:-1]  # `presets list | show NAME`: show is a presets command
            found += [part.split() if part.startswith("voiceclone ") else prefix + part.split() for part in others]
    return found


def _path(words):
    """The subcommands ``words`` name, and the parser of the last one."""
    current, path = cli.build_parser(), []
    for word in words[1:]:
        name = word.split("|")[0]
        choices = _subparsers(current)
        if name not in choices:
            break
        current, path = choices[name], path + [name]
    return path


def _subparsers(parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


def test_the_readme_shows_commands():
    assert len(_commands()) > 20


def test_every_command_and_flag_the_readme_shows_is_taken():
    parser = cli.build_parser()
    problems = []
    for words in _commands():
        current, path = parser, []
        for word in words[1:]:
            choices = _subparsers(current)
            name = word.split("|")[0]
            if name in choices:
                current, path = choices[name], path + [name]
            elif choices and not path:
                problems.append(f"unknown command {word!r} in {' '.join(words)}")
                break
        for flag in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", " ".join(words)):
            if flag not in current._option_string_actions:
                problems.append(f"`voiceclone {' '.join(path)}` refuses {flag} (README: {' '.join(words)})")
    assert problems == []
