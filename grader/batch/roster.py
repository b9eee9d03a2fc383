"""Who a submission belongs to: the LMS bulk-download file name patterns, and an optional roster CSV.

What we assume about each pattern (docs/INSTRUCTORS.md lists the same, the tests use these forms):

- Canvas, "Download Submissions" on an assignment: every file is renamed
  `<namekey>_<user id>_<attachment id>_<original name>`, with `LATE_` before the user id when it was
  late (`<namekey>_LATE_<user id>_...`). The namekey is the student's sortable name, lower-cased, with
  everything but letters removed (`garciajose`); the user id is Canvas's numeric user id, which its
  gradebook import matches in the `ID` column. A resubmitted file's original name may end in `-N`.
- Moodle, "Download all submissions" on an assignment: `<Full name>_<participant id>_assignsubmission_file_
  <original name>` for each file, or one folder `<Full name>_<participant id>_assignsubmission_file_` per
  student with "Download submissions in folders"; `onlinetext` instead of `file` for online text. The
  participant id is what Moodle's grading worksheet calls the Identifier (`Participant <id>`).

A roster is a CSV with a header; columns, any order, names case-insensitive, all optional but one key:
`file` (the submission's name in the batch folder, with or without extension), `canvas_id`, `moodle_id`
(participant id), `name`, `email`, `sis_id` (the institution's student id), `login` (SIS login id).
A submission is matched by `file`, then by the LMS id in its name, then by its LMS name (Canvas namekey, or
Moodle full name, compared case-insensitively). Roster cells are text from the instructor, still escaped by
every writer.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grader import untrusted
from grader.batch.gradescope_export import Submitter, submitters_of
from grader.schema import ConfigError

# The namekey is lower case, but what Canvas strips from the sortable name is not documented: a hyphenated
# (`smith-jonesjane`) or accented (`garcíajosé`) namekey is as likely as `garciajose`, and `[a-z]+` alone
# read none of them, leaving that student with no Canvas id (out of canvas.csv). Word characters other than
# `_` (any script), optionally joined by `-` or `'`, with a letter and no capital (checked in parse_lms_name).
_CANVAS = re.compile(
    r"^(?P<key>[^\W_]+(?:[-'][^\W_]+)*)_(?:(?P<late>LATE)_)?(?P<user>\d+)_(?P<attachment>\d+)_(?P<file>.+)$"
)
_MOODLE = re.compile(
    r"^(?P<name>.+?)_(?P<participant>\d+)_assignsubmission_(?P<plugin>file|onlinetext)_(?P<file>.*)$"
)
# Moodle's words between a participant's full name and id and the file: more than once, the name is ambiguous.
MOODLE_WORDS = re.compile(r"_\d+_assignsubmission_(?:file|onlinetext)_")
ROSTER_COLUMNS = ("file", "canvas_id", "moodle_id", "name", "email", "sis_id", "login")
# The headers of the files an instructor exports from the LMS itself, read as our columns (used only when
# the file lacks our own column of that name), so the export needs no editing:
# - Canvas, Gradebook > Export: `Student` ("Smith, Jane"), `ID` (user id), `SIS User ID`, `SIS Login ID`;
# - Moodle, the assignment's "Download grading worksheet": `Identifier` ("Participant 4521"), `Full name`,
#   `Email address`; its participants export has `ID number` (the institution's id).
LMS_HEADERS = {
    "student": "name",
    "id": "canvas_id",
    "sis user id": "sis_id",
    "sis login id": "login",
    "identifier": "moodle_id",
    "full name": "name",
    "email address": "email",
    "id number": "sis_id",
}
# Moodle's worksheet writes the participant id as `Participant 4521`; the download names carry `4521`.
_PARTICIPANT = re.compile(r"^participant\s+(?=\d+$)", re.IGNORECASE)
# Canvas's export has rows that are no student: `Points Possible` (full marks) and, in newer exports,
# `Manual Posting` / `Read Only` in the Section column with an empty Student.
_NOT_A_STUDENT = frozenset({"points possible"})


@dataclass(frozen=True)
class LmsName:
    """What an LMS bulk download put in a submission's name."""

    lms: str  # "canvas" or "moodle"
    user: str  # Canvas user id, or Moodle participant id
    name: str  # Canvas namekey, or Moodle full name
    original: str  # the file name the student uploaded ("" for a Moodle folder)
    late: bool = False
    # Canvas's attachment id (its ids grow with time: the larger, the later the upload); Moodle's plugin
    # (`file`, or `onlinetext` for text typed into Moodle, no code). Not part of who the student is.
    attachment: str = field(default="", compare=False)
    plugin: str = field(default="", compare=False)


