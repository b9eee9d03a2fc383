"""Smoke test of `python -m bench.mutation` at a small sample, and known variants through the whole sweep."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_small_sample_table_keeps_its_invariants(tmp_path, bench_tools):
    """4 variants per family: counts add up, only non-equivalent variants are graded, a kill scores below the
    unmutated sample, exact blame implies a kill, and every survivor is printed with its diff."""
    families = [a for f in ("dezero", "layers", "miniflow") for a in ("--family", f)]
    stdout, outcomes = bench_tools.run(
        "mutation", "--sample", "4", "--seed", "3", "--isolation", "rlimits", *families,
        json_path=tmp_path / "m.json",
    )  # fmt: skip
    assert sorted({o["family"] for o in outcomes}) == ["dezero", "layers", "miniflow"]
    for family in ("dezero", "layers", "miniflow"):
        assert sum(o["family"] == family for o in outcomes) == 4
    for o in outcomes:
        if o["equivalent"]:
            assert o["score"] is None and not o["killed"] and not o["exact_blame"], o
        else:
            assert o["score"] is not None and o["baseline"] is not None, o
            assert o["killed"] == (o["score"] < o["baseline"]), o
        if o["exact_blame"]:
            assert o["killed"], o
    survivors = [o for o in outcomes if not o["equivalent"] and not o["killed"]]
    assert f"survivors ({len(survivors)}):" in stdout
    for o in survivors:
        assert f"{o['family']} {o['name']} {o['function']}" in stdout
    total = next(line for line in stdout.splitlines() if line.startswith("total |"))
    assert total.split(" | ")[1] == str(len(outcomes))


@pytest.fixture(scope="module")
def mutation(bench_tools):
    """The runner and the operators; the runner's `mutants` (a pure function of its arguments) made once a
    sample for the module's tests: dlfs-advanced's 874 variants take 25 s or more to make, and every `collect`
    made them again."""
    runner = bench_tools.module("mutation.runner")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner, "mutants", functools.cache(runner.mutants))
        yield runner, bench_tools.module("mutation.operators")


SPLICED = '''"""A module docstring."""
import numpy as np
LR = 0.1

def sgd(p, g):
    p -= LR * g

@staticmethod
def scaled(x):
    return 2 * x

class Mul:
    """Shadowed by its twin below."""
    def backward(self, dout):
        return (dout * self.y, dout * self.x)
SCALE = 3

class Mul:
    def backward(self, dout):
        return (dout * self.x, dout * self.y)
'''


def test_each_variant_is_the_whole_module_with_one_definition_changed(bench_tools):
    """A variant's text is spliced around the definition it changes (unparsing the whole module per variant
    cost a minute a sweep): it is a module's own unparsed text, and only the top-level statement holding the
    change differs from the original's, the first `Mul` of two for its variants, the second for the twin's."""
    operators = bench_tools.module("mutation.operators")
    original = ast.parse(SPLICED)
    variants = operators.mutants("miniflow", "spliced.py", SPLICED)
    assert {m.function for m in variants} == {"sgd", "scaled", "Mul.backward"}
    changed_at = set()
    for m in variants:
        tree = ast.parse(m.source)
        assert ast.unparse(tree) == m.source, m.description
        pairs = enumerate(zip(tree.body, original.body, strict=True))
        differ = [i for i, (a, b) in pairs if ast.dump(a) != ast.dump(b)]
        assert len(differ) == 1 and getattr(original.body[differ[0]], "name", None) == m.owner, m
        changed_at.add(differ[0])
    assert changed_at == {3, 4, 5, 7}  # sgd, scaled, both Muls


def _variant(operators, family, function, description, line_text):
    """The one variant of the family's correct sample matching the function, operator and changed line."""
    original = (REPO / "submissions" / family / "correct.py").read_text(encoding="utf-8")
    found = [
        m
        for m in operators.mutants(family, "correct.py", original)
        if m.function == function and m.description == description and line_text in m.source
    ]
    assert len(found) == 1, [(m.function, m.description) for m in found]
    return found[0]


