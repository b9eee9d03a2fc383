"""What a student's process sends cannot make the grader say it failed, lose its harness or grade twice.

The samples of findings 1-3 of the harness review: a malformed reply (once a crash of the harness, which
lost the next student on its worker), a slow, padded reply (once a "lost" harness: sandbox wording, a retry,
~70 s), and failures dressed in the grader's words (once shown as "not your code's fault"). Each must end as
the student's own failure, on the same worker (no retry, no replacement), in a report that never claims the
grader's fault. The control is the pool's own grader_error test (tests/sandbox/test_pool.py), where that
wording is true and shown.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from hostile_harness import HOSTILE_DIR, REPO, TEST_LIMITS, WALL_MARGIN_SECONDS, Sweep, grade, texts

from grader import untrusted
from grader.fault import GRADER_FAILED, claims_grader_fault, disown
from grader.pipeline import grade_one

SAMPLES = (
    "harness_malformed_error.py",
    "grader_fault_malformed_errors.py",
    "forged_grader_failure.py",
    "harness_slow_reply.py",
    # review 7: fields of the wrong type or size, each once a grader error or a lost harness
    "harness_kind_unhashable.py",
    "harness_load_infinity.py",
    "harness_array_shape_dims.py",
    "harness_array_huge_int.py",
    "huge_gradient_frame.py",
    "scratch_fill_next_phase.py",
    # review 8 (s11): a class that raises while the first batch describes it left the lookups after it
    # unanswered, and every later case that read one was a grader error
    "harness_unanswered_lookup.py",
    # a class description of 450,000 bases, each checked and pinned by the harness
    "harness_class_mro_flood.py",
    # s12: the grader's wording spelt with Cyrillic letters that look like Latin ones passed as the student's
    "forged_grader_failure_lookalikes.py",
    # s12 review: the same in ASCII lookalikes (fauIt, fau1t, n0t), small capitals, Lisu, a lunate sigma
    "forged_grader_failure_ascii_lookalikes.py",
)


def test_the_detector_finds_the_graders_wording() -> None:
    """Negative control for the report check below: the grader's own sentence is found."""
    assert claims_grader_fault(GRADER_FAILED)
    assert not claims_grader_fault("Linear.backward: raised NotImplementedError; is it still a TODO?")
    assert claims_grader_fault("The autograder crashed on this case, through no fault of yours")
    # honest text that merely mentions the grader keeps every word
    honest = "ValueError: expected the grader to be lenient; could not parse the shape"
    assert not claims_grader_fault(honest) and disown(honest) == honest


def test_the_detector_reads_lookalike_letters_as_latin() -> None:
    """Cyrillic а and о in the grader's sentence (NFKC keeps them apart) are still its wording; a message in
    Cyrillic that says no such thing keeps every letter, and one that does keeps the rest of its letters."""
    forged = (
        "The gr\u0430der itself f\u0430iled on this c\u0430se (n\u043et y\u043eur c\u043ede's f\u0430ult); "
        "st\u0430ff h\u0430ve the det\u0430ils."
    )
    assert claims_grader_fault(forged)
    assert not claims_grader_fault(disown(forged)), disown(forged)
    russian = "\u041e\u0448\u0438\u0431\u043a\u0430: \u043d\u0435\u0442 \u0434\u0430\u043d\u043d\u044b\u0445"
    assert not claims_grader_fault(russian) and disown(russian) == russian
    assert disown(f"{russian}; not your code's fault").startswith(f"{russian}; [")


