"""Settings resolved from the command line, then the environment, then a config file.

Every value remembers where it came from, so an invalid one can say so: "invalid jobs 'x' from GRADER_JOBS:
expected a positive integer". The config file is TOML: `grader.toml` in the working directory, or the file
named by `--config` / `GRADER_CONFIG`, with keys at top level or under `[grader]`.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from grader.schema import ConfigError

FORMATS = ("json", "gradescope", "junit", "student")
# Class gradebook imports (grader/reports/lms.py): `batch` only, written next to gradebook.csv.
CLASS_FORMATS = ("canvas", "moodle")
ISOLATIONS = ("auto", "bwrap", "rlimits", "none")


# A named tuple, not a dataclass: nothing before the sandbox worker's Popen imports dataclasses (with inspect,
# dis and ast: ~28 million instructions of a `grader check`'s serial start, session 37).
class Setting(NamedTuple):
    name: str
    env: str
    parse: Callable[[Any], Any]
    valid: str
    default: Any


def _integer(raw: Any) -> int:
    # int() would truncate a TOML float (jobs = 2.5 -> 2) and accept a bool: both are mistakes to report.
    if isinstance(raw, (bool, float)):
        raise ValueError
    return int(raw)


def _positive_int(raw: Any) -> int:
    value = _integer(raw)
    if value < 1:
        raise ValueError
    return value


def _seed(raw: Any) -> int:
    value = _integer(raw)
    if not 0 <= value < 2**63:
        raise ValueError
    return value


def _formats(raw: Any) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else str(raw).split(",")
    names = tuple(dict.fromkeys(str(i).strip() for i in items if str(i).strip()))
    if not names or any(n not in (*FORMATS, *CLASS_FORMATS) for n in names):
        raise ValueError
    return names


def _isolation(raw: Any) -> str:
    if raw not in ISOLATIONS:
        raise ValueError
    return str(raw)


def _stage(raw: Any) -> str:
    # Only the form here: which stages exist depends on the assignment (an unknown one lists them). Several
    # joined with "+" are one combined stage (`layers+two-layer-net`, docs/STAGES.md); a stage name is a slug.
    text = str(raw).strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*(?:\+[a-z0-9][a-z0-9-]*)*", text):
        raise ValueError
    return text


def _bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("jobs", "GRADER_JOBS", _positive_int, "a positive integer", None),
        Setting("seed", "GRADER_SEED", _seed, "an integer from 0 to 2**63 - 1", None),
        Setting(
            "format",
            "GRADER_FORMAT",
            _formats,
            f"a comma-separated list of {', '.join(FORMATS)} (batch also: {', '.join(CLASS_FORMATS)})",
            ("json",),
        ),
        Setting("isolation", "GRADER_ISOLATION", _isolation, f"one of {', '.join(ISOLATIONS)}", "auto"),
        Setting("after_due_date", "GRADER_AFTER_DUE_DATE", _bool, "true or false", False),
        Setting(
            "stage",
            "GRADER_STAGE",
            _stage,
            "a stage name such as step14, or several joined with + (`grader assignments` lists them)",
            None,
        ),
    )
}


# A config file is a few lines of settings; one larger is not read (the parent read a ./grader.toml whole,
# which may be a student's: a file of gigabytes, or of arrays nested 100,000 deep that tomllib reads by
# recursion, stopped the grader with a traceback: session 25).
MAX_CONFIG_BYTES = 64 * 1024


def _config_file(explicit: str | None, environ: Mapping[str, str]) -> tuple[Path | None, str]:
    if explicit:
        return Path(explicit), "--config"
    if environ.get("GRADER_CONFIG"):
        return Path(environ["GRADER_CONFIG"]), "GRADER_CONFIG"
    local = Path("grader.toml")
    return (local, "the working directory") if local.is_file() else (None, "")


def _read_config(path: Path | None, origin: str) -> dict[str, Any]:
    if path is None:
        return {}
    import tomllib  # only when there is a config file to read

    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            raise ConfigError(
                f"config file {path} (from {origin}) is over {MAX_CONFIG_BYTES // 1024} KiB: not a file of "
                "settings (a course's has a few lines); not read"
            )
        data = tomllib.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} (from {origin}) does not exist") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"config file {path} (from {origin}) is not valid TOML: {err}") from None
    except RecursionError:  # tomllib reads nested arrays and inline tables by recursion
        raise ConfigError(
            f"config file {path} (from {origin}) is not valid TOML for the grader: its arrays or tables are "
            "nested too deeply to read"
        ) from None
    except (OSError, UnicodeDecodeError) as err:  # a directory, no permission, not UTF-8 text
        raise ConfigError(f"config file {path} (from {origin}) cannot be read: {err}") from None
    section = data.get("grader", data)
    if not isinstance(section, dict):
        raise ConfigError(f"config file {path}: 'grader' must be a table ([grader]) of settings")
    outside = sorted(set(data) - {"grader"}) if "grader" in data else []
    if outside:
        # read from [grader] alone, they were dropped without a word: `seed = 5` above it graded a random seed
        raise ConfigError(
            f"config file {path}: {', '.join(outside)} outside the [grader] table, which would not be read; "
            "put every setting under [grader], or drop the [grader] line"
        )
    unknown = sorted(set(section) - set(SETTINGS))
    if unknown:
        raise ConfigError(
            f"config file {path}: unknown setting(s) {', '.join(unknown)}; "
            f"valid: {', '.join(sorted(SETTINGS))}"
        )
    return dict(section)


# What a student's config file could use to raise their grade or weaken the sandbox: the generated cases
# (seed), the cases and full marks (stage), the cases shown (after_due_date), the isolation.
GRADE_SETTINGS = ("seed", "stage", "after_due_date", "isolation")
# Those a config file held by the code graded (grader.held_config) refuses: a file's isolation may ask for
# bubblewrap, never for less (`_no_weaker_isolation`), and never turn the sandbox off (`resolve`).
HELD_SETTINGS = ("seed", "stage", "after_due_date")


def _grading(
    values: Mapping[str, Any], overridden: Iterable[str], names: Iterable[str] = GRADE_SETTINGS
) -> list[str]:
    """The grading settings a config file sets that would be used: not overridden (the command line or the
    environment gives them), and asking for something. A value equal to the default (`after_due_date =
    false`, `isolation = "auto"`) changes nothing read or not, and `isolation = "bwrap"` asks for more (review
    of s23-user, findings 3 and 7: both were refused, the first advising --after-due-date, which turns it
    on). A value that does not parse counts: it is refused as the student's before it is named as invalid."""
    overridden = set(overridden)
    return [n for n in names if n in values and n not in overridden and not _asks_nothing(n, values[n])]


