"""`--stage` on the command line (grader/cli.py, grader/commands.py), run as the real command: check infers
the stage and says why, grade/batch grade the stage asked for and every report names it, an unknown stage
is a usage error listing the stages, and `check` shows the numbers."""

from __future__ import annotations

import csv
import functools
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from batch.students import REPO, grader, max_points, report

from grader.reports import validate

DEZERO = REPO / "submissions" / "dezero"
LAYERS = REPO / "submissions" / "layers"


@functools.cache
def _once(*args: str) -> subprocess.CompletedProcess[str]:
    """`grader ARGS` with no setting of the test's own, run once a worker: two tests read the same run (one
    test's claim, another's control), and each run is a process and a sandbox started (~1 s of CPU)."""
    return grader(*args)


def test_check_infers_the_stage_says_why_and_passes_a_complete_step14_file() -> None:
    """check on the step-14 sample: stage step14 inferred from its names, exp-unit skipped (optional Exp not
    defined), exit 0, no seed line (nothing generated), the points held by hidden cases."""
    done = grader("check", str(DEZERO / "step14.py"))
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "stage step14, inferred: your code defines Variable, Function, Add, add; uses cleargrad" in out
    others = ", ".join(
        [
            "step01",
            "step02",
            "step03",
            "step06",
            "step08",
            "step10",
            "step11",
            "step12",
            "step13",
            *(f"step{n}" for n in range(16, 25)),
        ]
    )
    assert f"other stages: {others}" in out
    assert any(
        line.startswith("SKIP") and "exp-unit" in line and "(optional)" in line for line in out.splitlines()
    )
    assert "score 14 / 14" in out  # 8, plus variable-unit, function-unit, variable-backward-unit (2 each)
    assert "seed " not in out  # check runs visible cases only: no generated case, no seed to replay
    # step14's hidden cases: two drawn copies of each of add-unit and add-backward-twice (1 point each)
    assert "not checked here: 4 points in hidden cases" in out
    assert "all visible cases pass" in out.splitlines()


def test_check_at_a_later_stage_names_the_missing_feature_and_its_stage() -> None:
    """The negative control: the step-14 file checked at step18 fails retain-grad-documented as
    not_implemented naming stage step18 (not an unrecognised wrong value), and says what hidden cases hold."""
    done = grader("check", str(DEZERO / "step14.py"), "--stage", "step18")
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "stage step18, asked by --stage;" in out
    assert (
        "not implemented yet: this case is part of stage step18, which adds backward(retain_grad=...)" in out
    )
    assert "finite" not in out.lower()
    assert "points in hidden cases" in out


def test_a_stage_set_by_a_grader_toml_is_named_with_the_file_by_check_and_batch(tmp_path: Path) -> None:
    """A grader.toml in the working directory that sets the stage: check says the stage was asked by that
    file (it said "--stage or GRADER_STAGE", neither of which the student had used), GRADER_STAGE is named
    as itself, and batch's first line names the file beside the stage it grades."""
    (tmp_path / "grader.toml").write_text('stage = "step18"\n', encoding="utf-8")
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "step14.py").write_bytes((DEZERO / "step14.py").read_bytes())
    done = grader("check", "class/step14.py", cwd=tmp_path)
    toml = "grader.toml (the working directory)"
    assert f"stage step18, asked by {toml};" in done.stdout, done.stdout + done.stderr
    by_env = grader("check", "class/step14.py", cwd=tmp_path, env={"GRADER_STAGE": "step14"})
    assert "stage step14, asked by GRADER_STAGE;" in by_env.stdout, by_env.stdout + by_env.stderr
    batch = grader("batch", "dezero", "class", "--out", "out", cwd=tmp_path)
    assert batch.returncode == 0, batch.stdout + batch.stderr
    assert f"against dezero stage step18 (set by {toml}) with seed" in batch.stderr
    typed = grader("batch", "dezero", "class", "--out", "out2", "--stage", "step14", cwd=tmp_path)
    assert "against dezero stage step14 with seed" in typed.stderr, typed.stderr


def test_grade_names_where_a_stage_not_typed_came_from(tmp_path: Path) -> None:
    """`GRADER_STAGE=step14 grader grade dezero ...` printed only "stage step14: ... (asked)", and the guide
    said a stage not typed on the command line is named with where it came from (review of s21-user, 6).
    grade names GRADER_STAGE (test_grader_stage_in_the_environment_is_a_stage_asked_for: its run is this
    one's) or the grader.toml, as batch's first line does. Control: --stage adds nothing."""
    step14 = str(DEZERO / "step14.py")
    (tmp_path / "grader.toml").write_text('stage = "step14"\n', encoding="utf-8")
    by_file = grader("grade", "dezero", step14, "--out", str(tmp_path / "b"), cwd=tmp_path)
    assert "stage step14 (set by grader.toml (the working directory))" in by_file.stderr, by_file.stderr
    typed = grader("grade", "dezero", step14, "--out", str(tmp_path / "c"), "--stage", "step14", cwd=tmp_path)
    assert typed.returncode == 0, typed.stdout + typed.stderr
    assert "set by" not in typed.stderr