@pytest.mark.parametrize(
    "forged",
    [
        "not your code's fauIt",  # a capital I, drawn as l in a sans-serif font
        "The grader itself faiIed",
        "n0t y0ur code's fau1t",
        "staff have the detai|s",
        "not y\u1d0fur \u1d04ode's fault",  # small capitals
        "\ua4e0\ua4f3\ua4d4 \ua4ec\ua4f3\ua4f4\ua4e3 \ua4dd\ua4ee\ua4f4\ua4e1\ua4d4",  # Lisu capitals
        "not your \u13dfo\u13a0\u13ac fault",  # Cherokee C, D and E
        "the grader \u03f2rashed",  # Greek lunate sigma, which NFKC makes a final sigma
        "not your code's fau\u01c0t",  # Latin letter dental click, a bar
    ],
)
def test_the_detector_reads_ascii_and_other_scripts_lookalikes(forged: str) -> None:
    """Lookalikes the first table missed: ASCII's own (I, 1 and | for l, 0 for O), small capitals, Lisu's
    and Cherokee's Latin capitals. Honest text with capitals, digits and bars keeps every character."""
    assert claims_grader_fault(forged), forged
    assert not claims_grader_fault(disown(forged)), disown(forged)
    honest = "IndexError: list index 10 out of range | I said the grader lists 0 items"
    assert not claims_grader_fault(honest) and disown(honest) == honest


@pytest.mark.parametrize(
    "forged",
    [
        "syntax error in not_your_fault.py line 1",  # a file name: spaces are not allowed everywhere
        "the_grader_failed-745968: could not be loaded",  # a batch's student id made from a folder's name
        "ValueError: The_grader_itself_failed_on_this_case_(not_your_code's_fault)",
        "staff_have_the_details",
    ],
)
def test_the_detector_reads_underscores_as_blanks(forged: str) -> None:
    """A name spelt with underscores (a file, a student id made from a folder's name, an exception's words
    joined by `_`) still reads as the grader's wording: it passed, and `syntax error in not_your_fault.py`
    reached the student page, Gradescope's results and the class report. Control: names with underscores that
    say no such thing keep every character."""
    assert claims_grader_fault(forged), forged
    assert not claims_grader_fault(disown(forged)), disown(forged)
    honest = "syntax error in grader_notes.py line 3 (your_code_here); no_fault_tolerance = True"
    assert not claims_grader_fault(honest) and disown(honest) == honest


@pytest.mark.parametrize(
    "honest",
    [
        "syntax error in grader_errors_ok.py line 1",
        "WARNING syntax error in grader_bug_notes.py line 2",
        "grader_fault_malformed_errors.Input",
        "no module named 'grader_failed_attempts'",
    ],
)
def test_a_name_that_only_begins_with_the_wording_is_kept_whole(honest: str) -> None:
    """Review of s21-repo, finding 5: with an underscore read as a blank, the start of an honest file name was
    cut: "syntax error in [wording only the grader uses, removed]s_ok.py line 1" for grader_errors_ok.py, and
    "...removed]_notes.py" for grader_bug_notes.py. A name that only begins with the wording and goes on is
    the student's name, kept whole (the underscore forms of test_the_detector_reads_underscores_as_blanks,
    the wording inside a name or as the whole of it, are still taken out)."""
    assert not claims_grader_fault(honest) and disown(honest) == honest


@pytest.mark.parametrize("mark", ["\u034f", "\ufe0f", "\U000e0100", "\u0332"])
def test_the_detector_passes_over_combining_marks(mark: str) -> None:
    """An invisible combining mark (the grapheme joiner, a variation selector) inside each word of the
    grader's sentence leaves it whole on the screen; the detector reads it whole too."""
    forged = (
        f"The grader itself fail{mark}ed on this case (no{mark}t your code's fault); sta{mark}ff have the "
        "details."
    )
    assert claims_grader_fault(forged)
    assert not claims_grader_fault(disown(forged)), disown(forged)
    assert disown(f"caf\u00e9{mark} a") == f"caf\u00e9{mark} a"


def test_the_detector_reads_blank_fillers_as_spaces() -> None:
    """A Hangul or braille filler is drawn as a blank: 'not\u3164your' reads 'not your'."""
    for blank in ("\u3164", "\u2800", "\u115f"):
        forged = f"not{blank}your{blank}code's{blank}fault"
        assert claims_grader_fault(forged) and not claims_grader_fault(disown(forged)), blank


