"""`grader --help`, each command's `--help` and bare `grader`: what a new user reads before anything else."""

from __future__ import annotations

import argparse
import re
import shlex

import pytest
from batch.students import grader

from grader import cli
from grader.settings import FORMATS, ISOLATIONS, SETTINGS

COMMANDS = ("grade", "batch", "check", "fixtures", "assignments", "samples")
# The variables README.md documents, written out here rather than read from the code.
DOCUMENTED_ENV = (
    "GRADER_JOBS",
    "GRADER_SEED",
    "GRADER_FORMAT",
    "GRADER_ISOLATION",
    "GRADER_AFTER_DUE_DATE",
    "GRADER_CONFIG",
    "GRADER_FIXTURES",
    "NO_COLOR",
)


def _section(text: str, title: str) -> list[str]:
    """The indented lines under the heading that starts with `title` and ends with ':', to a blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title) and line.endswith(":")) + 1
    body = []
    for line in lines[start:]:
        if not line.strip():
            break
        body.append(line)
    return body


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _undocumented(parser: argparse.ArgumentParser) -> list[str]:
    """Arguments of a parser with no help text (the -h action excepted)."""
    return [
        "/".join(a.option_strings) or a.dest
        for a in parser._actions
        if not isinstance(a, argparse._HelpAction) and not (a.help and a.help.strip())
    ]


def test_top_level_help_lists_commands_exit_codes_environment_and_examples() -> None:
    """grader --help exits 0 and shows every command with its summary, the four exit codes, every
    documented environment variable and two example commands."""
    done = grader("--help")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    for name in COMMANDS:
        assert re.search(rf"^    {name}\b", text, re.MULTILINE), name
    codes = [line.split()[0] for line in _section(text, "exit codes")]
    assert codes == ["0", "1", "2", "130"]
    env = " ".join(_section(text, "environment"))
    for name in DOCUMENTED_ENV:
        assert name in env, name
    examples = [line.strip() for line in _section(text, "examples") if line.startswith("  grader ")]
    assert len(examples) == 2


def test_every_setting_variable_is_in_the_help() -> None:
    """The environment list follows the settings registry: a new setting's variable appears by itself."""
    text = grader("--help").stdout
    for setting in SETTINGS.values():
        assert f"{setting.env} " in text, setting.env


def test_the_examples_in_the_help_are_valid_commands() -> None:
    """Each example parses as a real command line (no typo in a command or an option name)."""
    text = grader("--help").stdout
    for line in _section(text, "examples"):
        if line.startswith("  grader "):
            args = cli._parser().parse_args(shlex.split(line.strip())[1:])
            assert args.command in COMMANDS


def test_bare_grader_prints_the_help_and_exits_2() -> None:
    """No command: the same help as --help on stdout, nothing on stderr, exit 2 (a script missing its
    command fails)."""
    bare = grader()
    assert bare.returncode == 2
    assert bare.stdout == grader("--help").stdout
    assert bare.stderr == ""


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_a_description_and_help_for_every_argument(command: str) -> None:
    """`grader COMMAND --help` exits 0, has a description paragraph under its usage, and every argument
    of the command has a help text."""
    done = grader(command, "--help")
    assert done.returncode == 0, done.stderr
    paragraphs = done.stdout.split("\n\n")
    assert paragraphs[0].startswith(f"usage: grader {command}")
    assert not paragraphs[1].startswith(("positional arguments:", "options:")), "no description"
    assert _undocumented(_subparsers(cli._parser())[command]) == []


def test_the_undocumented_argument_check_can_fail() -> None:
    """Negative control: an argument added without help text is reported."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--documented", help="has help")
    parser.add_argument("--bare")
    parser.add_argument("thing")
    assert _undocumented(parser) == ["--bare", "thing"]


@pytest.mark.parametrize("command", ["grade", "batch", "check", "samples"])
def test_choices_are_listed_for_isolation(command: str) -> None:
    """--isolation's help names every isolation mode the settings accept."""
    text = " ".join(grader(command, "--help").stdout.split())
    for mode in ISOLATIONS:
        assert re.search(rf"--isolation MODE .*\b{mode}\b", text), mode


@pytest.mark.parametrize("command", ["grade", "batch"])
def test_choices_are_listed_for_format(command: str) -> None:
    """--format's help names every report format."""
    text = " ".join(grader(command, "--help").stdout.split())
    for name in FORMATS:
        assert re.search(rf"--format LIST .*\b{name}\b", text), name


def test_fixtures_lists_its_actions() -> None:
    """`grader fixtures --help` shows the two actions as choices, each explained."""
    text = grader("fixtures", "--help").stdout
    assert "{build,verify}" in text
    assert "build: " in text and "verify: " in text


@pytest.mark.parametrize(
    ("argv", "built"),
    [
        (["check", "--help"], ["check"]),
        (["grade", "--help"], ["grade"]),
        (["--help"], list(cli.SUBCOMMANDS)),  # the control: the top level's help lists every command
        (["-h", "check"], list(cli.SUBCOMMANDS)),
        (["chec", "--help"], list(cli.SUBCOMMANDS)),  # a misspelt command's error names them all
    ],
    ids=["check", "grade", "control-top-help", "control-option-first", "control-misspelt"],
)
def test_a_command_builds_its_own_parser_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], built: list[str]
) -> None:
    """`grader check FILE` builds the top level's parser and check's alone (the other seven were ~3 ms of CPU
    before a check starts its sandbox worker, issue 13); what comes first decides it, so a help or an error
    that lists the commands still has them all."""
    added: list[str] = []
    real = argparse._SubParsersAction.add_parser

    def add_parser(self: argparse._SubParsersAction, name: str, **kwargs: object) -> argparse.ArgumentParser:
        added.append(name)
        return real(self, name, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(argparse._SubParsersAction, "add_parser", add_parser)
    with pytest.raises(SystemExit):  # the help printed (0), or the misspelt command's error (2)
        cli.main(argv)
    assert added == built
    capsys.readouterr()


@pytest.mark.parametrize("command", list(cli.SUBCOMMANDS))
def test_a_command_parser_built_alone_reads_as_in_the_whole_one(command: str) -> None:
    """Each command's parser built alone prints the help and the usage it prints within the whole parser."""
    alone, whole = _subparsers(cli._parser(command))[command], _subparsers(cli._parser())[command]
    assert alone.format_help() == whole.format_help()
    assert alone.format_usage() == whole.format_usage()