def test_a_step7_file_checked_at_step10_is_told_what_step_9_adds() -> None:
    """The book's step07.py (y.grad set by hand) checked at step10: the unseeded chain errors on None, and is
    not_implemented naming what step 9 adds, the seed np.ones_like, not a restatement of the classes it
    already has ('which adds Variable, Function, Square and Exp with backward from a ones seed')."""
    done = grader("check", str(DEZERO / "step07.py"), "--stage", "step10")
    out = done.stdout
    assert "not implemented yet: this case is part of stage step10, which adds backward's own seed" in out
    assert "np.ones_like(y.data)" in out and "your code looks like stage step08" in out
    assert "adds Variable, Function, Square and Exp" not in out


def test_check_shows_the_worst_elements_of_a_failing_check_compactly() -> None:
    """A failing check prints its head line and at most 3 worst elements (index | got | expected), then
    how many more are not shown (no "in report.json": check writes none); the hint follows."""
    done = grader("check", str(LAYERS / "mul_swapped.py"), "--stage", "layer-naive")
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    head = next(
        i for i, ln in enumerate(lines) if "MulLayer.backward: gradient of x (dx) is wrong: 12 / 12" in ln
    )
    assert "index" in lines[head + 1] and "got" in lines[head + 1] and "expected" in lines[head + 1]
    assert all(" | " in ln for ln in lines[head + 2 : head + 5])
    assert "... 9 more not shown" in lines[head + 5]
    assert "report.json" not in done.stdout and not list(LAYERS.rglob("report.json"))
    assert "got 20000, expected 2.2" in done.stdout  # the buy-apple case's single value
    assert any(ln.strip().startswith("Hint:") for ln in lines)


def test_grade_at_a_stage_names_it_in_every_report(tmp_path: Path) -> None:
    """grade --stage step14: full marks (14 / 14), and report.json, results.json and junit.xml name the stage;
    the same file at the default stage (control) loses points."""
    out = tmp_path / "out"
    done = grader(
        "grade",
        "dezero",
        str(DEZERO / "step14.py"),
        "--stage",
        "step14",
        "--out",
        str(out),
        "--seed",
        "2",
        "--format",
        "gradescope,junit",
    )
    assert done.returncode == 0, done.stderr
    doc = report(out)
    validate(doc, "report")
    assert (doc["score"], doc["max_score"]) == (18.0, 18.0)  # 14 and the drawn copies (session 13)
    assert doc["stage"]["name"] == "step14" and doc["stage"]["chosen"] == "asked"
    assert doc["stage"]["looks_like"] == "step14"
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["extra_data"]["stage"] == "step14" and "Stage graded: **step14**" in results["output"]
    props = {p.get("name"): p.get("value") for p in ET.parse(out / "junit.xml").getroot().iter("property")}
    assert props["stage"] == "step14"
    default = tmp_path / "default"
    graded = grader("grade", "dezero", str(DEZERO / "step14.py"), "--out", str(default), "--seed", "2")
    assert graded.returncode == 0, graded.stderr
    # grade never infers, but says which stage the file looks like and how to grade that alone
    assert "the code looks like stage step14 (--stage step14 grades that stage alone)" in graded.stdout
    assert "looks like stage" not in done.stdout  # asked for the stage it looks like: nothing to add
    doc = report(default)
    assert doc["stage"] == {
        "name": "step18",
        "title": doc["stage"]["title"],
        "chosen": "default",
        "reason": "",
        "looks_like": "step14",
        "full_marks": max_points("dezero"),  # the stage's points, from the manifest
    }
    # the step-18 default: 35 + array-add-graph (2) + the Variable/Function cases (2 + 2 + 2 + 1 + 1) + two
    # drawn copies of each of four specs (1 point each, session 13)
    assert doc["score"] < doc["max_score"] == 45.0 + 4 * 2