def _asks_nothing(name: str, raw: Any) -> bool:
    setting = SETTINGS[name]
    try:
        value = setting.parse(raw)
    except (TypeError, ValueError):
        return False
    return bool(value == setting.default or (name == "isolation" and value == "bwrap"))


def _named(path: Path) -> str:
    """Every refusal's way out: the file named by its absolute path (a relative --config follows the working
    directory: given in a student's unpacked folder, `--config grader.toml` names their file again and is
    read unchecked: review of s23-fixuser, finding 7)."""
    return f"if it is yours, name it with --config {shlex.quote(os.path.abspath(path))}"


def _way_out(path: Path, grading: Iterable[str]) -> str:
    """The refusal's advice: the file named by its absolute path (`_named`), or the settings given."""
    flags = ", ".join("--" + n.replace("_", "-") for n in grading)
    return f"{_named(path)} (or give {flags} on the command line)"


def _students_file(
    path: Path | None,
    origin: str,
    graded: Iterable[str | Path],
    values: Mapping[str, Any] | None,
    overridden: Iterable[str] = (),
) -> None:
    """Refuse ./grader.toml when it may be the student's: a file of the submission being graded (a TA who
    runs `grader grade miniflow .` in a student's unpacked folder read the student's seed, generated cases the
    student could precompute and hard-code, stage, an easier stage's full marks, and after_due_date), or a
    file beside or above it that sets one of GRADE_SETTINGS (`grader grade miniflow hw` there: the student's
    grader.toml one folder up of their hw/; `grader grade miniflow hw/miniflow.py`: two folders up).

    The rule (session 23): the working directory's folder, everything below it, may be a student's unpacked
    hand-in, and nothing on disk tells it from a course folder (grader.toml above class/kim.py is the same
    picture as grader.toml above hw/miniflow.py), so `grade` takes a grading setting from an implicit
    ./grader.toml only for a submission outside that folder (and holding no grader.toml of its own:
    `_held_by_the_code`); the grader's user names their own with --config. `batch` keeps the course layout
    (settings.py `_in_a_students_entry`): its class folder is a folder of entries, each a student's. Settings
    that change no grade (jobs, format), and grading settings the command line or environment overrides (the
    file's value is then never used), are read. A config file named on purpose (--config, GRADER_CONFIG) is
    the grader's user's choice."""
    if path is None or origin != "the working directory":
        return
    graded = list(graded)
    found = _places(path)
    for given in graded:
        target = _places(given)
        if any(t.is_dir() and (f == t or t in f.parents) for t in target for f in found):
            raise ConfigError(
                f"{path} in the working directory is a file of the submission being graded ({given}): not "
                "read, since it may be the student's (it could set the seed or the stage); run the grader "
                f"from another folder, or {_named(path)}"
            )
        if values is None:  # before the file is read: only the check above, whatever the file holds
            continue
        grading = _grading(values, overridden)
        where = next((_beside_or_above(t, f) for t in target for f in found if f.parent in _up(t)), None)
        if where == "above":  # its isolation may ask for more, never less (`_no_weaker_isolation`)
            grading = [n for n in grading if n != "isolation"]
        if grading and where is not None:
            raise ConfigError(
                f"{path} in the working directory is {where} the submission being graded ({given}) and sets "
                f"{', '.join(grading)}: not read, since it may be the student's, unpacked with their code; "
                + _way_out(path, grading)
            )