def test_linear_backward_overwrite_is_killed_and_an_unreachable_change_is_equivalent(mutation):
    """Linear.backward `+=` -> `=` on dX (caught only by linear-two-consumers) is non-equivalent, computes
    wrong values without crashing, and is killed; deleting Node.forward's `raise` (never called) is
    equivalent and not graded: the negative control of the drivers."""
    runner, operators = mutation
    overwrite = _variant(
        operators, "miniflow", "Linear.backward", "+= -> =",
        "self.gradients[self.inbound_nodes[0]] = np.dot(grad_cost, self.inbound_nodes[1].value.T)",
    )  # fmt: skip
    unreachable = _variant(operators, "miniflow", "Node.forward", "delete the statement", "")
    outcomes, _ = runner.run(["miniflow"], sample=None, seed=7, isolation="rlimits", jobs=2,
                             only=[overwrite, unreachable])  # fmt: skip
    by_name = {o.mutant.name: o for o in outcomes}
    killed = by_name[overwrite.name]
    assert not killed.equivalent and not killed.crashes and killed.killed
    assert "linear-two-consumers" in killed.failed_cases
    assert by_name[unreachable.name].equivalent and by_name[unreachable.name].score is None


def test_every_later_source_has_variants_of_its_own_classes(mutation, bench_tools):
    """Each later stage's source (a single file, or a graded file of a folder sample) exists; a single file
    and a folder's file give variants named without slashes; dlfs-advanced's are of the classes it is swept
    for only (its Relu belongs to the layers sweep)."""
    runner, _ = mutation
    sweep = bench_tools.module("mutation.sweep")
    later = [f for f in sweep.SOURCES if f.startswith(("dezero-step", "dlfs-", "miniflow-"))]
    assert len(later) == 21  # session 24: step 36, step 47 (and its _simple forms), mlnx, three quizzes
    for family in later:
        for src in sweep.SOURCES[family].sources:
            assert src.path(sweep.SOURCES[family].folder).is_file(), (family, src.key)
    chosen, originals = runner.collect(["dezero-step22", "dezero-step35", "dlfs-advanced"], None, 0)
    for family, key in (
        ("dezero-step22", "book_step22.py"),
        ("dezero-step35", "book_step35/dezero/functions.py"),
    ):
        mine = [m for m in chosen if m.family == family and m.sample == key]
        assert mine and all("/" not in m.name for m in mine), (family, key)
        assert originals[(family, key)] == (REPO / "submissions" / "dezero" / key).read_text("utf-8")
    advanced = {m.owner for m in chosen if m.family == "dlfs-advanced"}
    assert advanced == {"Dropout", "BatchNormalization", "Convolution", "Pooling", "SimpleConvNet"}


def test_a_folder_sample_variant_is_graded_at_its_step(mutation):
    """book_step35's dezero/functions.py: Cos.backward without the minus (gy * sin(x)) is non-equivalent,
    wrong values without a crash, killed at step 35 (cos-unit fails) and blamed on Cos. The variant is graded
    as the whole folder with that one file changed."""
    runner, operators = mutation
    key = "book_step35/dezero/functions.py"
    original = (REPO / "submissions" / "dezero" / key).read_text(encoding="utf-8")
    found = [
        m
        for m in operators.mutants("dezero-step35", key, original)
        if m.function == "Cos.backward" and m.description == "drop unary minus"
    ]
    assert len(found) == 1
    outcomes, _ = runner.run(["dezero-step35"], sample=None, seed=7, isolation="rlimits", jobs=2, only=found)
    (cos,) = outcomes
    assert not cos.equivalent and not cos.crashes and cos.killed, cos
    assert "cos-unit" in cos.failed_cases and "Cos" in cos.blame, cos


