"""Terminal summary: one line per case with its hint, blame, score, seed, warning; colour only on a TTY."""

from __future__ import annotations

import io
from pathlib import Path

from report_builder import build_report

from grader.reports import print_summary


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_lines(report):
    """PASS/FAIL/ERROR/SKIP per case with points and name, the hint, blame, score and seed lines."""
    out = io.StringIO()
    print_summary(report, out)
    lines = out.getvalue().splitlines()
    words = [line.split()[0] for line in lines if line.split()[0] in ("PASS", "FAIL", "ERROR", "SKIP")]
    assert words == ["FAIL", "FAIL", "PASS", "ERROR", "ERROR", "SKIP"]
    text = out.getvalue()
    assert "1/2  affine-unit" in text
    assert "Affine.backward: gradient of W (dW) is transposed" in text
    assert "blame: The failing graph cases are explained by Affine.backward" in text
    assert "score 3 / 10" in text
    assert "seed 1234" in text
    assert "\033[" not in text  # a StringIO is not a terminal


def test_isolation_warning_shown():
    """A run without bwrap prints its isolation warning and names the isolation on the seed line."""
    out = io.StringIO()
    print_summary(build_report(isolation="rlimits-root-dropped"), out)
    assert "WARNING isolation: rlimits-root-dropped" in out.getvalue()
    assert "isolation rlimits-root-dropped" in out.getvalue()


def test_colour_on_tty_unless_no_color(report, monkeypatch):
    """ANSI colour on a TTY; none when NO_COLOR is set."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    tty = FakeTTY()
    print_summary(report, tty)
    assert "\033[31mFAIL" in tty.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    plain = FakeTTY()
    print_summary(report, plain)
    assert "\033[" not in plain.getvalue()
    # no-color.org: "present and not an empty string"; an empty NO_COLOR took the colour away
    monkeypatch.setenv("NO_COLOR", "")
    empty = FakeTTY()
    print_summary(report, empty)
    assert "\033[31mFAIL" in empty.getvalue()


def test_details_show_the_failing_checks_and_no_seed_when_asked(report):
    """`grader check`'s view (details, no seed): each failing visible check's message under its case, its
    hint as "Hint:", hidden cases' details never; without details (control) only the hint line."""
    out = io.StringIO()
    print_summary(report, out, student=True, details=True, show_seed=False)
    text = out.getvalue()
    assert "Affine.backward: gradient of W (dW) is transposed" in text
    assert "      Hint: " in text
    assert "seed 1234" not in text and "isolation bwrap" in text
    plain = io.StringIO()
    print_summary(report, plain, student=True)
    assert "seed 1234" in plain.getvalue() and "Hint: " not in plain.getvalue()


def test_compact_keeps_three_worst_rows_and_counts_the_rest():
    """A 12-element mismatch table (10 rows shown by compare, "... and 2 more") is cut to its header and 3
    rows, with "... 9 more not shown" (it said "in report.json", a file `grader check` never writes)."""
    from grader.reports.terminal import _compact

    rows = "\n".join(f"    ({i},) | {i} | 0" for i in range(10))
    head = "X.backward: gradient of x (dx) is wrong: 12 / 12 elements differ"
    message = f"{head}\n    index | got | expected\n{rows}"
    lines = _compact(message + "\n    ... and 2 more")
    assert lines[0].startswith("X.backward") and len(lines) == 6
    assert lines[-1].strip() == "... 9 more not shown"
    assert _compact("X.forward: forward value is wrong: got 1, expected 2") == [
        "X.forward: forward value is wrong: got 1, expected 2"
    ]