def parse_lms_name(name: str) -> LmsName | None:
    """The Canvas or Moodle fields of a bulk-download name, or None for any other name. The name is read in
    NFC: unzipped on macOS it is NFD, where an accent is a mark of its own and no word character."""
    name = unicodedata.normalize("NFC", name)
    m = _CANVAS.match(name)
    if m and m["key"] == m["key"].lower() and any(ch.isalpha() for ch in m["key"]):
        return LmsName(
            "canvas", m["user"], m["key"], m["file"], late=bool(m["late"]), attachment=m["attachment"]
        )
    if len(MOODLE_WORDS.findall(name)) > 1:
        # A full name is editable by its user: `Ann Lee_4521_assignsubmission_file_x` as Eve's made her
        # upload read as Ann's (the first id), and Ann's own row then shared an id and was left out of
        # moodle.csv. Such a name cannot say whose it is: it is no LMS name, graded under its file name.
        return None
    m = _MOODLE.match(name)
    if m:
        return LmsName("moodle", m["participant"], m["name"], m["file"], plugin=m["plugin"])
    return None


# Between the members' names, emails and ids in a group submission's one gradebook row.
GROUP_SEPARATOR = "; "


@dataclass(frozen=True)
class Identity:
    """Who a submission is, as far as the file name and the roster tell: every field may be empty."""

    name: str = ""
    email: str = ""
    sis_id: str = ""
    login: str = ""
    canvas_id: str = ""
    moodle_id: str = ""
    in_roster: bool = False
    # A group submission's members (a Gradescope export lists each): the fields above then name all of
    # them, joined by GROUP_SEPARATOR in the export's order, for the one gradebook row; the LMS imports
    # give each member their own line.
    members: tuple[Identity, ...] = ()

    def to_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "email": self.email,
            "sis_id": self.sis_id,
            "login": self.login,
            "canvas_id": self.canvas_id,
            "moodle_id": self.moodle_id,
        }