def _up(target: Path) -> tuple[Path, ...]:
    """The folders a graded path is in: its own folder and every one above it."""
    return (target.parent, *target.parent.parents)


def _beside_or_above(target: Path, found: Path) -> str:
    return "beside" if target.parent == found.parent else "above"


def _in_a_students_entry(
    path: Path | None,
    origin: str,
    classes: Iterable[str | Path],
    values: Mapping[str, Any],
    overridden: Iterable[str] = (),
) -> None:
    """Refuse ./grader.toml inside a student's entry of a class folder graded (`batch`) when it sets one of
    GRADE_SETTINGS: a TA who ran `grader batch miniflow ..` from a student's unpacked folder (class/alice/)
    graded the whole class at alice's stage and seed. Each entry of the class folder is one student's, so any
    file below its top level may be a student's; the course layout keeps its file: grader.toml above the
    class folder, or beside it in the course folder, and one at the class folder's own top level (no
    student's entry: an LMS download names every file after its student)."""
    if path is None or origin != "the working directory":
        return
    grading = _grading(values, overridden)
    if not grading:
        return
    for found, given in ((f, g) for f in _places(path) for g in classes):
        folder = next((c for c in _places(given) if c in found.parents and found.parent != c), None)
        if folder is not None:
            entry = found.relative_to(folder).parts[0]
            raise ConfigError(
                f"{path} in the working directory is inside {entry}, a student's entry of the class folder "
                f"graded ({given}), and sets {', '.join(grading)}: not read, since it may be the student's; "
                "run the batch from the course folder (grader.toml above the class folder), or "
                + _named(path)
            )


def _held_by_the_code(
    path: Path | None,
    origin: str,
    graded: Iterable[str | Path],
    classes: Iterable[str | Path],
    values: Mapping[str, Any],
    overridden: Iterable[str] = (),
) -> None:
    """Refuse ./grader.toml setting the seed, the stage or after_due_date when the code graded (`grade`'s
    submission, any entry of `batch`'s class folder) holds a copy of it, a file of that name that is one
    (grader.held_config: the same text as `unzip -a` leaves both): a TA in a
    student's unpacked copy grading the original (`cd kim && grader grade miniflow ../kim.zip`, or `grader
    batch miniflow ../class` with kim.zip in it) read kim's stage and seed, the code graded being outside the
    working directory's folder (review of s23-user, finding 1). A student's grader.toml that sets anything
    else is not the file read, so the course layout is untouched: one student's file never stops the class's
    batch (review of s23-fixuser, finding 6). Looked for only when the file sets one of them."""
    if path is None or origin != "the working directory":
        return
    grading = _grading(values, overridden, HELD_SETTINGS)
    if not grading:
        return
    from grader import untrusted
    from grader.held_config import Look, look, read_config

    config = read_config(path)
    classes = list(classes)
    found = Look() if config is None else look(config, graded, classes)
    if found.copy is not None:
        submission, inside = (untrusted.path(p) for p in found.copy)
        raise ConfigError(
            f"{path} in the working directory sets {', '.join(grading)}, and the code graded holds a copy "
            f"of it ({submission}: {inside}): not read, since it may be the student's, unpacked from their "
            f"hand-in; {_way_out(path, grading)}"
        )
    if found.unread is None:
        return
    submission, inside = (untrusted.path(p) for p in found.unread[:2])
    why = untrusted.message(found.unread[2])
    unsure = (
        f"{path} in the working directory sets {', '.join(grading)}, and the code graded holds a file of its "
        f"name that could not be compared with it ({submission}: {inside}: {why})"
    )
    if not classes:  # `grade`: one submission, whose file may be this one
        raise ConfigError(
            f"{unsure}: not read, since it may be the student's, unpacked from their hand-in; "
            f"{_way_out(path, grading)}"
        )
    # `batch`: one student's unreadable file never stops the class (the course's own file is the usual one,
    # and the loader grades that student as it can); the TA is told, and --config decides
    flags = ", ".join("--" + n.replace("_", "-") for n in grading)
    if found.more:
        unsure += f", and {found.more} other submission(s) hold one too"
    print(
        f"warning: {unsure}; read as the course's file: if it came from that hand-in instead, this batch "
        "used the student's settings: run it again from the course's folder, or with --config naming the "
        f"course's file by its absolute path (or give {flags} on the command line)",
        file=sys.stderr,
    )