def test_a_message_repeated_under_every_case_is_printed_once():
    """A load failure errors every case with the same message: it was printed under each of them, seven
    identical paragraphs for a student's first `grader check`. It is printed under the first case; the
    others refer to it. Different messages are each printed (control)."""
    from grader.model import Failure

    stopped = Failure("import_error", "layers.py could not be loaded: no module named 'common' <LOAD>")
    for details in (False, True):
        out = io.StringIO()
        print_summary(build_report(load_failure=stopped), out, student=True, details=details)
        text = out.getvalue()
        shown = [c for c in ("affine-unit", "two-layer-graph", "sigmoid-unit", "softmax-unit") if c in text]
        assert text.count("<LOAD>") == 1, text
        assert text.count("the same as affine-unit above") == len(shown) - 1 >= 2, text
    out = io.StringIO()
    print_summary(build_report(), out, student=True, details=True)
    assert "the same as" not in out.getvalue()
    assert "Affine.backward raised" in out.getvalue() and "transposed" in out.getvalue()


def test_check_names_the_points_that_wait_for_the_grades_to_be_published(tmp_path):
    """`grader check` runs the visible cases; its "not checked here" line counts the after_published ones
    apart (the shipped MiniFlow's hidden shared-weight-graph, made after_published)."""
    import json
    import shutil

    from grader.assignments import load_assignment
    from grader.reports.terminal import hidden_points_line

    root = tmp_path / "miniflow"
    shutil.copytree(Path(__file__).resolve().parents[2] / "fixtures" / "miniflow", root)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    (ref,) = [c for c in manifest["cases"] if c["fixture"] == "shared-weight-graph"]
    ref["visibility"] = "after_published"
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    line = hidden_points_line(load_assignment(root / "manifest.json"))
    assert f"{ref['points']:g} in cases shown once grades are published" in line
    assert "published" not in hidden_points_line(load_assignment("miniflow"))  # control


def test_check_names_an_optional_class_that_unshown_cases_grade() -> None:
    """dlfs-layers' default stage grades TwoLayerNet (optional: the load never reports it missing) in a case
    shown after the due date: a layers file without it read "all visible cases pass", then lost 3 points at
    `grader grade`. Controls: a file that defines it; a stage that grades no TwoLayerNet; DeZero's step 24,
    whose optional Square and Exp are skipped when not defined (no points lost, nothing to say)."""
    from grader.assignments import load_assignment
    from grader.reports.terminal import unshown_missing_line

    layers = load_assignment("dlfs-layers")
    points = {c.fixture: c.points for c in layers.cases}["two-layer-net-gradient"]
    # and the hidden drawn copies of its gradient, predict and accuracy (session 13), two cases each: an op
    # TwoLayerNet.predict is TwoLayerNet's (they were left out, the line said 5 where 9 were at stake)
    drawn = {g.id: g.points * g.count for g in layers.generated}
    points += sum(drawn[f"two-layer-net-gen-{what}"] for what in ("gradient", "predict", "accuracy"))
    assert points == 3 + 3 * 2
    line = unshown_missing_line(layers, "default", ["MulLayer", "Relu", "Affine"])
    assert line == (
        f"not defined: TwoLayerNet, which cases not shown here grade ({points:g} points at stake): define it "
        "before the due date"
    )
    assert unshown_missing_line(layers, "default", ["TwoLayerNet"]) is None
    assert unshown_missing_line(layers, "layers", ["Relu"]) is None
    assert unshown_missing_line(load_assignment("dezero"), "step24", ["Variable", "Add"]) is None