def test_gradescope_counts_a_score_against_the_stages_points_as_the_lms_imports_do(tmp_path: Path) -> None:
    """The Linear quiz alone at stage linear (3 of 3: Sigmoid, Add and Mul optional, not defined, no points
    lost) is 5 of 5 on Gradescope, whose assignment the kit says to make worth the stage's 5 points, as
    canvas.csv imports it (docs/INSTRUCTORS.md: "3 of 3 is imported as 5 of 5"); it was 3, shown as 3 / 5.
    Control: a full file at the default stage keeps its score, and the summary adds no scaling note."""
    quiz = REPO / "submissions" / "miniflow" / "linear_quiz_stage.py"
    out = tmp_path / "quiz"
    args = ("--seed", "2", "--format", "gradescope")
    done = grader("grade", "miniflow", str(quiz), "--stage", "linear", "--out", str(out), *args)
    assert done.returncode == 0, done.stderr
    doc = report(out)
    full = max_points("miniflow", "linear")
    assert (doc["score"], doc["max_score"], doc["stage"]["full_marks"]) == (3.0, 3.0, full) and full == 5
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == full
    head = results["output"].splitlines()
    assert head[0].endswith(": 5 / 5 points")
    assert "Your code does not define Sigmoid, Add, Mul (optional at this stage)" in head[2]
    assert "your 3 / 3 on the tests that ran counts as 5 / 5" in head[2]
    whole = tmp_path / "whole"
    done = grader(
        "grade", "miniflow", str(REPO / "submissions" / "miniflow" / "correct.py"), "--out", str(whole), *args
    )
    assert done.returncode == 0, done.stderr
    results = json.loads((whole / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == report(whole)["score"] == max_points("miniflow")
    assert "does not define" not in results["output"]
    # the book's step-14 file (no Exp: FACTS.md) at step22, whose optional Exp carries points: its graph
    # cases applying Exp are skipped too, and the note names the class, never the case kind ("graph")
    step14 = tmp_path / "step14"
    done = grader(
        "grade", "dezero", str(DEZERO / "step14.py"), "--stage", "step22", "--out", str(step14), *args
    )
    assert done.returncode == 0, done.stderr
    doc = report(step14)
    assert any(
        c["kind"] == "graph" and c["status"] == "not_run" and not c["max_points"] for c in doc["cases"]
    )
    note = json.loads((step14 / "results.json").read_text(encoding="utf-8"))["output"].splitlines()[2]
    assert note.startswith("Your code does not define Exp (optional at this stage)"), note


def test_gradescope_lists_a_skipped_case_as_passed_and_names_the_classes_its_graph_applies(
    tmp_path: Path,
) -> None:
    """Chapter 6's Dropout and BatchNormalization alone at stage ch06: the BatchNormalization net's cases
    apply chapter 5's optional Affine, Relu and SoftmaxWithLoss, which the file does not define; they are not
    run (0 of 0, no points lost). Gradescope listed them as failed tests under a note saying they cost
    nothing, and the note said "an optional class" (only graph cases were skipped: no unit case's target to
    name). Now they are passed tests and the note names the three classes (review of session 19). Control:
    the cases that ran keep their status (all passed here: 23 of 23)."""
    sample = REPO / "submissions" / "dlfs-advanced" / "ch06_bn_dropout_only.py"
    out = tmp_path / "ch06"
    done = grader(
        "grade", "dlfs-advanced", str(sample), "--stage", "ch06", "--seed", "1", "--out", str(out),
        "--format", "gradescope",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    doc = report(out)
    skipped_ids = {c["id"] for c in doc["cases"] if c["status"] == "not_run" and not c["max_points"]}
    assert skipped_ids and all(c["status"] == "passed" for c in doc["cases"] if c["id"] not in skipped_ids)
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    statuses = {
        t["extra_data"]["case_id"]: t["status"] for t in results["tests"] if "case_id" in t["extra_data"]
    }
    assert {statuses[i] for i in skipped_ids} == {"passed"}
    note = results["output"].splitlines()[2]
    # chapter 6's optimizers (session 21), MultiLayerNet (session 22) and MultiLayerNetExtend (session 23),
    # optional at ch06, are named too
    assert note.startswith(
        "Your code does not define Affine, Relu, SoftmaxWithLoss, SGD, Momentum, Nesterov, AdaGrad, RMSprop, "
        "Adam, MultiLayerNet, MultiLayerNetExtend (optional at this stage)"
    )


def test_an_unknown_stage_is_a_usage_error_listing_the_stages(tmp_path: Path) -> None:
    """--stage step15 on check, grade and batch: exit 2, the stages listed, no traceback."""
    sample = str(DEZERO / "step14.py")
    for args in (
        ("check", sample, "--stage", "step15"),
        ("grade", "dezero", sample, "--stage", "step15", "--out", str(tmp_path / "g")),
        (
            "batch",
            "dezero",
            str(DEZERO / "book_repo_layout"),
            "--stage",
            "step15",
            "--out",
            str(tmp_path / "b"),
        ),
    ):
        done = grader(*args)
        assert done.returncode == 2, done.stdout + done.stderr
        assert (
            "unknown stage 'step15' for assignment dezero; valid: step01, step02, step03, step06, step08, "
            "step10, step11, step12, step13, step14" in done.stderr
        )
        assert "Traceback" not in done.stderr


def test_a_stage_of_another_assignment_names_its_assignment() -> None:
    """`--stage layer-naive` on DeZero code: the refusal lists DeZero's stages and says layer-naive is
    dlfs-layers'; `step99` is nobody's and gets no such line (control)."""
    done = grader("check", str(DEZERO / "step14.py"), "--stage", "layer-naive")
    assert done.returncode == 2, done.stdout + done.stderr
    valid = "unknown stage 'layer-naive' for assignment dezero; valid: step01, step02, step03, step06"
    assert valid in done.stderr
    assert "; layer-naive is a stage of dlfs-layers (--assignment dlfs-layers)" in done.stderr
    done = grader("check", str(DEZERO / "step14.py"), "--stage", "step99")
    assert done.returncode == 2 and "is a stage of" not in done.stderr


def test_batch_at_a_stage_writes_the_stage_in_the_gradebook(tmp_path: Path) -> None:
    """batch --stage layer-naive: each gradebook row says layer-naive; the layer_naive sample gets 8/8."""
    klass = tmp_path / "class"
    klass.mkdir()
    (klass / "ann.py").write_bytes((LAYERS / "layer_naive.py").read_bytes())
    out = tmp_path / "out"
    done = grader(
        "batch", "dlfs-layers", str(klass), "--stage", "layer-naive", "--out", str(out), "--jobs", "1"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "against dlfs-layers stage layer-naive" in done.stderr
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["student"], r["stage"], r["score"], r["max_score"]) for r in rows] == [
        ("ann", "layer-naive", "12", "12")  # 8 and two drawn copies of MulLayer's and AddLayer's units
    ]
    assert json.loads((out / "batch.json").read_text(encoding="utf-8"))["stage"] == "layer-naive"


def test_assignments_lists_each_stage_with_what_it_requires() -> None:
    """`grader assignments` lists the stages of each assignment, the default marked, with requirements."""
    done = _once("assignments")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "stages of dezero (--stage NAME; default step18):" in out
    assert "requires Variable, Function, Add, add" in out
    assert "optional Square, Exp (checked when defined; 0 points, feedback)" in out
    assert " *default " in out and "two-layer-net" in out


def test_assignments_keeps_each_stages_counts_in_one_column() -> None:
    """Within one assignment every stage's "N cases" ends at the same column, a name as long as
    multi-layer-net-extend too (it pushed its counts out of line: review of s23-dlfsext)."""
    out = _once("assignments").stdout
    block = out.split("stages of dlfs-advanced")[1].split("\n\n")[0]
    ends = {line.index(" cases") for line in block.splitlines() if " cases " in line}
    assert "multi-layer-net-extend " in block and len(ends) == 1


def test_grader_stage_in_the_environment_is_a_stage_asked_for(tmp_path: Path) -> None:
    """GRADER_STAGE=step14 (a Gradescope run_autograder or tox.ini) grades as --stage step14 does; --stage
    wins over it; a malformed value names the variable and what is valid."""
    sample = str(DEZERO / "step14.py")
    out = tmp_path / "env"
    done = grader("grade", "dezero", sample, "--out", str(out), "--seed", "1", env={"GRADER_STAGE": "step14"})
    assert done.returncode == 0, done.stderr
    assert report(out)["stage"]["name"] == "step14" and report(out)["score"] == 18.0
    assert "stage step14 (set by GRADER_STAGE)" in done.stderr, done.stderr  # named with where it came from
    both = tmp_path / "both"
    args = ("grade", "dezero", sample, "--out", str(both), "--seed", "1", "--stage", "step16")
    assert grader(*args, env={"GRADER_STAGE": "step14"}).returncode == 0
    assert report(both)["stage"]["name"] == "step16"
    bad = grader("check", sample, env={"GRADER_STAGE": "Step 14"})
    assert bad.returncode == 2 and "GRADER_STAGE" in bad.stderr


def test_an_unknown_stage_from_the_environment_or_a_config_file_says_where_it_came_from(
    tmp_path: Path,
) -> None:
    """A well-formed but unknown stage from GRADER_STAGE (left exported from another course) or grader.toml:
    check, grade and batch refuse it naming that source, as a malformed value is (README: "an invalid value
    says which setting, where it came from"); it said only "unknown stage", and `--stage` appeared nowhere in
    the command that failed. The same stage typed as --stage, with GRADER_STAGE set, is refused as before
    (control: the command line wins, and shows it)."""
    sample = str(DEZERO / "step14.py")
    runs = (
        ("check", sample),
        ("grade", "dezero", sample, "--out", str(tmp_path / "g")),
        ("batch", "dezero", str(DEZERO / "book_repo_layout"), "--out", str(tmp_path / "b")),
    )
    for args in runs:
        done = grader(*args, env={"GRADER_STAGE": "step15"})
        assert done.returncode == 2, done.stdout + done.stderr
        assert (
            "unknown stage 'step15' (from GRADER_STAGE) for assignment dezero; valid: step01" in done.stderr
        )
    config = tmp_path / "grader.toml"
    config.write_text('[grader]\nstage = "step15"\n', encoding="utf-8")
    done = grader("check", sample, "--config", str(config))
    assert done.returncode == 2 and f"unknown stage 'step15' (from {config} (--config))" in done.stderr
    done = grader("check", sample, "--stage", "step15", env={"GRADER_STAGE": "step14"})
    assert done.returncode == 2 and "unknown stage 'step15' for assignment dezero" in done.stderr


def test_check_grades_the_layers_and_the_net_of_a_file_holding_both() -> None:
    """Layers and TwoLayerNet in one file (no MulLayer): check infers layers+two-layer-net, says both
    stages' names, grades TwoLayerNet and shows its own mistake (dW1 twice the answer), not "not implemented
    yet"; the other stages listed do not repeat the parts."""
    done = grader("check", str(LAYERS / "layers_and_net_dW_doubled.py"))
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert (
        "stage layers+two-layer-net, inferred: your code defines Relu, Affine, SoftmaxWithLoss "
        "(stage layers) and TwoLayerNet (stage two-layer-net): separate stages, graded together; "
        "other stages: buy-apple, layer-naive, activations, affine-softmax, ch04-two-layer-net, default "
        "(--stage NAME)"
    ) in out
    assert any(line.startswith("FAIL") and "two-layer-net-check" in line for line in out.splitlines())
    assert "gradient of W1 (dW1) is 2 times the right answer" in out
    assert "not implemented yet" not in out


def test_check_takes_a_combined_stage_asked_for_with_plus() -> None:
    """`--stage two-layer-net+layers`, as docs/STAGES.md documents it (any order): graded as the combined
    stage layers+two-layer-net, asked, with TwoLayerNet's own mistake shown. It was exit 2, "invalid stage
    'two-layer-net+layers' from --stage: expected a stage name such as step14" (the setting's pattern was one
    slug), so a book repository checked at `default` could not ask for TwoLayerNet's predict and accuracy."""
    done = grader("check", str(LAYERS / "layers_and_net_dW_doubled.py"), "--stage", "two-layer-net+layers")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "stage layers+two-layer-net, asked" in done.stdout
    assert "gradient of W1 (dW1) is 2 times the right answer" in done.stdout


def test_check_at_the_asked_stage_of_a_defined_but_wrong_class_shows_the_bug() -> None:
    """--stage two-layer-net on the same file: the dW1 mistake with its own hint, never "not implemented
    yet ... your code looks like stage layers" (the code defines TwoLayerNet)."""
    done = grader("check", str(LAYERS / "layers_and_net_dW_doubled.py"), "--stage", "two-layer-net")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "gradient of W1 (dW1) is 2 times the right answer" in done.stdout
    assert "not implemented yet" not in done.stdout


def test_the_whole_assignment_grades_the_accuracy_of_the_books_chapter5_repository(tmp_path: Path) -> None:
    """The book's ch05/layer_naive.py, common/layers.py and ch05/two_layer_net.py, whose accuracy takes
    np.argmax(t) without axis=1 (one index of the flattened one-hot t): inferred `default`, which grades
    two-layer-net-accuracy now (1/3 with one-hot t where the fixture's predictions 1, 2, 2 against labels
    1, 2, 0 give 2/3); it got full marks there, the case being stage two-layer-net's only. `grade` without
    --stage (the Gradescope kit's default) loses that record's point. Control: book_layout, the same code
    with axis=1, full marks."""
    done = grader("check", str(LAYERS / "book_repo_accuracy_argmax_t"))
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "stage default, inferred" in out
    assert any(line.startswith("FAIL") and "two-layer-net-accuracy" in line for line in out.splitlines())
    assert "accuracy with one-hot t (accuracy_onehot) is wrong: got 0.333333, expected 0.666667" in out
    scores = {}
    for sample in ("book_repo_accuracy_argmax_t", "book_layout"):
        args = ("grade", "dlfs-layers", str(LAYERS / sample), "--out", str(tmp_path / sample), "--seed", "7")
        assert grader(*args).returncode == 0
        doc = report(tmp_path / sample)
        assert doc["stage"]["name"] == "default"
        scores[sample] = (doc["score"], doc["max_score"])
    (full, top) = scores["book_layout"]
    assert full == top
    # two-layer-net-accuracy is worth 2 points over 2 records; one is wrong; so is one of the 2 records of
    # each of its two drawn copies (1 point each, session 13)
    assert scores["book_repo_accuracy_argmax_t"] == (top - 1.0 - 2 * 0.5, top)


def test_check_infers_the_books_step22_and_grades_its_operators() -> None:
    """The book's step22.py with Neg and Sub signs wrong: stage step22 inferred (no Square, no Exp needed),
    the Neg and Sub unit cases fail as sign_flipped, the Square and Exp cases are skipped as optional."""
    done = grader("check", str(DEZERO / "book_step22_sub_neg_sign.py"))
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "stage step22, inferred" in out
    lines = out.splitlines()
    assert any(line.startswith("FAIL") and "neg-unit" in line for line in lines)
    assert any(line.startswith("FAIL") and "sub-unit" in line for line in lines)
    assert any(line.startswith("SKIP") and "square-unit" in line and "(optional)" in line for line in lines)
    assert "Square is optional at stage step22 and your code does not define it" in out


ADVANCED = REPO / "submissions" / "dlfs-advanced"


def test_check_grades_the_books_chapter7_layers_file_alone_at_stage_layers() -> None:
    """The book's common/layers.py through chapter 7, alone: stage layers inferred, exit 0, 27 of 27 visible
    points (21 before session 20's Convolution and Pooling units on a 7x10 input with a 3x2 window, 2 each;
    25 before session 21's Pooling unit with that window at stride 1);
    it used to be graded as the whole assignment and lose 4 points to "no class SimpleConvNet", a class of
    another book file (ch07/simple_convnet.py)."""
    done = grader("check", str(ADVANCED / "book_ch07_common_layers"))
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert (
        "stage layers, inferred: your code defines Dropout, BatchNormalization, Convolution, Pooling; "
        "other stages: optimizers, dropout, batchnorm, ch06, conv, simple-conv-net, multi-layer-net, "
        "multi-layer-net-extend, default "
        "(--stage NAME)"
    ) in out
    assert "SimpleConvNet" not in out
    assert "score 27 / 27" in out


def test_check_of_a_chapter6_layers_file_at_dlfs_advanced_grades_dropout() -> None:
    """The chapter-6 file with Dropout.backward ignoring the mask: stage ch06 inferred, the Dropout mistake
    shown with its hint, exit 1; no Convolution or Pooling case is asked of a chapter-6 file. Of the training
    case's three checks (out, dx, and the forward value redrawn after another seed, session 28) dx fails: 4/3
    of its 2 points."""
    done = grader("check", str(ADVANCED / "ch06_dropout_backward_unmasked"), "--assignment", "dlfs-advanced")
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "stage ch06, inferred: your code defines Dropout, BatchNormalization" in out
    assert any(line.startswith("FAIL") and "dropout-train-unit" in line for line in out.splitlines())
    graded = [line.split()[2] for line in out.splitlines() if line.startswith(("PASS", "FAIL", "ERROR"))]
    assert graded and not any(case.startswith(("convolution", "pooling", "simple-conv")) for case in graded)
    assert "score 12.3333 / 13" in out


def test_check_grades_a_file_named_for_a_later_step_as_that_step(tmp_path: Path) -> None:
    """step14's code handed in as step18.py: check grades step 18, says the name and the code disagree, and
    fails on what step 14 lacks (it inferred step14 and said "all visible cases pass"). A file named for an
    earlier step than its code (correct.py as step14.py) keeps the code's stage."""
    done = grader("check", str(DEZERO / "step18_named_step14_code.py"))
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "stage step18, inferred: your file step18_named_step14_code.py is named for step 18" in out
    assert "its code looks like stage step14" in out and "--stage step14 grades the code as step14" in out
    assert "not implemented yet: this case is part of stage step16" in out
    assert "all visible cases pass" not in out
    earlier = tmp_path / "step14.py"
    earlier.write_bytes((DEZERO / "correct.py").read_bytes())
    done = grader("check", str(earlier))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "stage step18, inferred: your code defines" in done.stdout


def test_check_reads_step_claims_only_from_the_files_whose_code_is_graded(tmp_path: Path) -> None:
    """An empty step18_todo.py beside step14.py (step 14's code) made check grade step 18 and blame "its
    code", step18_todo.py's, which has none. Only the files defining graded names claim a step now: step14.py
    keeps its stage. Control: the same code as step18.py beside an empty notes.py is graded as step 18, and
    the message names the file whose code was read."""
    code = (DEZERO / "step18_named_step14_code.py").read_bytes()
    (tmp_path / "todo").mkdir()
    (tmp_path / "todo" / "step14.py").write_bytes(code)
    (tmp_path / "todo" / "step18_todo.py").write_bytes(b"")
    done = grader("check", str(tmp_path / "todo"), "--assignment", "dezero")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "stage step14, inferred: your code defines" in done.stdout and "step18_todo" not in done.stdout
    (tmp_path / "named").mkdir()
    (tmp_path / "named" / "step18.py").write_bytes(code)
    (tmp_path / "named" / "notes.py").write_bytes(b"# to do\n")
    done = grader("check", str(tmp_path / "named"), "--assignment", "dezero")
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "stage step18, inferred: your file step18.py is named for step 18, but its code looks" in done.stdout
    )


def test_check_says_which_steps_after_the_last_graded_one_the_code_has(tmp_path: Path) -> None:
    """Session 32: stages step59 and step60 grade RNN, LSTM and unchain_backward. The book's step-58 dezero/
    with the final steps/step60.py (LSTM) is inferred step60 and passes (it was step57, its code of steps 58
    to 60 said to be ungraded; step60 extends step54, not step57: its conv code is graded at --stage step57).
    The book's step-46 package gets no note of later code, and gets it once a file named for step 53, which no
    stage grades, joins it (controls). The book's final package without functions_conv.py (late_book_step60)
    is inferred step60 (step54 in session 31). The file renamed steps/step57.py still claims step57 ("missing:
    im2col"): step60 does not extend it, so the code is inferred among the stages up to step 57."""
    pkg = tmp_path / "late"
    shutil.copytree(DEZERO / "book_step58", pkg)
    shutil.copy(DEZERO / "late_book_step60" / "steps" / "step60.py", pkg / "steps" / "step60.py")
    done = grader("check", str(pkg))
    assert done.returncode == 0, done.stdout + done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("stage step60, inferred"))
    # its functions_conv.py is not graded at step60, which extends step54, not step57: the stage line says so
    # (review of s32-dzrnn: it said nothing, and a wrong im2col beside steps/step60.py passed unmentioned)
    assert (
        "your code also has im2col, conv2d, pooling (stage step57), which stage step60 does not grade "
        "(step60 does not extend step57): not graded here" in line
    ), line
    late = grader("check", str(DEZERO / "late_book_step60"))
    assert late.returncode == 0 and "missing: im2col" not in late.stdout, late.stdout + late.stderr
    stage = next(x for x in late.stdout.splitlines() if x.startswith("stage step60, inferred"))
    assert "(stage step57)" not in stage, stage  # no conv code: nothing said (control)
    # a layers.py calling F.conv2d, which nothing defines: "missing: im2col" at step57 before session 32;
    # at step60 its full marks say the call is not graded (review of s32-dzrnn: the check was dropped, and
    # nothing was said)
    conv = tmp_path / "conv"
    shutil.copytree(DEZERO / "late_book_step60", conv)
    with (conv / "dezero" / "layers.py").open("a", encoding="utf-8") as layers:
        layers.write("\n\ndef conv_layer(x, W):\n    return F.conv2d(x, W)\n")
    mentioned = grader("check", str(conv))
    line = next(x for x in mentioned.stdout.splitlines() if x.startswith("stage step60, inferred"))
    assert (
        "calls to conv2d, which it does not define (stage step57), which stage step60 does not grade" in line
    )
    assert "all visible cases pass" in late.stdout
    own = tmp_path / "own"
    shutil.copytree(DEZERO / "late_book_step60", own)
    (own / "steps" / "step60.py").rename(own / "steps" / "step57.py")
    claimed = grader("check", str(own))
    assert claimed.returncode != 0 and "missing: im2col" in claimed.stdout, claimed.stdout
    assert "graded as step57, the step the name claims" in claimed.stdout
    plain = _once("check", str(DEZERO / "book_step46"))
    assert plain.returncode == 0 and "your code also has code of" not in plain.stdout
    shutil.copytree(DEZERO / "book_step46", tmp_path / "pkg")
    # step 52 (step 53 until session 33, which gave step 53 a stage) is below step57 but has no stage: not
    # graded, and said so (it read "after step 47" before)
    (tmp_path / "pkg" / "steps" / "step52.py").write_text("import dezero\n", encoding="utf-8")
    named = grader("check", str(tmp_path / "pkg"))
    assert "your code also has code of step 52, which no stage here grades" in named.stdout, named.stdout