def _no_weaker_isolation(
    path: Path | None, origin: str, values: Mapping[str, Any], overridden: Iterable[str]
) -> None:
    """Refuse `isolation = "rlimits"` from ./grader.toml while grading someone's submission (`grade`,
    `batch`): a student's file two folders up of the graded code (`grader grade miniflow hw/miniflow.py` in
    their unpacked folder) looks like the course layout, grader.toml above the class folder, and is read
    (grader.toml above class/kim.py is the same picture), and its `rlimits` kept bubblewrap out while the
    report said "bubblewrap unavailable". A file may ask for bubblewrap (`bwrap`) but never for less; the
    grader's user deletes the line (auto falls back to rlimits where bubblewrap cannot run: the easiest way
    out, said first), gives rlimits on the command line or in the environment, or names the file with
    --config."""
    if path is None or origin != "the working directory" or "isolation" in set(overridden):
        return
    if values.get("isolation") == "rlimits":
        raise ConfigError(
            f"isolation 'rlimits' from {path} (the working directory) refused while grading a submission: "
            "it may be the student's (a file of their unpacked folder), and it would keep bubblewrap out; "
            "if it is yours, delete its isolation line (the default, auto, uses the rlimits walls where "
            "bubblewrap cannot run), or pass --isolation rlimits, set GRADER_ISOLATION=rlimits, or "
            + _named(path)
        )


def _places(given: str | Path) -> tuple[Path, ...]:
    """Where a path is, as typed (absolute, symbolic links kept) and as resolved: a student's symbolic link
    (grader.toml -> docs/settings.toml, or hw -> code/hw) moves the resolved form away from what sits beside
    it, so both forms are compared."""
    return (Path(os.path.abspath(given)), Path(given).resolve())


def _refuse_a_linked_file(path: Path | None, origin: str) -> None:
    """A ./grader.toml that is a symbolic link, read while grading someone's submission (`grade`, `batch`), is
    refused: a student's link points anywhere (their own settings under another name, in another folder, so
    no copy of the file under its name is in the code graded: session 24, hunt2, for `batch`)."""
    if path is not None and origin == "the working directory" and path.is_symlink():
        raise ConfigError(
            f"{path} in the working directory is a symbolic link (to {os.readlink(path)}): not read while "
            f"grading a submission, since it may be the student's; {_named(Path(os.path.realpath(path)))}"
        )


def _overridden(cli: Mapping[str, Any], environ: Mapping[str, str]) -> tuple[str, ...]:
    """The grading settings the command line or the environment gives: a config file's value for them is
    never used, so a grader.toml beside the graded file that sets only those takes no grade from the file."""
    return tuple(n for n in GRADE_SETTINGS if cli.get(n) is not None or environ.get(SETTINGS[n].env))