def test_a_case_grading_several_missing_names_counts_its_points_once() -> None:
    """dlfs-advanced's default stage grades Relu, Affine and SoftmaxWithLoss together in two unshown cases
    of 4 points each (simple-conv-net-graph, batchnorm-net-graph: the manifest's points) and the net's two
    drawn copies (1 each): a file without the three lost 10 points at `grader grade`, and the line said three
    times that, each case counted once per missing name it uses. Control: one name missing of the three is
    still those cases' 10 points. (At `layers` the three are optional with their points since session 18:
    nothing is at stake there.)"""
    from grader.assignments import load_assignment
    from grader.reports.terminal import unshown_missing_line

    advanced = load_assignment("dlfs-advanced")
    points = {c.fixture: c.points for c in advanced.cases}
    drawn = {g.id: g.points * g.count for g in advanced.generated}  # the net's drawn copies (session 13)
    at_stake = sum(points[case] for case in ("simple-conv-net-graph", "batchnorm-net-graph"))
    at_stake += drawn["batchnorm-gen-net-graph"]
    assert at_stake == 4 + 4 + 2
    named = ["Convolution", "Pooling", "Dropout", "BatchNormalization", "SimpleConvNet"]
    line = unshown_missing_line(advanced, "default", named)
    assert line is not None and line.startswith(
        f"not defined: Affine, Relu, SoftmaxWithLoss, which cases not shown here grade ({at_stake:g} points "
        "at stake): define them before the due date"
    )
    assert unshown_missing_line(advanced, "layers", ["Convolution", "Pooling"]) is None
    line = unshown_missing_line(advanced, "default", [*named, "Affine", "SoftmaxWithLoss"])
    assert line is not None and line.startswith(
        f"not defined: Relu, which cases not shown here grade ({at_stake:g} "
    )


def test_check_counts_no_hidden_points_for_cases_of_optional_classes_the_code_lacks() -> None:
    """dlfs-advanced at ch06 hides 16 points: the BatchNormalization net (4) and the drawn copies of it (2),
    of the BatchNormalization units (4), the Dropout units (4) and the running statistics (2). The net applies
    chapter 5's Affine, Relu, SoftmaxWithLoss, optional there: a file without them has that case skipped by
    `grade` (0 of 0), so only 10 can count. Controls: the names unknown, or all defined, say 16."""
    from grader.assignments import load_assignment
    from grader.reports.terminal import hidden_points_line

    adv = load_assignment("dlfs-advanced")
    chapter6 = {"Dropout", "BatchNormalization"}
    line = hidden_points_line(adv, "ch06", chapter6)
    assert line is not None and line.startswith("not checked here: 10 points in hidden cases")
    every = chapter6 | {"Affine", "Relu", "SoftmaxWithLoss"}
    for control in (hidden_points_line(adv, "ch06"), hidden_points_line(adv, "ch06", every)):
        assert control is not None and control.startswith("not checked here: 16 points in hidden cases")


def test_a_load_failure_is_not_followed_by_what_hidden_tests_cost():
    """The student's summary after a load failure: every case failed for the one reason said above; "hidden
    tests cost N of N points" read as a second problem (Gradescope's summary already leaves it out).
    Control: a report that loaded and failed a hidden case says what the hidden tests cost."""
    from grader.model import Failure

    failed = build_report(load_failure=Failure("syntax_error", "syntax error in x.py line 1"))
    out = io.StringIO()
    print_summary(failed, out, student=True)
    assert "syntax error in x.py line 1" in out.getvalue()
    assert "hidden tests cost" not in out.getvalue()
    control = io.StringIO()
    print_summary(build_report(), control, student=True)
    assert "hidden tests cost" in control.getvalue()


def test_the_header_names_the_assignment_id_a_ta_types(report):
    """Every shipped assignment's header names its id, the word `grader grade` takes: the DLFS headers said
    "(layers)", their family, and `grader grade layers` is an unknown assignment. Control: the family of
    dlfs-layers is not its id, so the old header fails here."""
    from grader.assignments import SHIPPED, load_assignment
    from grader.reports.terminal import render

    for shipped in SHIPPED:
        a = load_assignment(shipped)
        doc = report.to_dict()
        doc["assignment"] = {"family": a.family, "id": a.id, "title": a.title}
        assert render(doc).splitlines()[0] == f"{a.title} ({shipped}): {doc['submission']['id']}"
    doc["assignment"] = {"family": "layers", "id": "dlfs-layers", "title": ""}
    assert render(doc).splitlines()[0] == f"dlfs-layers: {doc['submission']['id']}"