def test_check_tells_step_46_code_with_get_item_that_step_47_is_graded_at_its_stage(tmp_path: Path) -> None:
    """Review of s23-dz47 (finding 3): book_step46 with book_step47's GetItem, GetItemGrad and get_item
    appended is inferred step46 (no softmax yet) and was told nothing of them ("all visible cases pass"): the
    stage line now says step 47's code is graded at stage step47 and what that stage also needs. book_step46
    itself gets no such note (the negative control)."""
    pkg = tmp_path / "pkg"
    shutil.copytree(DEZERO / "book_step46", pkg)
    step47 = (DEZERO / "book_step47" / "dezero" / "functions.py").read_text(encoding="utf-8")
    start = step47.index("class GetItem(Function):")
    end = step47.index("\ndef get_item(x, slices):")
    getitem = step47[start:end] + "\ndef get_item(x, slices):\n    f = GetItem(slices)\n    return f(x)\n"
    functions = pkg / "dezero" / "functions.py"
    functions.write_text(functions.read_text(encoding="utf-8") + "\n\n" + getitem, encoding="utf-8")
    done = grader("check", str(pkg))
    line = next(x for x in done.stdout.splitlines() if x.startswith("stage step46, inferred"))
    assert (
        "your code also has code of step 47 (GetItem, GetItemGrad, get_item): it is graded at stage step47 "
        "(--stage step47), which also needs softmax, softmax_cross_entropy" in line
    ), line
    assert "after step 46" not in line and "not graded" not in line
    plain = _once("check", str(DEZERO / "book_step46"))
    assert "your code also has code of" not in plain.stdout and "stage step46, inferred" in plain.stdout


