"""Settings: command line, then environment, then config file, then default; errors say which, where, what."""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from blocking import never_blocks

from grader import settings
from grader.schema import ConfigError
from grader.settings import SETTINGS, resolve, usable_cpus

NO_CLI: dict[str, object] = {}


def _toml(tmp_path: Path, text: str, name: str = "grader.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_local_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts in an empty directory, so a developer's ./grader.toml cannot leak in."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def _cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight CPUs, whatever this machine has: the `jobs = 3` the tests read are then read as they are."""
    monkeypatch.setattr(settings, "usable_cpus", lambda: 8)


def test_defaults_when_nothing_is_set() -> None:
    """With no flag, variable or file, every setting takes its documented default."""
    assert resolve(NO_CLI, environ={}) == {
        "jobs": None,
        "seed": None,
        "format": ("json",),
        "isolation": "auto",
        "after_due_date": False,
        "stage": None,  # the assignment's default stage
    }


def test_command_line_beats_environment_beats_config_file(tmp_path: Path) -> None:
    """The same setting from all three places: the flag wins, then the variable, then the file."""
    config = str(_toml(tmp_path, "jobs = 3\nseed = 30\nisolation = 'rlimits'\n", "c.toml"))
    environ = {"GRADER_JOBS": "2", "GRADER_SEED": "20"}
    got = resolve({"jobs": "1"}, config=config, environ=environ)
    assert (got["jobs"], got["seed"], got["isolation"]) == (1, 20, "rlimits")
    assert resolve(NO_CLI, config=config, environ={})["jobs"] == 3  # control: the file alone is read


def test_a_local_grader_toml_is_read_and_a_grader_table_works(tmp_path: Path) -> None:
    """./grader.toml is picked up without --config, with keys at top level or under [grader]."""
    _toml(tmp_path, "[grader]\nformat = ['junit', 'json']\nafter_due_date = true\n")
    got = resolve(NO_CLI, environ={})
    assert got["format"] == ("junit", "json") and got["after_due_date"] is True


def test_grader_config_variable_names_the_file(tmp_path: Path) -> None:
    """GRADER_CONFIG points at a config file when --config is not given; --config wins over it."""
    by_env = _toml(tmp_path, "jobs = 4\n", "env.toml")
    by_flag = _toml(tmp_path, "jobs = 5\n", "flag.toml")
    assert resolve(NO_CLI, environ={"GRADER_CONFIG": str(by_env)})["jobs"] == 4
    assert resolve(NO_CLI, config=str(by_flag), environ={"GRADER_CONFIG": str(by_env)})["jobs"] == 5


@pytest.mark.parametrize(
    ("name", "env", "raw", "valid"),
    [
        ("jobs", "GRADER_JOBS", "x", "a positive integer"),
        ("jobs", "GRADER_JOBS", "0", "a positive integer"),
        ("seed", "GRADER_SEED", "-1", "an integer from 0 to 2**63 - 1"),
        ("seed", "GRADER_SEED", str(2**63), "an integer from 0 to 2**63 - 1"),
        (
            "format",
            "GRADER_FORMAT",
            "json,xml",
            "a comma-separated list of json, gradescope, junit, student (batch also: canvas, moodle)",
        ),
        ("isolation", "GRADER_ISOLATION", "docker", "one of auto, bwrap, rlimits, none"),
        (
            "stage",
            "GRADER_STAGE",
            "Step 14",
            "a stage name such as step14, or several joined with + (`grader assignments` lists them)",
        ),
        (
            "stage",
            "GRADER_STAGE",
            "layers+",
            "a stage name such as step14, or several joined with + (`grader assignments` lists them)",
        ),
        ("after_due_date", "GRADER_AFTER_DUE_DATE", "maybe", "true or false"),
    ],
)
def test_an_invalid_environment_value_says_which_from_where_and_what_is_valid(
    name: str, env: str, raw: str, valid: str
) -> None:
    """An invalid value from a variable names the setting, the value, the variable and what would be valid."""
    with pytest.raises(ConfigError) as err:
        resolve(NO_CLI, environ={env: raw})
    assert str(err.value) == f"invalid {name} {raw!r} from {env}: expected {valid}"


def test_an_invalid_command_line_value_names_the_flag() -> None:
    """--after-due-date style names: the flag is spelt as typed, with dashes."""
    with pytest.raises(ConfigError, match=r"invalid jobs 'two' from --jobs: expected a positive integer"):
        resolve({"jobs": "two"}, environ={})


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("jobs = 2.5", "invalid jobs 2.5 from"),  # would silently truncate to 2 through int()
        ("jobs = true", "invalid jobs True from"),
        ("seed = 1.0", "invalid seed 1.0 from"),
        ("isolation = ['bwrap']", "invalid isolation ['bwrap'] from"),
    ],
)
def test_a_bad_config_file_value_names_the_file(tmp_path: Path, line: str, message: str) -> None:
    """A wrongly typed value in the file is refused (never truncated) and the message names the file."""
    config = _toml(tmp_path, line + "\n", "course.toml")
    with pytest.raises(ConfigError) as err:
        resolve(NO_CLI, config=str(config), environ={})
    assert message in str(err.value)
    assert f"{config} (--config)" in str(err.value)


def test_valid_values_of_every_kind_parse() -> None:
    """Control for the refusals above: well-formed values of each setting parse to their typed value."""
    environ = {
        "GRADER_JOBS": "2",
        "GRADER_SEED": str(2**63 - 1),
        "GRADER_FORMAT": " junit , json,junit ",
        "GRADER_ISOLATION": "bwrap",
        "GRADER_AFTER_DUE_DATE": "yes",
        "GRADER_STAGE": " two-layer-net ",
    }
    assert resolve(NO_CLI, environ=environ) == {
        "jobs": 2,
        "seed": 2**63 - 1,
        "format": ("junit", "json"),
        "isolation": "bwrap",
        "after_due_date": True,
        "stage": "two-layer-net",
    }


def test_a_combined_stage_is_a_valid_stage_setting() -> None:
    """docs/STAGES.md: several stages joined with + (--stage layers+two-layer-net, in any order) are one
    stage graded together. The setting refused them ("invalid stage 'layers+two-layer-net' from --stage"),
    so a book repository's TwoLayerNet (inferred `default`, which leaves out its predict and accuracy
    cases) could not be checked with them by asking."""
    assert resolve({"stage": "two-layer-net+default"}, environ={})["stage"] == "two-layer-net+default"
    assert (
        resolve(NO_CLI, environ={"GRADER_STAGE": "layers+two-layer-net"})["stage"] == "layers+two-layer-net"
    )


@pytest.mark.parametrize(
    ("cli", "environ", "text", "source"),
    [
        ({}, {}, "jobs = 1000000\n", "grader.toml (the working directory)"),
        ({}, {"GRADER_JOBS": "64"}, "", "GRADER_JOBS"),
        ({"jobs": "9"}, {}, "", "--jobs"),
    ],
)
def test_jobs_are_read_as_given_and_capped_only_where_used(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cli: dict[str, object],
    environ: dict[str, str],
    text: str,
    source: str,
) -> None:
    """`resolve` reads jobs as given, without a word: it warned for every command, `grade` (one job always)
    twice, and the pytest plugin and --executor dask too (review of s25-huntin, findings 3 and 4). The local
    pool caps them (`within_the_cpus`: a student's grader.toml's 1,000,000 had the parent start a thread and
    a worker each), once, naming the source; never refused (the guide's `jobs = 2` on a one-CPU runner).
    Control: jobs equal to the CPUs, no word."""
    monkeypatch.setattr(settings, "usable_cpus", lambda: 2)
    if text:
        _toml(tmp_path, text)
    given = resolve(cli, environ=environ)["jobs"]
    assert given > 2 and capsys.readouterr().err == ""
    assert settings.within_the_cpus(given, source) == 2
    warned = capsys.readouterr().err
    assert warned.startswith("warning: jobs ") and f"from {source} is more than the 2 CPU(s)" in warned
    assert warned.count("\n") == 1
    assert settings.within_the_cpus(2, source) == 2 and capsys.readouterr().err == ""


def test_usable_cpus_counts_the_cpus_this_process_may_run_on() -> None:
    """The affinity mask (taskset, a container's cpuset), not the machine's count."""
    assert usable_cpus() == len(os.sched_getaffinity(0))


def test_an_empty_environment_variable_counts_as_unset(tmp_path: Path) -> None:
    """GRADER_JOBS= (exported empty) falls through to the file instead of failing as an invalid value."""
    config = _toml(tmp_path, "jobs = 3\n", "c.toml")
    assert resolve(NO_CLI, config=str(config), environ={"GRADER_JOBS": ""})["jobs"] == 3


def test_unknown_keys_in_the_config_file_are_named_with_the_valid_ones(tmp_path: Path) -> None:
    """A typo in a key is an error that lists the known settings, not a silently ignored line."""
    config = _toml(tmp_path, "job = 2\n", "c.toml")
    with pytest.raises(ConfigError) as err:
        resolve(NO_CLI, config=str(config), environ={})
    assert f"config file {config}: unknown setting(s) job" in str(err.value)
    assert ", ".join(sorted(SETTINGS)) in str(err.value)


def test_keys_beside_a_grader_table_are_refused_not_dropped(tmp_path: Path) -> None:
    """`seed = 5` and `bogus = 1` above a [grader] table were dropped without a word (resolve gave seed None),
    though the guide says an unknown key is refused (review of s21-user, 9). Refused, naming them. Controls:
    the same keys all at the top level, or all under [grader], are read."""
    config = _toml(tmp_path, "seed = 5\nbogus = 1\n[grader]\nstage = 'activations'\n", "c.toml")
    with pytest.raises(ConfigError) as err:
        resolve(NO_CLI, config=str(config), environ={})
    assert f"config file {config}: bogus, seed outside the [grader] table, which would not be read" in str(
        err.value
    )
    _toml(tmp_path, "seed = 5\nstage = 'activations'\n", "c.toml")
    assert resolve(NO_CLI, config=str(config), environ={})["seed"] == 5
    _toml(tmp_path, "[grader]\nseed = 5\nstage = 'activations'\n", "c.toml")
    assert resolve(NO_CLI, config=str(config), environ={})["seed"] == 5


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("missing", "does not exist"),
        ("not toml", "is not valid TOML"),
        ("directory", "cannot be read"),
        ("binary", "cannot be read"),
        ("grader = 5", "'grader' must be a table"),
        # tomllib reads these by recursion: RecursionError, a traceback from the grader (session 25)
        pytest.param("jobs = " + "[" * 20_000 + "]" * 20_000, "nested too deeply", id="nested arrays"),
        pytest.param("x = " + "{a = " * 5_000 + "1" + "}" * 5_000, "nested too deeply", id="nested tables"),
        # read whole before: a student's ./grader.toml of gigabytes was read into the grader's memory
        pytest.param("jobs = 1\n" + "#" * (64 * 1024), "is over 64 KiB", id="over 64 KiB"),
    ],
)
def test_an_unusable_config_file_is_a_config_error_naming_it(
    tmp_path: Path, setup: str, expected: str
) -> None:
    """Missing, malformed, unreadable or mis-shaped config files raise ConfigError (exit 2), never a crash."""
    path = tmp_path / "c.toml"
    if setup == "directory":
        path.mkdir()
    elif setup == "binary":
        path.write_bytes(b"\xff\xfe\x00jobs")
    elif setup != "missing":
        path.write_text(setup + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        resolve(NO_CLI, config=str(path), environ={})
    assert str(path) in str(err.value) and expected in str(err.value)


def test_a_config_file_cannot_turn_the_sandbox_off(tmp_path: Path) -> None:
    """A grader.toml may have come with the code: course CI runs in the student's repository, and a TA may run
    the grader inside a student's unpacked folder. `isolation = "none"` there ran the student's code with no
    sandbox; it is refused, naming the file and the two places that may ask for it. Controls: the flag and the
    variable still turn it off (over the same file), and the file may pick a sandbox."""
    _toml(tmp_path, "isolation = 'none'\n")
    with pytest.raises(
        ConfigError, match=r"isolation 'none' from grader\.toml \(the working directory\) refused"
    ):
        resolve(NO_CLI, environ={})
    assert resolve({"isolation": "none"}, environ={})["isolation"] == "none"
    assert resolve(NO_CLI, environ={"GRADER_ISOLATION": "none"})["isolation"] == "none"
    _toml(tmp_path, "isolation = 'rlimits'\n")
    assert resolve(NO_CLI, environ={})["isolation"] == "rlimits"


def test_the_config_file_of_the_submission_being_graded_is_not_read(tmp_path: Path) -> None:
    """`grader grade miniflow .` in a student's unpacked folder read the student's grader.toml: their seed
    (generated cases they could precompute and hard-code) and their stage (an easier stage's full marks).
    A ./grader.toml inside a folder being graded is refused, naming the file and the way out."""
    _toml(tmp_path, "seed = 42\nstage = 'backprop'\n")
    for graded in (tmp_path, "."):
        with pytest.raises(
            ConfigError, match=r"grader\.toml in the working directory is a file of the submission"
        ):
            resolve(NO_CLI, environ={}, graded=[graded])


@pytest.mark.parametrize(
    "setting", ["seed = 42", "stage = 'add'", "after_due_date = true", "isolation = 'rlimits'"]
)
@pytest.mark.parametrize("graded", ["hw", "hw.py", "./hw"])
def test_a_config_file_beside_the_graded_submission_is_not_read(
    tmp_path: Path, setting: str, graded: str
) -> None:
    """A student's unpacked folder holding their grader.toml one folder up of their code: `grader grade
    miniflow hw` run there read the student's seed, stage, after_due_date and isolation (session 20's gap).
    Beside the graded folder or file, a ./grader.toml setting any of them is refused, naming the file, the
    settings and --config."""
    (tmp_path / "hw").mkdir()
    (tmp_path / "hw.py").write_text("x = 1\n", encoding="utf-8")
    _toml(tmp_path, setting + "\n")
    with pytest.raises(
        ConfigError, match=r"grader\.toml in the working directory is beside the submission"
    ) as err:
        resolve(NO_CLI, environ={}, graded=[graded])
    assert setting.split(" = ")[0] in str(err.value)
    # the file's absolute path (review of s23-user, 5): a relative --config follows the working directory
    assert f"--config {Path.cwd() / 'grader.toml'} (" in str(err.value), err.value


def test_a_symbolic_link_does_not_carry_a_students_config_file_past_the_refusal(tmp_path: Path) -> None:
    """Review of s21-repo, finding 1: grader.toml -> docs/settings.toml (the link's target beside no graded
    path) and hw -> code/hw (the graded folder's target elsewhere) both read the student's seed and stage.
    A linked ./grader.toml is refused while grading, and a graded path is compared as typed and resolved."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "hw").mkdir()
    _toml(tmp_path / "docs", "stage = 'forward'\nseed = 7\n", "settings.toml")
    (tmp_path / "grader.toml").symlink_to("docs/settings.toml")
    with pytest.raises(ConfigError, match=r"grader\.toml in the working directory is a symbolic link"):
        resolve(NO_CLI, environ={}, graded=["hw"])
    (tmp_path / "grader.toml").unlink()
    _toml(tmp_path, "seed = 7\n")
    (tmp_path / "hw").rmdir()
    (tmp_path / "code" / "hw").mkdir(parents=True)
    (tmp_path / "hw").symlink_to("code/hw")
    with pytest.raises(ConfigError, match=r"is beside the submission being graded \(hw\)"):
        resolve(NO_CLI, environ={}, graded=["hw"])


def test_a_linked_config_file_is_refused_by_a_batch_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Session 24 (hunt2): kim.zip held a link grader.toml -> zz.txt and zz.txt (stage add, seed 7); a TA in
    kim/, the zip unpacked, ran `grader batch miniflow ../cls` with the zip in it: no entry named grader.toml
    held those bytes (the link's entry holds "zz.txt"), and the class was graded at kim's stage and seed.
    Refused as `grade` refuses it; named with --config (its target), it is read."""
    kim, cls = tmp_path / "kim", tmp_path / "cls"
    kim.mkdir()
    cls.mkdir()
    target = _toml(kim, "stage = 'add'\nseed = 7\n", "zz.txt")
    (kim / "grader.toml").symlink_to("zz.txt")
    monkeypatch.chdir(kim)
    with pytest.raises(ConfigError, match=r"grader\.toml in the working directory is a symbolic link") as err:
        resolve(NO_CLI, environ={}, classes=["../cls"])
    assert f"name it with --config {target}" in str(err.value), err.value
    assert resolve(NO_CLI, config=str(target), environ={}, classes=["../cls"])["seed"] == 7


def test_a_linked_config_file_is_read_when_nothing_is_graded_for_someone_else(tmp_path: Path) -> None:
    """Negative control: `grader check` (no graded submission) reads a ./grader.toml that is a link."""
    _toml(tmp_path, "seed = 7\n", "mine.toml")
    (tmp_path / "grader.toml").symlink_to("mine.toml")
    assert resolve(NO_CLI, environ={}, graded=[])["seed"] == 7


def test_a_config_file_beside_the_graded_file_is_read_when_its_grading_settings_are_all_given(
    tmp_path: Path,
) -> None:
    """Review of s21-repo, finding 7: course/grader.toml beside course/kim.py was refused even with --seed and
    --stage given, though the file's seed and stage were then never used. Given all (command line or
    environment), the file is read for the rest; one left to the file is still refused, and named."""
    (tmp_path / "kim.py").write_text("x = 1\n", encoding="utf-8")
    _toml(tmp_path, "seed = 7\nstage = 'backprop'\njobs = 3\n")
    given = resolve({"seed": 1, "stage": "sgd"}, environ={}, graded=["kim.py"])
    assert (given["seed"], given["stage"], given["jobs"]) == (1, "sgd", 3)
    assert resolve({"seed": 1}, environ={"GRADER_STAGE": "sgd"}, graded=["kim.py"])["jobs"] == 3
    with pytest.raises(ConfigError, match=r"\(kim\.py\) and sets stage: not read") as err:
        resolve({"seed": 1}, environ={}, graded=["kim.py"])
    assert "--stage on the command line" in str(err.value)


def test_a_config_file_beside_the_graded_submission_keeps_what_changes_no_grade(tmp_path: Path) -> None:
    """Negative control: jobs and format change no grade, and are read from a grader.toml beside it."""
    (tmp_path / "hw").mkdir()
    _toml(tmp_path, "jobs = 3\nformat = 'json,junit'\n")
    assert resolve(NO_CLI, environ={}, graded=["hw"])["jobs"] == 3


@pytest.mark.parametrize("graded", ["hw/miniflow.py", "hw/sub/miniflow.py", "class/alice", "./hw/../hw/a.py"])
@pytest.mark.parametrize(
    "setting", ["seed = 42", "stage = 'add'", "after_due_date = true", "seed = 1\nisolation = 'bwrap'"]
)
def test_a_config_file_above_the_graded_code_sets_no_grading_setting(
    tmp_path: Path, graded: str, setting: str
) -> None:
    """Session 23: a student's grader.toml two or more folders up of the graded code (`grader grade miniflow
    hw/miniflow.py` run in their unpacked folder) was read, its stage, seed and after_due_date graded, since
    it is the course layout's picture (grader.toml above class/kim.py). Nothing on disk tells the two apart,
    so `grade` takes no grading setting from an implicit ./grader.toml for code below the working directory:
    refused, naming the file, where it is and the setting (its isolation may ask for bubblewrap, never for
    less: the test below)."""
    _toml(tmp_path, setting + "\n")
    name = setting.split(" ")[0]
    with pytest.raises(ConfigError) as err:
        resolve(NO_CLI, environ={}, graded=[graded])
    assert (
        f"grader.toml in the working directory is above the submission being graded ({graded}) and sets "
        f"{name}: not read" in str(err.value)
    ), err.value
    assert f"--config {Path.cwd() / 'grader.toml'} (" in str(err.value), err.value
    with pytest.raises(ConfigError, match=r"is above the submission being graded"):
        resolve(NO_CLI, environ={}, graded=[tmp_path / graded])  # as an absolute path too


def test_a_config_file_above_the_graded_code_is_read_named_overridden_or_outside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Negative controls of the rule above: the course's file is read when named with --config or
    GRADER_CONFIG (the grader's user chose it), for a submission outside the working directory's folder
    (`grader grade miniflow ../class/kim.py`), when the command line or environment gives every grading
    setting it sets (read for the rest), when it sets only jobs and format, by `grader check` (no graded
    submission: the student grades their own code), and by `batch` over a class folder below it (the
    course layout: its class folder is a folder of students' entries)."""
    course = tmp_path / "course"
    (course / "class").mkdir(parents=True)
    _toml(course, "seed = 7\nstage = 'backprop'\njobs = 3\n")
    graded = ["class/alice.py"]
    monkeypatch.chdir(course)
    assert resolve(NO_CLI, config="grader.toml", environ={}, graded=graded)["seed"] == 7
    assert resolve(NO_CLI, environ={"GRADER_CONFIG": "grader.toml"}, graded=graded)["stage"] == "backprop"
    assert resolve(NO_CLI, environ={}, graded=["../elsewhere/alice.py"])["seed"] == 7
    assert resolve(NO_CLI, environ={}, graded=[tmp_path / "elsewhere" / "alice.py"])["stage"] == "backprop"
    given = resolve({"seed": 1, "stage": "sgd"}, environ={}, graded=graded)
    assert (given["seed"], given["stage"], given["jobs"]) == (1, "sgd", 3)
    assert resolve(NO_CLI, environ={})["seed"] == 7
    assert resolve(NO_CLI, environ={}, classes=["class"])["stage"] == "backprop"
    _toml(course, "jobs = 3\nformat = 'json,junit'\n")
    assert resolve(NO_CLI, environ={}, graded=graded)["jobs"] == 3


def test_a_config_file_above_the_graded_code_cannot_keep_bubblewrap_out(tmp_path: Path) -> None:
    """Session 22: a student's grader.toml two folders up of the graded file (`grader grade miniflow
    hw/miniflow.py` run in their unpacked folder) is the course layout's picture and was read; its
    `isolation = "rlimits"` graded without bubblewrap, the report saying "bubblewrap unavailable". Refused
    while grading someone's submission (grade, batch). Controls: `bwrap` (asking for more) is read, so is
    `rlimits` given on the command line or in the environment, named with --config, or read by `grader
    check` (the student's own code)."""
    (tmp_path / "hw").mkdir()
    _toml(tmp_path, "isolation = 'rlimits'\n")
    for kwargs in ({"graded": ["hw/miniflow.py"]}, {"classes": ["class"]}):
        with pytest.raises(ConfigError) as err:
            resolve(NO_CLI, environ={}, **kwargs)  # type: ignore[arg-type]
        assert str(err.value).startswith(
            "isolation 'rlimits' from grader.toml (the working directory) refused while grading a submission"
        ), err.value
        # the easiest way out is said (review of session 22): without the line, auto falls back to rlimits
        assert "delete its isolation line (the default, auto," in str(err.value), err.value
    graded = ["hw/miniflow.py"]
    assert resolve({**NO_CLI, "isolation": "rlimits"}, environ={}, graded=graded)["isolation"] == "rlimits"
    assert resolve(NO_CLI, environ={"GRADER_ISOLATION": "auto"}, graded=graded)["isolation"] == "auto"
    assert resolve(NO_CLI, config="grader.toml", environ={}, graded=graded)["isolation"] == "rlimits"
    assert resolve(NO_CLI, environ={})["isolation"] == "rlimits"
    _toml(tmp_path, "isolation = 'bwrap'\n")
    assert resolve(NO_CLI, environ={}, graded=graded)["isolation"] == "bwrap"
    _toml(tmp_path, "jobs = 3\n")  # the line deleted, as the refusal says: the default, auto, is read
    assert resolve(NO_CLI, environ={}, graded=graded)["isolation"] == "auto"


@pytest.mark.parametrize("depth", [("alice",), ("alice", "hw")])
def test_a_config_file_inside_a_students_entry_of_the_class_batched_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, depth: tuple[str, ...]
) -> None:
    """`grader batch miniflow ..` run in a student's unpacked folder of the class (class/alice/, or deeper)
    read alice's grader.toml: her stage and seed for the whole class (review of s21-user, 5). Refused,
    naming the entry and the settings. Controls: the same file setting only jobs is read; so is the course's
    file above the class folder, or at the class folder's own top level, and one named with --config."""
    cls = tmp_path / "course" / "class"
    inside = cls.joinpath(*depth)
    inside.mkdir(parents=True)
    monkeypatch.chdir(inside)
    relative = "/".join([".."] * len(depth))
    _toml(inside, "seed = 42\nstage = 'add'\n")
    for given in (relative, cls):
        with pytest.raises(ConfigError, match=r"is inside alice, a student's entry of the class") as err:
            resolve(NO_CLI, environ={}, classes=[given])
        assert "sets seed, stage" in str(err.value)
    assert resolve(NO_CLI, config="grader.toml", environ={}, classes=[cls])["seed"] == 42
    _toml(inside, "jobs = 3\n")
    assert resolve(NO_CLI, environ={}, classes=[cls])["jobs"] == 3
    (inside / "grader.toml").unlink()  # an entry holding one refuses the course's too (the rule below)
    for folder in (cls, cls.parent):
        monkeypatch.chdir(folder)
        _toml(folder, "seed = 7\n")
        assert resolve(NO_CLI, environ={}, classes=[cls])["seed"] == 7


def _guide_example() -> str:
    guide = (Path(__file__).resolve().parent.parent / "docs" / "INSTRUCTORS.md").read_text(encoding="utf-8")
    section = guide.split("## Settings: grader.toml\n", 1)[1].split("\n## ", 1)[0]
    return section.split("```toml\n", 1)[1].split("```", 1)[0]


def test_the_guides_ways_out_work_with_the_guides_own_example_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review of s23-user, finding 4: the guide's way out, `--stage backprop --seed 1` ("the file is then
    read for the rest"), was refused with its own example grader.toml, which sets after_due_date too. Its
    ways out, as written now, with that file in the course folder and class/kim.py graded: --config with the
    absolute path the refusal prints, or every grading setting it sets on the command line (its isolation,
    bwrap, asks for more and is read). Control: --stage and --seed alone are still refused, naming
    after_due_date."""
    course = tmp_path / "course"
    course.mkdir()
    _toml(course, _guide_example())
    monkeypatch.chdir(course)
    graded = ["class/kim.py"]
    with pytest.raises(ConfigError) as err:
        resolve(NO_CLI, environ={}, graded=graded)
    named = str(err.value).split("--config ", 1)[1].split(" (", 1)[0]
    assert named == str(Path.cwd() / "grader.toml")
    assert resolve(NO_CLI, config=named, environ={}, graded=graded)["seed"] == 12345
    given = resolve({"stage": "backprop", "seed": 1, "after_due_date": True}, environ={}, graded=graded)
    assert (given["seed"], given["isolation"], given["jobs"]) == (1, "bwrap", 2)
    assert (
        resolve({"stage": "backprop", "seed": 1}, environ={"GRADER_AFTER_DUE_DATE": "0"}, graded=graded)[
            "after_due_date"
        ]
        is False
    )
    with pytest.raises(ConfigError, match=r"and sets after_due_date: not read"):
        resolve({"stage": "backprop", "seed": 1}, environ={}, graded=graded)


def test_the_instructors_guide_example_grader_toml_sets_every_setting(tmp_path: Path) -> None:
    """docs/INSTRUCTORS.md's grader.toml example is read as written and sets every setting there is, each
    named with its variable (an instructor found no word on grader.toml's keys in the guide)."""
    guide = (Path(__file__).resolve().parent.parent / "docs" / "INSTRUCTORS.md").read_text(encoding="utf-8")
    section = guide.split("## Settings: grader.toml\n", 1)[1].split("\n## ", 1)[0]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    config = tmp_path / "grader.toml"
    config.write_text(example, encoding="utf-8")
    resolved = resolve({}, config=str(config), environ={})
    for name, setting in SETTINGS.items():
        assert resolved[name] != setting.default, f"the example leaves {name} at its default"
        assert f"{name} = " in example and setting.env in example, name


@pytest.mark.parametrize("where", ["beside", "above"])
@pytest.mark.parametrize(
    ("setting", "read"),
    [("after_due_date = false", False), ("isolation = 'auto'", "auto"), ("isolation = 'bwrap'", "bwrap")],
)
def test_a_grading_setting_that_asks_for_nothing_more_is_read_beside_or_above_the_graded_code(
    tmp_path: Path, where: str, setting: str, read: object
) -> None:
    """Review of s23-user, findings 3 and 7: `after_due_date = false` beside or above the graded code was
    refused, the message advising --after-due-date (which turns it on); `isolation = "bwrap"` beside it was
    refused, though it asks for more. A value equal to the default, or bubblewrap, changes no grade and
    weakens nothing: read. Control: beside a setting that does count, the refusal names that one alone."""
    graded = "kim.py" if where == "beside" else "class/kim.py"
    _toml(tmp_path, setting + "\n")
    name = setting.split(" = ")[0]
    assert resolve(NO_CLI, environ={}, graded=[graded])[name] == read
    _toml(tmp_path, setting + "\nseed = 7\n")
    with pytest.raises(
        ConfigError, match=rf"{where} the submission being graded \({graded}\) and sets seed:"
    ):
        resolve(NO_CLI, environ={}, graded=[graded])


def test_an_after_due_date_refusal_never_advises_the_flag_for_a_false_value(tmp_path: Path) -> None:
    """Review of s23-user, finding 3: the refusal of `after_due_date = false` beside the seed said "give
    --after-due-date on the command line", which turns it on. It names the seed alone; a true value is named
    with its flag (the control)."""
    _toml(tmp_path, "seed = 7\nafter_due_date = false\n")
    with pytest.raises(ConfigError) as err:
        resolve(NO_CLI, environ={}, graded=["kim.py"])
    assert "after-due-date" not in str(err.value) and "sets seed: not read" in str(err.value)
    assert "(or give --seed on the command line)" in str(err.value)
    _toml(tmp_path, "seed = 7\nafter_due_date = true\n")
    with pytest.raises(ConfigError, match=r"give --seed, --after-due-date on the command line"):
        resolve(NO_CLI, environ={}, graded=["kim.py"])


def _zip(path: Path, names: dict[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in names.items():
            archive.writestr(name, text)
    return path


HELD = {"miniflow.py": "x = 1\n", "grader.toml": "stage = 'add'\nseed = 7\n"}


@pytest.mark.parametrize(
    "layout",
    [
        "grade the zip",
        "grade the zip's folder",
        "grade a folder copy",
        "batch a class holding the zip",
        "batch a class holding a folder",
    ],
)
def test_a_config_file_is_not_read_when_the_code_graded_holds_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    """Review of s23-user, finding 1: a TA who unpacked kim.zip into kim/ and graded the original from there
    (`cd kim && grader grade miniflow ../kim.zip`, or `grader batch miniflow ../class` with the zip in it)
    read kim's grader.toml, her stage add (5/5) and seed 7: the code graded was outside the working
    directory's folder. When the code graded holds a grader.toml (a zip's entry, a folder's file, at any
    depth), an unnamed ./grader.toml setting seed, stage or after_due_date is refused, naming the submission
    and the file in it. Controls: --config (the absolute path the refusal names) and the command line giving
    both are read; so is a file setting only jobs."""
    kim = tmp_path / "kim"
    kim.mkdir()
    _toml(kim, HELD["grader.toml"])
    monkeypatch.chdir(kim)
    graded: list[str] = []
    classes: list[str] = []
    if layout == "grade the zip":
        _zip(tmp_path / "kim.zip", HELD)
        graded, shown = ["../kim.zip"], "(../kim.zip: grader.toml)"
    elif layout == "grade the zip's folder":  # a Gradescope submission/ holding the zip alone
        _zip(tmp_path / "submission" / "kim.zip", {f"kim/{n}": t for n, t in HELD.items()})
        graded, shown = ["../submission"], "(../submission: kim.zip: kim/grader.toml)"
    elif layout == "grade a folder copy":
        (tmp_path / "copy" / "hw").mkdir(parents=True)
        _toml(tmp_path / "copy", HELD["miniflow.py"], "miniflow.py")
        _toml(tmp_path / "copy" / "hw", HELD["grader.toml"])
        graded, shown = [str(tmp_path / "copy")], f"({tmp_path / 'copy'}: hw/grader.toml)"
    elif layout == "batch a class holding the zip":
        _zip(tmp_path / "class" / "kim.zip", {f"kim/{n}": t for n, t in HELD.items()})
        _toml(tmp_path / "class", "x = 1\n", "lee.py")
        classes, shown = ["../class"], "(../class/kim.zip: kim/grader.toml)"
    else:
        (tmp_path / "class" / "kim" / "a" / "b").mkdir(parents=True)
        _toml(tmp_path / "class" / "kim" / "a" / "b", HELD["grader.toml"])
        classes, shown = ["../class"], "(../class/kim: a/b/grader.toml)"
    with pytest.raises(ConfigError) as err:
        resolve(NO_CLI, environ={}, graded=graded, classes=classes)
    assert str(err.value).startswith(
        f"grader.toml in the working directory sets seed, stage, and the code graded holds a copy of it "
        f"{shown}: not read"
    ), err.value
    assert f"--config {kim / 'grader.toml'} (or give --seed, --stage on" in str(err.value), err.value
    named = resolve(NO_CLI, config=str(kim / "grader.toml"), environ={}, graded=graded, classes=classes)
    assert (named["stage"], named["seed"]) == ("add", 7)
    given = resolve({"seed": 1, "stage": "sgd"}, environ={}, graded=graded, classes=classes)
    assert (given["seed"], given["stage"]) == (1, "sgd")
    _toml(kim, "jobs = 3\n")
    assert resolve(NO_CLI, environ={}, graded=graded, classes=classes)["jobs"] == 3


def test_the_course_layout_is_read_when_no_submission_holds_a_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Negative control of the rule above: the instructor's layout (docs/INSTRUCTORS.md: grader.toml in the
    course folder, `grader batch miniflow class`) needs no --config. Not counted as a student's: a grader.toml
    at the class folder's own top level (no student's entry), in a folder the loader never reads (.git,
    venv/), in a hidden entry the batch skips, or a submission's file of another name."""
    course = tmp_path / "course"
    cls = course / "class"
    _zip(cls / "kim.zip", {"kim/miniflow.py": "x = 1\n", "kim/settings.toml": "seed = 1\n"})
    (cls / "lee" / ".git").mkdir(parents=True)
    _toml(cls / "lee" / ".git", "seed = 1\n")
    (cls / "ann" / "venv").mkdir(parents=True)
    _toml(cls / "ann" / "venv", "seed = 1\n")
    (cls / ".old").mkdir()
    _toml(cls / ".old", "seed = 1\n")
    _toml(cls, "seed = 42\nstage = 'backprop'\n")
    for folder in (course, cls):
        monkeypatch.chdir(folder)
        _toml(folder, "seed = 42\nstage = 'backprop'\n")
        resolved = resolve(NO_CLI, environ={}, classes=[cls])
        assert (resolved["seed"], resolved["stage"]) == (42, "backprop")
    # One student's grader.toml that differs from the course's cannot be the file read: the batch reads the
    # course's (review of s23-fixuser, finding 6); the rule's own control, a copy of the course's, is refused.
    monkeypatch.chdir(course)
    _toml(cls / "ann", "seed = 1\n")
    assert resolve(NO_CLI, environ={}, classes=[cls])["seed"] == 42
    _toml(cls / "ann", "seed = 42\nstage = 'backprop'\n")
    with pytest.raises(ConfigError, match=r"a copy of it \(\S*class/ann: grader\.toml\)"):
        resolve(NO_CLI, environ={}, classes=[cls])


@pytest.fixture
def _deadline() -> Iterator[None]:
    """A look that blocks (a FIFO opened for reading waits for a writer forever) fails the test."""
    with never_blocks("resolve"):
        yield


@pytest.mark.usefixtures("_deadline")
def test_a_fifo_in_a_students_entry_never_blocks_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review of s23-fixuser, finding 1: a FIFO named data.zip in a student's folder blocked the batch
    forever (its open waits for a writer) whenever the course's grader.toml set the seed or stage. The loader
    skips it, so the course's file is read."""
    course = tmp_path / "course"
    (course / "class" / "kim").mkdir(parents=True)
    _toml(course / "class" / "kim", "x = 1\n", "miniflow.py")
    _toml(course / "class", "x = 1\n", "lee.py")
    os.mkfifo(course / "class" / "kim" / "data.zip")
    _toml(course, "seed = 42\nstage = 'backprop'\n")
    monkeypatch.chdir(course)
    resolved = resolve(NO_CLI, environ={}, classes=["class"])
    assert (resolved["seed"], resolved["stage"]) == (42, "backprop")


@pytest.mark.parametrize("layout", ["upper-case zip entry", "notebook cell", "beside 10,001 hidden files"])
def test_a_copy_is_found_however_the_code_graded_holds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    """Review of s23-fixuser, findings 3 to 5: the TA in kim/, the unpacked copy, grading the original read
    kim's stage and seed when the zip spelled GRADER.TOML (`unzip -LL` lower-cases it), when a notebook's
    `%%writefile grader.toml` cell wrote it (the TA ran the notebook), or when the folder held 10,001 hidden
    files the loader does not count (the walk counted them and stopped before hw/grader.toml)."""
    kim = tmp_path / "kim"
    kim.mkdir()
    _toml(kim, HELD["grader.toml"])
    monkeypatch.chdir(kim)
    if layout == "upper-case zip entry":
        graded = _zip(tmp_path / "upper.zip", {"miniflow.py": "x = 1\n", "GRADER.TOML": HELD["grader.toml"]})
    elif layout == "notebook cell":
        graded = tmp_path / "kim.ipynb"
        cells = ["x = 1\n", "%%writefile grader.toml\n" + HELD["grader.toml"]]
        doc = {"cells": [{"cell_type": "code", "metadata": {}, "source": c, "outputs": []} for c in cells]}
        graded.write_text(json.dumps({**doc, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    else:
        graded = tmp_path / "hidden"
        (graded / "hw").mkdir(parents=True)
        for i in range(10_001):
            (graded / f".h{i:05}").touch()
        _toml(graded / "hw", HELD["miniflow.py"], "miniflow.py")
        _toml(graded / "hw", HELD["grader.toml"])
    with pytest.raises(ConfigError, match="holds a copy of it"):
        resolve(NO_CLI, environ={}, graded=[str(graded)])


@pytest.mark.parametrize("refusal", ["grading its folder", "inside a student's entry", "rlimits", "link"])
def test_every_refusal_names_the_config_file_by_its_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refusal: str
) -> None:
    """Review of s23-fixuser, finding 7: a bare "name your file with --config" led a TA in class/alice/ to
    `--config grader.toml`, alice's file again, read unchecked (the class graded at her stage add, seed 7).
    Every refusal names the file by its absolute path (a link's by its target's, where it really is)."""
    alice = tmp_path / "class" / "alice"
    alice.mkdir(parents=True)
    _toml(alice, "x = 1\n", "miniflow.py")
    monkeypatch.chdir(alice)
    graded: list[str] = []
    classes: list[str] = []
    named = alice / "grader.toml"
    _toml(alice, "stage = 'add'\nseed = 7\n")
    if refusal == "grading its folder":
        graded = ["."]
    elif refusal == "inside a student's entry":
        classes = [".."]
    elif refusal == "rlimits":
        _toml(alice, "isolation = 'rlimits'\n")
        graded = [str(tmp_path / "other.py")]
    else:
        named = _toml(tmp_path, "seed = 7\n", "real.toml")
        (alice / "grader.toml").unlink()
        (alice / "grader.toml").symlink_to(named)
        graded = [str(tmp_path / "other.py")]
    with pytest.raises(ConfigError) as err:
        resolve(NO_CLI, environ={}, graded=graded, classes=classes)
    assert f"name it with --config {named}" in str(err.value), err.value