def _key(text: str) -> str:
    """A name compared loosely: letters only, lower case, accents dropped (`José García` -> `josegarcia`),
    as Canvas's namekey may or may not keep them."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalpha() and not unicodedata.combining(ch))


def _row(raw: dict[str, str | None], header: dict[str, str], known: list[str]) -> dict[str, str] | None:
    """One roster row in our columns, or None for a row that is no student (nothing to match by, or
    Canvas's `Points Possible`)."""
    row = {c: untrusted.name((raw.get(header[c]) or "").strip()) for c in known}
    if "moodle_id" in row:
        row["moodle_id"] = _PARTICIPANT.sub("", row["moodle_id"])
    keys = [row.get(c, "") for c in ("file", "canvas_id", "moodle_id", "name")]
    if not any(keys) or row.get("name", "").casefold() in _NOT_A_STUDENT:
        return None
    return row


@dataclass
class Roster:
    rows: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> Roster:
        try:
            with Path(path).open(newline="", encoding="utf-8-sig") as fh:  # -sig: Excel's byte-order mark
                reader = csv.DictReader(fh)
                header = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
                for lms_header, ours in LMS_HEADERS.items():
                    if lms_header in header and ours not in header:
                        header[ours] = header[lms_header]
                if not header.keys() & {"file", "canvas_id", "moodle_id", "name"}:
                    raise ConfigError(
                        f"--roster {path}: no column to match submissions by; the header needs one of file, "
                        f"canvas_id, moodle_id, name (columns understood: {', '.join(ROSTER_COLUMNS)}; or a "
                        "Canvas gradebook export or a Moodle grading worksheet as downloaded)"
                    )
                known = [c for c in ROSTER_COLUMNS if c in header]
                rows = [row for r in reader if (row := _row(r, header, known))]
        except FileNotFoundError:
            raise ConfigError(f"--roster {path} does not exist") from None
        except (UnicodeDecodeError, csv.Error) as err:
            raise ConfigError(f"--roster {path} is not a UTF-8 CSV file ({err})") from None
        return cls(rows)

    def _find(self, column: str, value: str, *, fold: bool = False) -> dict[str, str] | None:
        if not value:
            return None
        norm = _key if fold else (lambda s: s)
        found = [r for r in self.rows if r.get(column) and norm(r[column]) == norm(value)]
        return found[0] if len(found) == 1 else None  # an ambiguous match is no match

    def match(self, file: str, stem: str, parsed: LmsName | None) -> dict[str, str] | None:
        row = self._find("file", file) or self._find("file", stem)
        if row is None and parsed is not None:
            row = self._find(f"{parsed.lms}_id", parsed.user)
            if row is None:
                row = self._find_name(parsed)
        return row

    def find_person(self, email: str, sis_id: str) -> dict[str, str] | None:
        """The row of a person known by email (any case) or institution id, as a Gradescope export names
        its submitters."""
        found = [r for r in self.rows if email and r.get("email", "").casefold() == email.casefold()]
        return found[0] if len(found) == 1 else self._find("sis_id", sis_id)

    def _find_name(self, parsed: LmsName) -> dict[str, str] | None:
        if parsed.lms == "moodle":
            return self._find("name", parsed.name, fold=True)
        # Canvas's namekey is "last first": try the roster's name both ways round.
        for r in self.rows:
            words = r.get("name", "").split()
            keys = (_key("".join(words)), _key("".join(words[-1:] + words[:-1])))
            if words and _key(parsed.name) in keys:
                return r
        return None


def _identity(fields: dict[str, str], in_roster: bool) -> Identity:
    return Identity(
        name=fields.get("name", ""),
        email=fields.get("email", ""),
        sis_id=fields.get("sis_id", ""),
        login=fields.get("login", ""),
        canvas_id=fields.get("canvas_id", ""),
        moodle_id=fields.get("moodle_id", ""),
        in_roster=in_roster,
    )


def _roster_fields(row: dict[str, str] | None) -> dict[str, str]:
    return {k: v for k, v in (row or {}).items() if v and k != "file"}


def _group(members: list[Identity]) -> Identity:
    """One identity naming every member of a group submission (each field joined, the members kept)."""
    if len(members) == 1:
        return members[0]
    joined = {
        key: GROUP_SEPARATOR.join(m.to_dict()[key] for m in members)
        for key in ("name", "email", "sis_id", "login", "canvas_id", "moodle_id")
    }
    return Identity(**joined, in_roster=all(m.in_roster for m in members), members=tuple(members))


def identify(
    entries: Iterable[tuple[str, str, str]],
    roster: Roster | None,
    submitters: Mapping[str, Sequence[Submitter]] | None = None,
) -> tuple[dict[str, Identity], list[str], list[str]]:
    """(student id -> identity, students the roster does not know, roster names with no submission) for
    (student id, file name, stem) entries. Without a roster only the LMS fields of the names are known, and
    a Gradescope export's `submitters` (folder name -> its submitters, grader/batch/gradescope_export.py):
    each submitter is matched in the roster by email, then SIS id, a roster value winning over the
    export's."""
    identities: dict[str, Identity] = {}
    unmatched: list[str] = []
    used: set[int] = set()
    for student, file, stem in entries:
        people = submitters_of(submitters, file, stem)
        rows: list[dict[str, str] | None]
        if people:
            rows = [roster.find_person(p.email, p.sid) if roster else None for p in people]
            named = [{"name": p.name, "email": p.email, "sis_id": p.sid} for p in people]
            members = [
                _identity(fields | _roster_fields(row), row is not None)
                for fields, row in zip(named, rows, strict=True)
            ]
            who = _group(members)
        else:
            parsed = parse_lms_name(file)
            lms = {f"{parsed.lms}_id": parsed.user, "name": parsed.name} if parsed else {}
            row = roster.match(file, stem, parsed) if roster else None
            rows = [row]
            who = _identity(lms | _roster_fields(row), row is not None)
        if roster is not None and not who.in_roster:
            unmatched.append(student)
        used.update(id(row) for row in rows if row is not None)
        identities[student] = who
    everyone = roster.rows if roster else []
    absent = [r.get("name") or r.get("file") or r.get("email") or "?" for r in everyone if id(r) not in used]
    return identities, unmatched, absent