def test_check_names_no_later_step_for_honest_step_46_code_named_like_it(tmp_path: Path) -> None:
    """Review of s21-real2 (finding 3): book_step46 with a variable `dropout = 0.2` and a helper `def
    accuracy` in its demo steps/step46.py, a method `clip` in Parameter, and `Dataset = None` and `for RNN in
    range(1)` in dezero/utils.py was told "your code also has code of steps 47, 49, 50, 54 and 59"; none is
    code of those steps. The same `def accuracy` at the top of dezero/functions.py is (the control)."""
    pkg = tmp_path / "pkg"
    shutil.copytree(DEZERO / "book_step46", pkg)

    def add(rel: str, text: str) -> None:
        path = pkg / rel
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    accuracy = "\n\ndef accuracy(y, t):\n    return (y.data.argmax(axis=1) == t).mean()\n"
    add("steps/step46.py", "\ndropout = 0.2  # not used yet\n" + accuracy)
    add("dezero/utils.py", "\nDataset = None\nfor RNN in range(1):\n    pass\n")
    core = (pkg / "dezero" / "core.py").read_text(encoding="utf-8")
    parameter = "class Parameter(Variable):\n    pass\n"
    assert parameter in core
    clip = "class Parameter(Variable):\n    def clip(self, lo, hi):\n        return self\n"
    (pkg / "dezero" / "core.py").write_text(core.replace(parameter, clip), encoding="utf-8")
    honest = grader("check", str(pkg))
    assert honest.returncode == 0, honest.stdout + honest.stderr
    assert "stage step46, inferred" in honest.stdout and "your code also has code of" not in honest.stdout
    add("dezero/functions.py", accuracy)
    library = grader("check", str(pkg))
    # step 50 has a stage since session 31 (accuracy): named with what it also needs (session 30: "which no
    # stage here grades"; before, "after step 47")
    assert (
        "your code also has code of step 50 (accuracy): it is graded at stage step50 (--stage step50), which "
        "also needs get_item, softmax, softmax_cross_entropy" in library.stdout
    ), library.stdout