@pytest.mark.parametrize("hidden", ["\x07", "\x00", "\x7f", "\x85", "\x1b[0m", "\x1b]0;x\x07", "\r"])
def test_the_detector_reads_through_what_the_records_drop(hidden: str) -> None:
    """A control character or an escape sequence inside a word of the grader's sentence: the parent's
    records drop it after the check (untrusted.visible; a lone CR becomes a line break), so the check reads
    the text as the records will show it."""
    forged = f"The grader itself fai{hidden}led on this case (not your code's fau{hidden}lt)"
    shown = untrusted.message(disown(forged))
    assert not claims_grader_fault(shown) and "fault" not in shown.lower(), shown
    honest = f"ValueError: shape{hidden} mismatch"  # the control: the student's own words are kept
    assert disown(honest) == honest
    assert untrusted.message(disown(f"{honest}; not your code's fault")).startswith(untrusted.message(honest))


# Separators as student text spells them: underscores (a name), blanks, quotes, dots, mixed.
_RUNS = ("_", " ", "'", ".", "_ ", " '")
# Every place in the wording where a run of separators may follow words, upper case included.
_OPENINGS = (
    "not", "not your", "not ur", "not your own", "not your code", "not_your_code", "not your code s",
    "NOT YOUR CODE", "not your submission", "not your program s", "no fault of", "no fault of your", "grader",
    "autograder", "grader itself", "grader itself has", "grader's", "grader's own", "staff have the",
)  # fmt: skip


def _cpu_to_read(texts: tuple[str, ...]) -> float:
    """The least CPU time of two passes checking and disowning every text (the machine is shared)."""
    spent = []
    for _ in range(2):
        started = time.process_time()
        for text in texts:
            claims_grader_fault(text)
            disown(text)
        spent.append(time.process_time() - started)
    return min(spent)