def test_owner_filter_keeps_only_those_classes_before_the_draw(mutation):
    """`--owner`: only variants inside the named classes or top-level functions, and `--sample` draws from
    those (so a sample of a large family is spent on the classes asked for, not shrunk after the draw)."""
    runner, _ = mutation
    everything, _ = runner.collect(["dlfs-advanced"], None, 0)
    pooling = [m for m in everything if m.owner == "Pooling"]
    assert pooling and len(pooling) < len(everything)
    only, _ = runner.collect(["dlfs-advanced"], None, 0, frozenset({"Pooling"}))
    assert [m.name for m in only] == [m.name for m in pooling]
    drawn, _ = runner.collect(["dlfs-advanced"], 10, 0, frozenset({"Pooling", "Dropout"}))
    assert len(drawn) == 10 and {m.owner for m in drawn} <= {"Pooling", "Dropout"}


def test_drivers_tell_height_from_width(bench_tools, tmp_path):
    """The dlfs-advanced drivers convolve and pool a non-square window over a non-square input, as
    convolution-rect-unit and pooling-rect-unit grade them: a Pooling whose window is pool_h by pool_h and a
    Convolution whose out_w is sized from H (both samples the cases catch) are not equivalent to correct.py.
    With square windows only, both were judged equivalent and never graded."""
    sweep = bench_tools.module("mutation.sweep")
    folder = REPO / "submissions" / "dlfs-advanced"
    names = ("correct.py", "pool_window_height_only.py", "conv_out_w_from_h.py",
             "out_w_from_fh_and_pool_h.py", "pool_out_h_from_pool_w.py")  # fmt: skip
    text = {n: (folder / n).read_text("utf-8") for n in names}
    original = sweep.drive("dlfs-advanced", "correct.py", text["correct.py"], tmp_path, "original")
    for name, scenario in (
        ("pool_window_height_only.py", "pooling"),
        ("conv_out_w_from_h.py", "convolution"),
        # judged equivalent at 6x9 (review of s21-mut, 3): the drivers use the cases' 7x10 and 5x6 at stride 1
        ("out_w_from_fh_and_pool_h.py", "pooling"),
        ("pool_out_h_from_pool_w.py", "pooling"),
    ):
        got = sweep.drive("dlfs-advanced", "correct.py", text[name], tmp_path, name.removesuffix(".py"))
        assert sweep.compare(original, got)[0] is False, name
        assert got[scenario] != original[scenario], name


@pytest.mark.parametrize(
    ("family", "sample", "file"),
    [
        ("dezero-step43", "book_step43_linear_gb_gy", "functions.py"),
        ("dezero-step44", "book_step44_linear_w_transposed", "layers.py"),
        ("dezero-step44", "book_step44_w_out_in", "layers.py"),
        ("dezero-step45", "book_step45_mlp_activation_after_last", "models.py"),
        ("dezero-step45", "book_step45_params_not_recursive", "layers.py"),
        ("dezero-step46", "book_step46_sgd_adds", "optimizers.py"),
        ("dezero-step46", "book_step46_momentum_v_added", "optimizers.py"),
        ("dezero-step46", "book_step46_momentum_keyed_by_name", "optimizers.py"),
    ],
)
def test_drivers_see_the_later_steps_known_mistakes(bench_tools, tmp_path, family, sample, file):
    """Steps 43-46 (session 22): before, the drivers never called Linear, Layer, MLP, params() or the
    optimizers, so every variant of those files was judged equivalent and never graded. Each known-mistake
    sample's one changed file, put in the correct folder, now drives differently from the correct file
    (and the correct file drives like itself)."""
    sweep = bench_tools.module("mutation.sweep")
    key = f"{sweep.SOURCES[family].sources[0].sample}/dezero/{file}"
    original_text = (REPO / "submissions" / "dezero" / key).read_text("utf-8")
    original = sweep.drive(family, key, original_text, tmp_path, "original")
    assert sweep.compare(original, sweep.drive(family, key, original_text, tmp_path, "again")) == (
        True,
        False,
    )
    text = (REPO / "submissions" / "dezero" / sample / "dezero" / file).read_text("utf-8")
    assert sweep.compare(original, sweep.drive(family, key, text, tmp_path, sample))[0] is False