def test_check_of_a_file_that_does_not_compile_says_the_syntax_error_first(tmp_path: Path) -> None:
    """A file Python cannot compile: the line after `checking` is the syntax error (file, line, what), above
    the stage line, which blames the compile, not "no stage matches the names your code defines"; a file
    that compiles gets no such line (the negative control)."""
    broken = tmp_path / "miniflow.py"
    broken.write_text(
        "import numpy as np\n\n\nclass Node:\n    def __init__(self, inbound_nodes=[]):\n"
        "        self.inbound_nodes = inbound_nodes\n\n\nclass Input(Node)\n"
        "    def __init__(self):\n        Node.__init__(self)\n"
    )
    done = grader("check", str(broken), "--assignment", "miniflow")
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    first = "every case below is an error, for one reason: syntax error in miniflow.py line 9"
    assert lines[1].startswith(first)
    assert "expected ':'" in lines[1]
    assert lines[2].startswith("stage sgd, the default: your code does not compile")
    assert "no stage matches" not in done.stdout
    fine = grader("check", str(REPO / "submissions" / "miniflow" / "correct.py"))
    assert "for one reason" not in fine.stdout
    assert fine.stdout.splitlines()[1].startswith("stage sgd, inferred")


def test_step_43_written_with_the_simple_functions_only_is_graded_at_step_43() -> None:
    """A step-43 package with the book's first, composed linear_simple and sigmoid_simple and no Linear or
    Sigmoid class (sample book_step43_simple_only/) was inferred step42, its step-43 code never run (session
    26 told it so); they now stand for Linear and Sigmoid: inferred step43, nothing missing, and every
    step-43 case passes. book_step43 (which has the classes) is step43 as before (control)."""
    done = grader("check", str(DEZERO / "book_step43_simple_only"))
    line = next(x for x in done.stdout.splitlines() if x.startswith("stage step43, inferred"))
    assert "Linear (as linear_simple), Sigmoid (as sigmoid_simple)" in line, line
    assert "your code also has code of" not in done.stdout and "missing:" not in done.stdout
    assert done.returncode == 0 and "all visible cases pass" in done.stdout, done.stdout
    plain = grader("check", str(DEZERO / "book_step43"))
    assert "your code also has code of" not in plain.stdout and "stage step43, inferred" in plain.stdout