def resolve(
    cli: Mapping[str, Any],
    *,
    config: str | None = None,
    environ: Mapping[str, str] | None = None,
    graded: Iterable[str | Path] = (),
    classes: Iterable[str | Path] = (),
) -> dict[str, Any]:
    """Resolve every setting: command line, then environment, then config file, then the default.
    `graded`: the submissions (files or folders) graded for someone else, whose own config file is not read
    (`grader check` passes none: there the student grades their own code). `classes`: the class folders
    graded (`batch`), whose students' entries may not set grading settings."""
    environ = os.environ if environ is None else environ
    path, origin = _config_file(config, environ)
    graded, classes = list(graded), list(classes)
    if graded or classes:  # a batch too: kim.zip's link grader.toml -> zz.txt, unzipped in kim/, held no
        _refuse_a_linked_file(path, origin)  # copy under that name, and graded the class at her stage
    _students_file(path, origin, graded, None)
    file_values = _read_config(path, origin)
    overridden = _overridden(cli, environ)
    _students_file(path, origin, graded, file_values, overridden)
    _in_a_students_entry(path, origin, classes, file_values, overridden)
    _held_by_the_code(path, origin, graded, classes, file_values, overridden)
    if graded or classes:
        _no_weaker_isolation(path, origin, file_values, overridden)
    resolved: dict[str, Any] = {}
    from_file = f"{path} ({origin})"
    for name, setting in SETTINGS.items():
        raw, source = _given(name, cli, environ, file_values, from_file)
        if raw is None:
            resolved[name] = setting.default
            continue
        try:
            resolved[name] = setting.parse(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"invalid {name} {raw!r} from {source}: expected {setting.valid}") from None
        if name == "isolation" and resolved[name] == "none" and source == from_file:
            # A grader.toml may be the student's: the working directory of course CI is their repository,
            # and a TA may run the grader inside a student's unpacked folder. No sandbox is a choice made
            # where the grader is run, never read from a file that came with the code.
            raise ConfigError(
                f"isolation 'none' from {source} refused: a config file cannot turn the sandbox off (it may "
                "have come with a student's code); for trusted code pass --isolation none or set "
                "GRADER_ISOLATION=none"
            )
    return resolved


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, which a container or `taskset` narrows), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS has no sched_getaffinity
        return max(1, os.cpu_count() or 1)


def within_the_cpus(jobs: int, source: str) -> int:
    """`jobs` capped to the CPUs, with a warning: one sandbox worker (and one lane thread) starts per job,
    so a grader.toml's `jobs = 1000000` (a student's is read: jobs changes no grade) had the parent start
    threads and workers until it ran out of memory. Capped, not refused: a course file's `jobs = 2`, shipped
    in the guide, is valid on a one-CPU runner too, and refusing it stopped the course's grading there.
    Called only where jobs is used, the local pool (`grader batch`, `grader samples`) and each dask-local
    worker, once: `resolve` read it for every command, and `grade` (one job always), the pytest plugin and
    --executor dask (a remote cluster's workers) warned too
    (review of s25-huntin, findings 3 and 4)."""
    cpus = usable_cpus()
    if jobs <= cpus:
        return jobs
    print(
        f"warning: jobs {jobs} from {source} is more than the {cpus} CPU(s) this machine gives the grader: "
        f"{cpus} used (more sandboxes than CPUs only share them)",
        file=sys.stderr,
    )
    return cpus


def _given(
    name: str, cli: Mapping[str, Any], environ: Mapping[str, str], file_values: Mapping[str, Any], where: str
) -> tuple[Any, str]:
    """The raw value of a setting and where it came from: command line, environment, config file."""
    candidates = (
        (cli.get(name), f"--{name.replace('_', '-')}"),
        (environ.get(SETTINGS[name].env) or None, SETTINGS[name].env),  # set but empty counts as unset
        (file_values.get(name), where),
    )
    return next(((v, s) for v, s in candidates if v is not None), (None, "default"))


def origin(
    name: str, cli: Mapping[str, Any], *, config: str | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """Where a setting's value came from (`--stage`, `GRADER_STAGE`, `grader.toml (the working directory)`,
    `default`): for a refusal that only the assignment can make (an unknown stage) to say so, as `resolve`
    does for a malformed value."""
    environ = os.environ if environ is None else environ
    path, where = _config_file(config, environ)
    return _given(name, cli, environ, _read_config(path, where), f"{path} ({where})")[1]


def stage_from(message: str, stage: str, where: str | None) -> str:
    """An unknown stage's refusal (`unknown stage 'x' for assignment ...`) saying where the stage came from,
    when that was not typed in the failing command (GRADER_STAGE, a config file)."""
    said = f"unknown stage {stage!r}"
    return message.replace(said, f"{said} (from {where})", 1) if where is not None else message