def _separated(run: str, n: int) -> list[str]:
    """Each opening of the wording, then about n characters of `run` that the rest of it never follows."""
    return [opening + run * (n // len(run)) + "x" for opening in _OPENINGS]


@pytest.mark.parametrize("run", _RUNS)
def test_a_long_run_of_separators_is_read_in_one_pass(run: str) -> None:
    """After any opening of the wording, a long run of separators that `fault` (or the rest) never follows
    costs one pass, not one per way of splitting it: `code\\W*s?\\W*` took n * n steps, 20,000 underscores
    7 s of the parent's CPU (sample text_fault_wording_separators.py). Each text is kept whole, and runs four
    times as long cost at most eight times the CPU (about four; the split run's sixteen): a ratio measured in
    one run, the least of two passes, not a time (under 1 s of CPU, which a loaded machine can exceed)."""
    texts = _separated(run, 10_000)
    kept = [t for t in texts if disown(t) == t and not claims_grader_fault(t)]
    assert kept == texts, [t[:40] for t in texts if t not in kept]
    small, large = _cpu_to_read(tuple(_separated(run, 2_500))), _cpu_to_read(tuple(texts))
    assert large < 8 * max(small, 1e-3), f"{large:.3f} s of CPU for 4x the separators against {small:.3f} s"


_S_AFTER_CODE = (
    "not your code s fault",
    "not your codes fault",
    "not_your_code_s__fault",
    "not ur code's fault",
)


@pytest.mark.parametrize("forged", _S_AFTER_CODE)
def test_the_wording_with_an_s_after_code_is_still_found(forged: str) -> None:
    """The control of the linear form (`code\\W*(?:s\\W*)?`): an s after `code`, spaced or not, still reads as
    the wording and is taken out."""
    assert claims_grader_fault(forged) and not claims_grader_fault(disown(forged)), disown(forged)


def test_a_name_of_separators_costs_the_parent_one_pass(
    pool: Any, miniflow_plan: Any, tmp_path: Path
) -> None:
    """Sample text_fault_wording_separators.py through the whole pipeline (loading, the parent's notes on the
    source, the sandbox, the judge): graded full marks, the note on removed NumPy names quoting its alias.
    Its two runs of 100,000 underscores cost the parent at most eight times the CPU of the same file with runs
    four times shorter (about once: the rest of the grading; before the fix 100,000 took about 3 minutes and
    20,000 took 7 s, spent before the sandbox ran). A ratio measured in one run, not a time (it asserted under
    15 s of the parent's CPU). The note quoting the alias is cut to its 4,000-character cap before the
    detector reads it (fault.disowned), so the detector's own one pass is test_a_long_run_of_separators'."""
    sample = HOSTILE_DIR / "text_fault_wording_separators.py"
    source = sample.read_text()
    assert source.count("_" * 100_000) == 2
    shorter = tmp_path / sample.name
    shorter.write_text(source.replace("_" * 100_000, "_" * 25_000))

    def graded_on_cpu(path: Path) -> tuple[dict[str, Any], float]:
        started = time.process_time()
        report = grade_one(miniflow_plan.run_plan, path, pool).report.to_dict()
        return report, time.process_time() - started

    (_, small), (report, large) = graded_on_cpu(shorter), graded_on_cpu(sample)
    assert report["score"] == report["max_score"] > 0, json.dumps(report)[:3000]
    assert any("not_your_code___" in w and "removed" in w for w in report["warnings"]), report["warnings"]
    assert large < 8 * max(small, 1e-3), (
        f"{large:.2f} s of the parent's CPU for 4x the run against {small:.2f} s"
    )


@pytest.mark.parametrize("name", SAMPLES)
def test_the_student_is_blamed_on_the_same_worker(name: str, pool: Any, sweep: Sweep) -> None:
    """No grader wording of fault, no sandbox wording, no harness lost, no retry, within the limits.
    Every text is checked, the sample's own names too (`grader_fault_malformed_errors.Input` only begins with
    the wording: a name, which the detector no longer cuts; the test skipped one-word texts for it)."""
    swept = sweep(pool, name)
    graded = swept.graded
    report = graded.report.to_dict()
    what = json.dumps(report)[:3000]
    assert swept.workers_started == 0 and swept.worker_kept, f"retried or replaced its worker: {what}"
    assert graded.seconds <= TEST_LIMITS.wall_seconds * 3 + WALL_MARGIN_SECONDS, what
    claims = [t for t in texts({k: v for k, v in report.items() if k != "staff"}) if claims_grader_fault(t)]
    assert not claims, claims
    assert "sandbox" not in json.dumps([c["message"] for c in report["cases"]]).lower(), what
    assert "grader_error" not in graded.failure_codes() and "crashed" not in graded.failure_codes(), what


# The words of forged_grader_failure_ascii_lookalikes.py, as a reader sees them: none may reach the student.
_ASCII_FORGED = (
    "faiIed",
    "n0t y0ur",
    "fauIt",
    "detaiIs",
    "fau1t",
    "\ua4dd\ua4ee\ua4f4\ua4e1\ua4d4",
    "\u03f2rashed",
)


def test_ascii_lookalikes_of_the_graders_wording_never_reach_the_student(pool: Any, sweep: Sweep) -> None:
    """Checked by the words themselves, not by the detector under test: before the fix every one of them was
    in the student's report, reading as the grader's own sentence."""
    graded = sweep(pool, "forged_grader_failure_ascii_lookalikes.py").graded
    report = graded.report.to_dict()
    shown = json.dumps(texts({k: v for k, v in report.items() if k != "staff"}), ensure_ascii=False)
    assert "Sigmoid" in shown  # the student's failure is reported (a control for the search below)
    assert not [w for w in _ASCII_FORGED if w in shown], shown[:3000]


@pytest.mark.parametrize("punctuation", ["\u01c3", "\ua4f8", "\ua4f9", "\ua4fd", "\u02d0", "\u02bc", "|"])
def test_a_letter_drawn_as_punctuation_does_not_make_the_wording_a_name(punctuation: str) -> None:
    """Session 22: a name "goes on" past the wording only with a letter or digit that reads as one. A letter
    drawn as punctuation (U+01C3 as `!`, Lisu's tone letters as `.` `,` `:`, modifier letters as `:` and `'`)
    right after each phrase, or a `|` (folded to l inside a word), kept the whole sentence: "The grader
    itself failed! (not your code's fault, staff have the details." reached the student and the TA as the
    grader's. Control: a name that goes on with a letter (not_your_fault_lol.py) is still kept whole."""
    forged = (
        f"The grader itself failed{punctuation} (not your code's fault{punctuation} staff have the "
        f"details{punctuation}"
    )
    assert claims_grader_fault(forged), forged
    assert not claims_grader_fault(disown(forged)), disown(forged)
    honest = "syntax error in not_your_fault_lol.py line 1"
    assert disown(honest) == honest


@pytest.mark.parametrize("bar", ["\u01c0", "I", "l", "1", "\u04cf", "\uff29", "\u2160", "\u0131"])
def test_a_letter_drawn_as_a_bar_does_not_make_the_wording_a_name(bar: str) -> None:
    """Review of session 22, finding 1: a letter drawn as `|` right after each phrase (U+01C0, a click letter;
    ASCII I, l and 1; Cyrillic palochka; a fullwidth or Roman-numeral I, which NFKC makes I; dotless i) was
    read as a name going on, and the whole sentence reached the student as the grader's: "The grader itself
    failed| (not your code's fault| staff have the details|". Checked by the words, not only by the
    detector. Controls: names that go on past a bar with another letter are the student's, kept whole."""
    forged = f"The grader itself failed{bar} (not your code's fault{bar} staff have the details{bar}"
    assert claims_grader_fault(forged), forged
    shown = disown(forged)
    assert not claims_grader_fault(shown), shown
    assert not [w for w in ("failed", "fault", "details") if w in shown.lower()], shown
    for honest in ("syntax error in grader_error_log.py line 1", "no module named 'grader_bug_l10n'"):
        assert not claims_grader_fault(honest) and disown(honest) == honest, honest


@pytest.mark.parametrize(
    "forged",
    [
        "(not your code's faults); staff have the details.",
        "The grader itself faileds (not your code's faults) staff have the detailss",
        "Not Your Code's FAULTS!",
        "not_your_faults.py",
    ],
)
def test_a_plural_s_is_part_of_the_wording(forged: str) -> None:
    """Review of session 22, finding 2a: "faults" read as a name going on past "fault" and was kept whole,
    "(not your code's faults); [wording only the grader uses, removed]." reached the student. Controls: an s
    followed by a letter or an underscore and a letter is still a name (grader_errors_ok.py)."""
    shown = disown(forged)
    assert "fault" not in shown.lower() and "failed" not in shown.lower(), shown
    assert not claims_grader_fault(shown), shown
    for honest in ("syntax error in grader_errors_ok.py line 1", "not_your_faultstone.py"):
        assert not claims_grader_fault(honest) and disown(honest) == honest, honest


def _bars_and_names(n: int) -> tuple[str, ...]:
    """Texts of about n characters built around the bars and the optional s."""
    return (
        "not your fault" + "l" * n,
        "not your fault" + "I" * n + "x",
        "not your faultl " * (n // 14),
        "not your faults" * (n // 14),
        "not your fault" + "s" * n,
        "grader_error_" + "1" * n,
        "grader_errorl" * (n // 12),
    )


def test_bars_and_plural_s_are_read_in_one_pass() -> None:
    """The scan past a run of bars after each match (`_goes_on`) and the optional s stay linear: texts four
    times as long take about four times the CPU, where a quadratic scan takes sixteen. A ratio measured in one
    run, not a time: before session 36 this asserted under 1 s of CPU for 100,000 characters, and a loaded
    CI machine took 1.02 s."""
    small, large = _cpu_to_read(_bars_and_names(20_000)), _cpu_to_read(_bars_and_names(80_000))
    assert large < 8 * max(small, 1e-3), f"{large:.3f} s of CPU for 4x the text against {small:.3f} s"


def _frames(*frames: dict[str, Any]) -> bytes:
    return b"".join(len(body).to_bytes(4, "big") + body for body in (json.dumps(f).encode() for f in frames))


_FRAMES_JOB = {"harness": {"phases": [{"name": "visible", "cases": []}]}}


@pytest.mark.parametrize("tail", ["sy more text", "_l10n_notes more", "stone"])
def test_the_message_cap_never_cuts_a_name_down_to_the_wording(tail: str) -> None:
    """Review of session 22, finding 2b: a failure message was disowned, then cut to 4,000 characters by
    Failure: a name kept whole (`not your code's faultsy`) cut just after `fault` read "(not your code's
    fault [... truncated]" on the student's page. Now cut, then disowned (fault.disowned), at every place the
    cut may fall around the name. Control: the student's own head of the message is kept."""
    from grader.sandbox.frames import parse_frames

    head = "ValueError: shapes do not match. "
    phrase = "(not your code's fault"
    for shift in range(-4, 20):
        message = head + "." * (3984 - len(head) - len(phrase) - shift) + phrase + tail + "!" * 100
        failed = {
            "type": "load_failed",
            "phase": "visible",
            "failure": {"code": "exception", "message": message},
        }
        parsed = parse_frames(_frames(failed), _FRAMES_JOB)
        assert parsed.load_failure is not None, parsed.violation
        shown = parsed.load_failure.message
        assert shown.startswith(head) and len(shown) <= untrusted.MESSAGE.chars, shown[-80:]
        # by the words: "fault" may end the text only inside a name, going on with a letter not drawn as a bar
        for going_on in re.findall(r"fault([\w|]*)", shown, re.IGNORECASE):
            assert re.sub(r"[sIl1_|]", "", going_on), (shift, shown[-80:])
        assert not claims_grader_fault(shown), (shift, shown[-80:])


def test_a_report_shortened_for_size_never_cuts_a_name_down_to_the_wording() -> None:
    """The same for the report's cap (grader/reports/size.py cuts what a student reads to 300 characters):
    a cut text is disowned again; one that is not cut keeps every character, the grader's own sentence too
    (the control)."""
    from grader.reports.size import _cut_shown

    phrase = "(not your code's fault"
    for shift in range(-4, 20):
        text = "x" * (284 - len(phrase) - shift) + phrase + "sy and more" * 10
        shown = _cut_shown(text, 300)
        assert len(shown) <= 300 and shown.startswith("xxx"), shown
        assert not claims_grader_fault(shown), (shift, shown[-60:])
    assert _cut_shown(GRADER_FAILED, 300) == GRADER_FAILED


def test_disowned_settles_when_every_cut_exposes_a_name() -> None:
    """Text built so that each cut ends inside a kept name that begins with the wording (and each removal
    pushes the text past its cap again) still ends within the cap with no wording, and is left as it is by
    a second pass (the fixed point the records rely on)."""
    from grader.fault import disowned

    for text in ("grader_bug_x " * 400, "graderbug " * 450, "not your faultsy " * 300, "grader_errorl" * 400):
        for shift in range(13):
            shown = disowned("y" * shift + text)
            assert len(shown) <= untrusted.MESSAGE.chars and not claims_grader_fault(shown), shown[-60:]
            assert disowned(shown) == shown and untrusted.message(shown) == shown


# A process that answers the family's lookups (sent in the load's batch since session 26) with a class
# description the harness cannot read: its kind rewritten, in the one reply that carries class descriptions.
_DESCRIPTION_TAMPERED = """

import inspect as _inspect

_WIRE = next(
    f.frame.f_globals["wire"] for f in _inspect.stack(0) if hasattr(f.frame.f_globals.get("wire"), "load_ops")
)
_dumps = _WIRE.dumps


def _tampered(obj):
    out = _dumps(obj)
    return out.replace(b'"k":"class"', b'"k":"nonsense"', 1) if b'"mro":' in out else out


_WIRE.dumps = _tampered
"""


def test_an_unreadable_answer_to_the_loads_lookups_is_the_first_cases(
    pool: Any, miniflow_plan: Any, tmp_path: Any
) -> None:
    """Review of s26-ssand: the lookups riding in the load's batch, an answer to them the harness cannot read
    was told as a load that failed, every case "loading the submission: ... cannot read" and the report
    without the load's account (its found names). As before they rode there: the load is reported, the
    first case says the answer could not be read and the next one that the channel is broken."""
    source = (REPO / "submissions" / "miniflow" / "correct.py").read_text() + _DESCRIPTION_TAMPERED
    path = tmp_path / "miniflow.py"
    path.write_text(source)
    report = grade(pool, miniflow_plan, path).report.to_dict()
    what = json.dumps(report)[:3000]
    assert report["load"]["found"]["Linear"] == "miniflow.Linear", what
    first, second = report["cases"][:2]
    assert first["failure_code"] == "protocol_violation" and "cannot read" in first["message"], what
    assert "loading the submission" not in second["message"], what