def test_step_43_composed_under_the_final_names_passes_its_unit_cases(tmp_path: Path) -> None:
    """Review of s27-realdz, finding 2: the composition's backward from its output was run for linear_simple
    and sigmoid_simple only; the same code named linear and sigmoid (no Linear or Sigmoid class) lost
    step43-linear-unit ("Linear.backward returned 2 gradient(s) for 3 input(s)", of a class it never wrote)
    and step43-sigmoid-unit (dx of shape ()). Control: sigmoid written 1 / (1 + exp(x)) still fails."""
    folder = tmp_path / "final_names"
    shutil.copytree(DEZERO / "book_step43_simple_only", folder)
    for path in [*folder.glob("dezero/*.py"), *folder.glob("steps/*.py")]:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("linear_simple", "linear").replace("sigmoid_simple", "sigmoid"), "utf-8")
    done = grader("check", "--stage", "step43", str(folder))
    lines = done.stdout.splitlines()
    for case in ("step43-linear-unit", "step43-sigmoid-unit", "step43-two-layer-graph"):
        assert any(x.startswith("PASS") and case in x for x in lines), done.stdout
    functions = folder / "dezero" / "functions.py"
    functions.write_text(functions.read_text("utf-8").replace("1 + exp(-x)", "1 + exp(x)"), "utf-8")
    wrong = grader("check", "--stage", "step43", str(folder)).stdout.splitlines()
    assert any(x.startswith("FAIL") and "step43-sigmoid-unit" in x for x in wrong), wrong
    assert any(x.startswith("PASS") and "step43-linear-unit" in x for x in wrong), wrong