def test_optimizer_drivers_see_a_rebound_param(bench_tools, tmp_path):
    """The book's layers hold the params' arrays: an SGD that rebinds `params[key]` to a new array trains
    nothing (sample optimizer_rebinds_params.py). The dlfs-optimizers drivers record the arrays held before
    the updates, so the rebinding variant is not equivalent."""
    sweep = bench_tools.module("mutation.sweep")
    key = "book_common_optimizer/common/optimizer.py"
    text = (REPO / "submissions" / "dlfs-advanced" / key).read_text("utf-8")
    rebinds = text.replace(
        "params[key] -= self.lr * grads[key]", "params[key] = params[key] - self.lr * grads[key]"
    )
    assert rebinds != text
    original = sweep.drive("dlfs-optimizers", key, text, tmp_path, "original")
    got = sweep.drive("dlfs-optimizers", key, rebinds, tmp_path, "rebinds")
    assert sweep.compare(original, got) == (False, False)
    assert got["updates"]["ok"]["SGD_default_held"] != original["updates"]["ok"]["SGD_default_held"]
    assert got["updates"]["ok"]["SGD_default"] == original["updates"]["ok"]["SGD_default"]


@pytest.mark.parametrize(
    ("family", "folder", "key", "mistake"),
    [
        ("dezero-step47", "dezero", "book_step47/dezero/functions.py", "book_step47_get_item_grad_assigned"),
        ("dezero-step47", "dezero", "book_step47/dezero/functions.py", "book_step47_onehot_by_columns"),
        (
            "dlfs-mlnx",
            "dlfs-advanced",
            "book_common_multi_layer_net_extend/common/multi_layer_net_extend.py",
            "mlnx_gradient_two_training_forwards",
        ),
        ("miniflow-add", "miniflow", "add_quiz.py", "add_quiz_returns_sum.py"),
        ("miniflow-linear", "miniflow", "linear_quiz_stage.py", "linear_quiz_no_bias.py"),
        ("miniflow-transform", "miniflow", "linear_transform_matmul.py", "linear_transform_swapped.py"),
        # the sort and pass part of the quiz drivers (session 24's review of s24-mut)
        ("miniflow-add", "miniflow", "add_quiz.py", "add_quiz_node_unlinked.py"),
        (
            "miniflow-transform",
            "miniflow",
            "linear_transform_matmul.py",
            "linear_transform_pass_skips_last.py",
        ),
    ],
)
def test_drivers_see_session_23s_known_mistakes(bench_tools, tmp_path, family, folder, key, mistake):
    """Session 24: no row swept step 47's functions, MultiLayerNetExtend or MiniFlow's quiz stages, and no
    driver called them. Each known-mistake sample (one line changed from the row's source) now drives
    differently from the source, which drives like itself."""
    sweep = bench_tools.module("mutation.sweep")
    text = (REPO / "submissions" / folder / key).read_text("utf-8")
    original = sweep.drive(family, key, text, tmp_path, "original")
    assert sweep.compare(original, sweep.drive(family, key, text, tmp_path, "again")) == (True, False)
    inner = key.partition("/")[2]
    wrong = (
        REPO / "submissions" / folder / mistake / inner if inner else REPO / "submissions" / folder / mistake
    )
    assert (
        sweep.compare(original, sweep.drive(family, key, wrong.read_text("utf-8"), tmp_path, "wrong"))[0]
        is False
    )


def test_double_backprop_driver_sees_a_backward_on_data(bench_tools, tmp_path):
    """Step 36 (z = gx**3 + y through create_graph): Mul.backward computing on the inputs' .data (sample
    book_step36_mul_on_data) makes the drivers' double_backprop scenario differ on step 38's core.py."""
    sweep = bench_tools.module("mutation.sweep")
    key = "book_step38/dezero/core.py"
    text = (REPO / "submissions" / "dezero" / key).read_text("utf-8")
    wrong = text.replace(
        "        x0, x1 = self.inputs\n        return gy * x1, gy * x0",
        "        x0, x1 = self.inputs[0].data, self.inputs[1].data\n        return gy * x1, gy * x0",
    )
    assert wrong != text
    original = sweep.drive("dezero-step36", key, text, tmp_path, "original")
    got = sweep.drive("dezero-step36", key, wrong, tmp_path, "wrong")
    assert got["double_backprop"] != original["double_backprop"]