def test_a_failing_optional_case_that_costs_points_fails_the_check() -> None:
    """A step file's own goldstein mistyped (sample step24_goldstein_typo.py) loses its optional case's point:
    the check said "all visible cases pass" (exit 0) beside a score below full marks. Control: the same file
    with the book's formula passes."""
    done = grader("check", str(DEZERO / "step24_goldstein_typo.py"))
    assert done.returncode == 1 and "some visible cases fail: see above" in done.stdout, done.stdout
    assert "goldstein is your own formula" in done.stdout
    right = grader("check", str(DEZERO / "step24_correct.py"))
    assert right.returncode == 0 and "all visible cases pass" in right.stdout, right.stdout


def test_a_step_files_own_function_with_other_arguments_is_not_graded_and_the_check_passes() -> None:
    """A `def sphere():` demo beside the book's matyas and goldstein (sample step24_sphere_demo_no_args.py)
    lost the own-sphere case's point to Python's TypeError and failed the check; it is skipped and says why.
    Control: a sphere of the book's arguments but a wrong formula still fails (step24_goldstein_typo.py,
    above)."""
    done = grader("check", str(DEZERO / "step24_sphere_demo_no_args.py"))
    assert done.returncode == 0 and "all visible cases pass" in done.stdout, done.stdout
    assert "sphere() is not the book's sphere(x, y)" in done.stdout and "TypeError" not in done.stdout


def test_check_counts_the_hidden_round_trips_where_the_code_defines_save_weights() -> None:
    """check at stage step54 (session 34: step53's save/load cases graded there where the code defines
    save_weights and load_weights, read from the source in the parent): the hidden drawn round trip is among
    the hidden points for late_book_step60, which defines both, as `grader grade` counts it, and not for
    its control without them (skipped by the grade: not_run, 0 of 0). The load never finds a method, so
    without the parent's reading both printed the control's figure. Expected: the manifest's drawn spec
    (count x points)."""
    manifest = json.loads((REPO / "fixtures" / "dezero" / "manifest.json").read_text())
    (spec,) = [
        g for g in manifest["generated"] if any(s["do"] == "save_load" for s in g["template"]["steps"])
    ]
    assert spec["visibility"] == "hidden"

    def hidden(sample: str) -> float:
        done = grader("check", str(DEZERO / sample), "--stage", "step54")
        assert done.returncode == 0, done.stdout + done.stderr
        (line,) = [ln for ln in done.stdout.splitlines() if ln.startswith("not checked here: ")]
        return float(line.split()[3])

    assert (
        hidden("late_book_step60") - hidden("late_book_step60_no_save_weights")
        == spec["count"] * spec["points"]
    )
