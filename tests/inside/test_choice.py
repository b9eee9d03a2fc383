"""Which files the loader imports (grader/inside/choice.py): preferred first, one of each one_of group."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from grader.inside import choice

SAMPLES = Path(__file__).resolve().parents[2] / "submissions" / "miniflow"

STEPS = ("steps/step18.py", "steps/step17.py", "steps/step14.py", "steps/step09.py")


def test_only_the_first_alternative_present_is_kept() -> None:
    """A group's first member the submission has (the latest step) is graded; every other member present is
    set aside, naming it. Files outside the group are never set aside (control)."""
    files = ["notes.py", "steps/step09.py", "steps/step14.py", "steps/step17.py", "helpers.py"]
    aside = choice.set_aside(files, [STEPS])
    assert aside == {"steps/step09.py": "steps/step17.py", "steps/step14.py": "steps/step17.py"}
    assert choice.set_aside(files, []) == {}
    assert choice.set_aside(["steps/step09.py", "helpers.py"], [STEPS]) == {}  # one alternative: kept


def test_members_are_found_one_folder_down() -> None:
    """`hw3/steps/step18.py` is the manifest's steps/step18.py, as preferred names are."""
    aside = choice.set_aside(["hw3/steps/step18.py", "hw3/steps/step09.py"], [STEPS])
    assert aside == {"hw3/steps/step09.py": "hw3/steps/step18.py"}
    assert choice.member("hw3/steps/step18.py", "steps/step18.py")
    assert not choice.member("hw3/mysteps/step18.py", "steps/step18.py")


def test_candidates_put_preferred_names_first() -> None:
    order = choice.candidates(["a.py", "hw/layers.py", "b.py", "x.py"], ["layers.py", "a.py"], ["x.py"])
    assert order == ["hw/layers.py", "a.py", "b.py"]


def test_the_latest_step_wins_whatever_its_folder() -> None:
    """The manifest lists each step in both places, latest first (steps/step18.py, step18.py, steps/step17.py,
    ...): a top-level step18.py beats a leftover steps/step09.py."""
    group = [name for n in (18, 17, 9) for name in (f"steps/step{n:02d}.py", f"step{n:02d}.py")]
    assert choice.set_aside(["step18.py", "steps/step09.py"], [group]) == {"steps/step09.py": "step18.py"}
    assert choice.set_aside(["steps/step18.py", "step09.py"], [group]) == {"step09.py": "steps/step18.py"}


def test_a_step_is_known_by_its_number_however_it_is_spelt() -> None:
    """step_18.py, steps/step9.py, Step-014.py are steps 18, 9 and 14: the latest is graded. Control: a file
    that only looks alike (steps.py, mystep18.py) is no step file and is never set aside."""
    group = [name for n in (18, 14, 9) for name in (f"steps/step{n:02d}.py", f"step{n:02d}.py")]
    files = ["step_18.py", "steps/step9.py", "Step-014.py", "steps.py", "mystep18.py"]
    assert choice.set_aside(files, [group]) == {"steps/step9.py": "step_18.py", "Step-014.py": "step_18.py"}


def test_a_bare_preferred_name_takes_the_file_a_longer_preferred_name_names() -> None:
    """The book's repository has chapter 4's TwoLayerNet (numerical gradients, a sigmoid) in
    ch04/two_layer_net.py beside chapter 5's: the manifest's `two_layer_net.py`, before its
    `ch05/two_layer_net.py`, must find chapter 5's, not the first folder in alphabetical order. Control: with
    no longer name naming any of them, the first found one folder down is still taken (`hw/layers.py`)."""
    files = ["ch04/two_layer_net.py", "ch05/layer_naive.py", "ch05/two_layer_net.py", "common/layers.py"]
    preferred = ["layers.py", "common/layers.py", "layer_naive.py", "ch05/layer_naive.py", "two_layer_net.py"]
    order = choice.candidates(files, [*preferred, "ch05/two_layer_net.py"], [])
    chapter5 = ["common/layers.py", "ch05/layer_naive.py", "ch05/two_layer_net.py"]
    assert order == [*chapter5, "ch04/two_layer_net.py"]
    assert choice.candidates(["hw2/layers.py", "hw3/layers.py"], ["layers.py"], [])[0] == "hw2/layers.py"


QUIZ_ADD = b"class Neuron:\n    pass\n\n\nclass Input(Neuron):\n    pass\n\n\n" + (
    b"def topological_sort(feed_dict):\n    pass\n"
)
SGD = b"class Node:\n    pass\n\n\nclass Input(Node):\n    pass\n\n\nclass Linear(Node):\n    pass\n\n\n" + (
    b"def topological_sort(feed_dict):\n    pass\n\n\ndef sgd_update(trainables):\n    pass\n"
)
MINIFLOW = ("miniflow.py",), ("Input", "Linear", "topological_sort"), ("sgd_update", "Node")


def test_copies_of_a_preferred_file_in_several_folders_are_versions_of_one_program() -> None:
    """A lesson kept quiz by quiz: the copy defining the most required names is graded, whatever its folder's
    place in the alphabet, and every copy whose required names it defines too is set aside. Controls: a copy
    defining a required name the graded one lacks (another part: ch06's Dropout beside ch07's Convolution)
    is kept; one copy alone, or a file a longer preferred name names (ch05/two_layer_net.py), is no copy."""
    files = {"a_sgd/miniflow.py": SGD, "b_add/miniflow.py": QUIZ_ADD, "nn.py": b"from miniflow import *\n"}
    assert choice.copies(files, *MINIFLOW) == {"b_add/miniflow.py": "a_sgd/miniflow.py"}
    assert choice.copies({"quiz1/miniflow.py": QUIZ_ADD, "quiz7/miniflow.py": SGD}, *MINIFLOW) == {
        "quiz1/miniflow.py": "quiz7/miniflow.py"
    }
    assert choice.copies({"miniflow.py": SGD}, *MINIFLOW) == {}
    parts = {"ch06/layers.py": b"class Relu:\n    pass\nclass Dropout:\n    pass\n"}
    parts["ch07/layers.py"] = (
        b"class Relu:\n    pass\nclass Convolution:\n    pass\nclass Pooling:\n    pass\n"
    )
    assert choice.copies(parts, ["layers.py"], ["Dropout", "Convolution", "Pooling"], ["Relu"]) == {}
    nets = {
        "ch04/two_layer_net.py": b"class TwoLayerNet:\n    pass\n",
        "ch05/two_layer_net.py": b"class TwoLayerNet:\n    pass\n",
    }
    preferred = ["two_layer_net.py", "ch05/two_layer_net.py"]
    assert choice.copies(nets, preferred, ["TwoLayerNet"], []) == {}


def test_a_copy_at_the_manifests_own_path_wins_a_tie() -> None:
    """`miniflow.py` beside a leftover `backup/miniflow.py` defining the same required names: the file the
    manifest names is graded (it was imported first before copies were set aside), whatever the alphabet
    says; the backup is set aside only when it defines nothing the graded file lacks (control: with an
    sgd_update of its own it still runs, for that name, as before)."""
    assert choice.copies({"backup/miniflow.py": SGD, "miniflow.py": SGD}, *MINIFLOW) == {
        "backup/miniflow.py": "miniflow.py"
    }
    no_sgd = SGD.replace(b"def sgd_update", b"def _sgd_update")
    assert choice.copies({"backup/miniflow.py": SGD, "miniflow.py": no_sgd}, *MINIFLOW) == {}


def test_the_rest_runs_the_file_defining_the_most_required_names_first() -> None:
    """A folder of quiz files, each a whole program (quiz1_add.py ... quiz7_sgd.py), none with the expected
    name: the one defining the most required names comes first, so every name comes from it; among equals
    the files keep their order (control: without weights, the order is the files' own)."""
    files = ["quiz1_add.py", "quiz2_linear.py", "quiz7_sgd.py", "nn.py"]
    required, aliases = MINIFLOW[1], {"Node": ("Neuron", "Layer")}
    sources = {"quiz1_add.py": QUIZ_ADD, "quiz2_linear.py": b"class Linear:\n    pass\n", "quiz7_sgd.py": SGD}
    weight = {f: choice.required_defined(sources.get(f, b""), required, aliases) for f in files}
    assert weight == {"quiz1_add.py": 2, "quiz2_linear.py": 1, "quiz7_sgd.py": 3, "nn.py": 0}
    order = choice.candidates(files, ["miniflow.py"], [], weight)
    assert order == ["quiz7_sgd.py", "quiz1_add.py", "quiz2_linear.py", "nn.py"]
    assert choice.candidates(files, ["miniflow.py"], []) == files


def test_of_files_defining_as_many_required_names_the_later_version_runs_first() -> None:
    """dezero_step14.py and dezero_step18.py (not step files by name: the prefix) both define Variable,
    Function, Square, Add: step 18 runs first, by the last number of its name, and step 14's classes are not
    graded as step 18's. Control: a file defining more required names comes first whatever its number."""
    files = ["dezero_step14.py", "dezero_step18.py", "helpers2.py"]
    weight = {"dezero_step14.py": 6, "dezero_step18.py": 6, "helpers2.py": 0}
    assert choice.candidates(files, ["dezero.py"], [], weight)[:2] == ["dezero_step18.py", "dezero_step14.py"]
    weight["dezero_step14.py"] = 7
    assert choice.candidates(files, ["dezero.py"], [], weight)[:2] == ["dezero_step14.py", "dezero_step18.py"]


def test_of_copies_defining_as_much_one_named_as_an_old_copy_is_set_aside() -> None:
    """`backup/miniflow.py` and `lesson/miniflow.py` define the same names: the lesson's copy is graded and
    the reason says why, where the alphabet graded the backup with "it defines the most". Controls: a backup
    defining more required names is still graded (what is defined comes first), and two copies neither
    named old keep path order, said to be the only reason."""
    pair = {"backup/miniflow.py": SGD, "lesson/miniflow.py": SGD}
    assert choice.copies(pair, *MINIFLOW) == {"backup/miniflow.py": "lesson/miniflow.py"}
    why = choice.copy_reason("lesson/miniflow.py", ["backup/miniflow.py"], pair, *MINIFLOW)
    assert why == "the others are named as old copies or backups, and define no more"
    complete = {"backup/miniflow.py": SGD, "lesson/miniflow.py": QUIZ_ADD}
    assert choice.copies(complete, *MINIFLOW) == {"lesson/miniflow.py": "backup/miniflow.py"}
    why = choice.copy_reason("backup/miniflow.py", ["lesson/miniflow.py"], complete, *MINIFLOW)
    assert why == "it defines the most of what the assignment grades"
    plain = {"lesson/miniflow.py": SGD, "project/miniflow.py": SGD}
    assert choice.copies(plain, *MINIFLOW) == {"project/miniflow.py": "lesson/miniflow.py"}
    why = choice.copy_reason("lesson/miniflow.py", ["project/miniflow.py"], plain, *MINIFLOW)
    assert why == "the others define as much: it is the first by name"


def test_the_reason_for_a_copy_named_in_another_case_is_the_one_copies_used() -> None:
    """`MiniFlow.py` (macOS, Windows) beside `old/miniflow.py`, defining as much: `copies` groups them in any
    case and grades MiniFlow.py because the other is named as an old copy; the reason said "it is the file the
    assignment names", which neither is exactly. Control: beside `lesson/miniflow.py` (no old copy), the
    manifest's own name is the reason."""
    files = {"MiniFlow.py": SGD, "old/miniflow.py": SGD}
    assert choice.copies(files, *MINIFLOW) == {"old/miniflow.py": "MiniFlow.py"}
    why = choice.copy_reason("MiniFlow.py", ["old/miniflow.py"], files, *MINIFLOW)
    assert why == "the others are named as old copies or backups, and define no more"
    files = {"miniflow.py": SGD, "lesson/miniflow.py": SGD}
    assert choice.copies(files, *MINIFLOW) == {"lesson/miniflow.py": "miniflow.py"}
    why = choice.copy_reason("miniflow.py", ["lesson/miniflow.py"], files, *MINIFLOW)
    assert (
        why
        == "it is the file the assignment names, at the top of the submission, and the others define no more"
    )


def test_old_copies_are_known_by_whole_words_in_any_folder() -> None:
    """Backups and copies as editors, file managers and people name them, in English and in the languages
    whose file managers use their own word; a word inside another (holdout, copyright, bold) is no mark."""
    for path in (
        "backup/miniflow.py",
        "miniflow_old.py",
        "Old/hw2/miniflow.py",
        "miniflow - Copy.py",
        "Copy of miniflow.py",
        "miniflow copy.py",
        "miniflow.bak.py",
        "miniflow - コピー.py",
        "miniflow - 副本.py",
        "archive/2023/layers.py",
    ):
        assert choice.old_copy(path), path
    for path in ("miniflow.py", "holdout/miniflow.py", "copyright_x.py", "bold/nn.py", "miniflow_v2.py"):
        assert not choice.old_copy(path), path


def test_of_files_defining_as_many_an_old_copy_runs_after_the_other() -> None:
    """No preferred name: `miniflow_old.py` and `miniflow_new.py` (or `miniflow (1).py`) define as many
    required names; the old copy runs after, whatever the alphabet or its number says. Control: an old copy
    defining more runs first."""
    files = ["miniflow_new.py", "miniflow_old2.py"]
    weight = {"miniflow_new.py": 6, "miniflow_old2.py": 6}
    assert choice.candidates(files[::-1], ["miniflow.py"], [], weight) == files
    weight["miniflow_old2.py"] = 7
    assert choice.candidates(files, ["miniflow.py"], [], weight) == files[::-1]


def test_a_stage_with_a_step_number_grades_its_own_step_file_first() -> None:
    """Stage step18 on a repository with steps 14, 18 and 22: step 18's files come first (the step-18
    assignment was graded on step22.py, the latest); a stage between steps takes the next one up (step16:
    step 18), one past every step the latest (step30: step 22); a stage without a step number, or none,
    leaves the groups as the manifest has them (the latest first)."""
    group = ["steps/step22.py", "step22.py", "steps/step18.py", "step18.py", "steps/step14.py", "step14.py"]
    files = ["steps/step14.py", "steps/step18.py", "steps/step22.py"]

    def graded(stage: str | None) -> str:
        aside = choice.set_aside(files, choice.for_stage([group], stage))
        (kept,) = [f for f in files if f not in aside]
        return kept

    assert choice.for_stage([group], "step18")[0][:2] == ["steps/step18.py", "step18.py"]
    assert graded("step18") == "steps/step18.py"
    assert graded("step16") == "steps/step18.py"
    assert graded("step14") == "steps/step14.py"
    assert graded("step30") == "steps/step22.py"
    assert graded(None) == graded("layers") == graded("default") == "steps/step22.py"


STARTER = b'''class Linear(Node):
    def forward(self):
        """Compute the output."""
        # TODO: your code here
        pass

    def backward(self):
        raise NotImplementedError("the Linear quiz")

    def update(self, rate): ...


def sgd_update(trainables,
               learning_rate=1e-2):
    ...
'''
WORK = b"""class Linear(Node):
    def forward(self):
        \"\"\"Compute the output.\"\"\"
        X, W, b = self.inbound
        self.value = X @ W + b

    def backward(self):
        pass  # nothing to do until the quiz asks
        self.gradients = {}

    def update(self, rate): return rate


def sgd_update(trainables, learning_rate=1e-2):
    for t in trainables:
        t.value -= learning_rate * t.gradients[t]
"""


def test_stub_bodies_are_functions_left_for_the_student() -> None:
    """`pass`, `...` and `raise NotImplementedError` bodies, with a docstring, a TODO comment, a signature
    over two lines or on the def's own line, are stubs: 4 in the starter; the course's starter has 3
    (Node.forward, Node.backward, Input.forward) and a TODO block (below), and the finished sample
    correct.py has the same 3, which it keeps
    (Node's two `raise NotImplementedError`, Input.forward's `pass`). Controls: a body with code after its
    `pass`, a one-line body that returns, and the finished lesson count none."""
    assert choice.stub_bodies(STARTER) == 4
    assert choice.stub_bodies(WORK) == 0
    assert choice.stub_bodies((SAMPLES / "course_quiz_starter.py").read_bytes()) == 4
    assert choice.stub_bodies((SAMPLES / "correct.py").read_bytes()) == 3


def test_a_block_ending_in_a_todo_string_is_left_for_the_student() -> None:
    """The course starter's Sigmoid.backward ends its loop in `\"\"\"TODO: Your code goes here!\"\"\"`
    after the loop's first line: one place left to write (the starter counts 4 against correct.py's 3).
    Controls: the same string with the work written after it, and a docstring (a block's first
    statement), count none."""
    todo = b"def backward(self):\n    for n in self.outbound_nodes:\n        g = n.gradients[self]\n"
    todo += b'        """TODO"""\n'
    assert choice.stub_bodies(todo) == 1
    assert choice.stub_bodies(todo + b"        self.gradients[n] += g\n") == 0
    assert choice.stub_bodies(b'class A:\n    """Doc."""\n\n\nx = 1\n') == 0


# Udacity's starter writes each docstring over several lines, its closing quotes alone on their line: the
# line reader swallowed the rest of the file from there and counted no stub at all.
UDACITY_STARTER = b'''class Linear(Node):
    def forward(self):
        """
        Set the value of this node.

        Your code goes here!
        """
        pass

    def backward(self):
        \'\'\'
        Compute gradients. \'\'\'
        raise NotImplementedError("the quiz")


class MSE(Node):
    def forward(self):
        """
        The mean squared error.
        """
        self.value = np.mean(self.diff**2)

    def backward(self):
        """Calculates the gradient of the cost."""
        ...
'''
UDACITY_WORK = UDACITY_STARTER.replace(b"        pass\n", b"        self.value = X @ W + b\n")


def test_stub_bodies_read_docstrings_over_several_lines() -> None:
    """Each docstring+placeholder body of the Udacity-style starter is one stub (3: MSE.forward computes).
    The reviewer's stubsub pair: zz/miniflow.py is the finished aa/ with the starter's docstrings and MSE's
    backward left as `pass` (4 stubs against aa's 3): the work is aa, whatever the alphabet says (zz was
    graded, 8 of 15), and named the other way round the work is still the one graded. Control: the same file
    with Linear.forward written counts one fewer."""
    assert choice.stub_bodies(UDACITY_STARTER) == 3
    assert choice.stub_bodies(UDACITY_WORK) == 2
    pair = {"aa/miniflow.py": UDACITY_WORK, "zz/miniflow.py": UDACITY_STARTER}
    assert choice.copies(pair, *MINIFLOW) == {"zz/miniflow.py": "aa/miniflow.py"}
    reversed_pair = {"aa/miniflow.py": UDACITY_STARTER, "zz/miniflow.py": UDACITY_WORK}
    assert choice.copies(reversed_pair, *MINIFLOW) == {"aa/miniflow.py": "zz/miniflow.py"}


def test_stub_bodies_of_a_file_cut_short_count_what_was_read() -> None:
    """The loader reads a file's first MiB: a file cut inside a string, or not Python at all, counts the
    stubs before the cut and never raises. Control: a body of only a docstring is a stub, one with a nested
    block is not."""
    assert choice.stub_bodies(b'def f():\n    pass\n\ndef g():\n    """cut') == 1
    assert choice.stub_bodies(b"\xff\xfe def f(:\n") == 0
    assert choice.stub_bodies(b'def f():\n    """Only a docstring."""\n') == 1
    assert choice.stub_bodies(b"def f(x):\n    if x:\n        pass\n") == 0


def test_of_files_defining_as_many_the_one_with_fewer_stubs_runs_first() -> None:
    """Colab's "Save a copy in Drive" makes `Copy of MiniFlow.ipynb`, the notebook the student works in,
    beside the starter MiniFlow.ipynb of stubs: the copy runs first ("copy" alone is no proof of an older
    file; the starter was graded, 11.5 of 15). Control: with as many stubs (both finished: sample
    colab_copy_of_notebook), the file not named as a copy still runs first."""
    files = ["Colab Notebooks/Copy of MiniFlow.py", "Colab Notebooks/MiniFlow.py"]
    weight = dict.fromkeys(files, 6)
    stubs = {files[0]: 0, files[1]: 3}
    assert choice.candidates(files[::-1], ["miniflow.py"], [], weight, stubs) == files
    assert choice.candidates(files, ["miniflow.py"], [], weight, dict.fromkeys(files, 0)) == files[::-1]


def test_of_copies_defining_as_much_the_one_with_fewer_stubs_is_graded() -> None:
    """`lesson/miniflow.py` left as the starter's stubs beside `Copy of lesson/miniflow.py`, the work: the
    copy is graded and the reason says why. Control: as many stubs, the copy is set aside as before."""
    stubbed = SGD + b"\n\ndef forward_and_backward(graph):\n    raise NotImplementedError\n"
    done = SGD + b"\n\ndef forward_and_backward(graph):\n    return graph\n"
    pair = {"lesson/miniflow.py": stubbed, "Copy of lesson/miniflow.py": done}
    assert choice.copies(pair, *MINIFLOW) == {"lesson/miniflow.py": "Copy of lesson/miniflow.py"}
    why = choice.copy_reason("Copy of lesson/miniflow.py", ["lesson/miniflow.py"], pair, *MINIFLOW)
    assert (
        why
        == "the others leave more functions as stubs (pass, raise NotImplementedError), and define no more"
    )
    same = {"lesson/miniflow.py": done, "Copy of lesson/miniflow.py": done}
    assert choice.copies(same, *MINIFLOW) == {"Copy of lesson/miniflow.py": "lesson/miniflow.py"}


def test_the_stubs_of_every_tied_copy_are_counted_each_content_once() -> None:
    """A hostile zip of many copies of one 128 KiB file tied them all, and each copy's stubs were counted
    (the tokenizer: ~40 ms a copy in the parent, then again for the reason). Each distinct content is
    counted once, and every copy of the tie is: the work at `z/`, past 40 copies of the starter by path, is
    graded (session 33 counted the first eight by path alone: z/ was never counted and set aside). Control:
    two tied copies, the one with fewer stubs graded."""
    work = b"class Node:\n    def forward(self):\n        return 1\n"
    starter = b"class Node:\n    def forward(self):\n        pass\n"
    files = {f"c{i:03d}/miniflow.py": starter for i in range(40)}
    files["z/miniflow.py"] = work
    calls: list[bytes] = []
    real = choice.stub_bodies
    choice._STUB_CACHE.clear()
    try:
        choice.stub_bodies = lambda source: calls.append(source) or real(source)  # type: ignore[assignment]
        aside = choice.copies(files, ["miniflow.py"], ["Node"], [])
    finally:
        choice.stub_bodies = real  # type: ignore[assignment]
    assert sorted(calls) == sorted([starter, work])  # two contents, each counted once (review of review32)
    assert aside == {f"c{i:03d}/miniflow.py": "z/miniflow.py" for i in range(40)}
    two = {"a/miniflow.py": starter, "b/miniflow.py": work}
    assert choice.copies(two, ["miniflow.py"], ["Node"], []) == {"a/miniflow.py": "b/miniflow.py"}


def test_of_twelve_lesson_copies_the_finished_one_is_graded_though_it_sorts_last() -> None:
    """A lesson repository kept quiz by quiz: `quiz01/` to `quiz11/` hold the starter's miniflow.py (each
    with the quiz's own note: eleven distinct contents, all defining the required names as stubs), and
    `quiz12/miniflow.py`, last by path, the finished work. It is graded, with the stubs' reason: the first
    eight by path alone were counted (MAX_STUB_COUNTS, session 33), quiz12's stubs never were, and a
    starter was graded over it."""
    stubbed = SGD + b"\n\ndef forward_and_backward(graph):\n    raise NotImplementedError\n"
    done = SGD + b"\n\ndef forward_and_backward(graph):\n    return graph\n"
    files = {f"quiz{i:02d}/miniflow.py": stubbed + b"# quiz %d\n" % i for i in range(1, 12)}
    files["quiz12/miniflow.py"] = done
    assert sorted(files)[-1] == "quiz12/miniflow.py"
    aside = choice.copies(files, *MINIFLOW)
    assert aside == {f"quiz{i:02d}/miniflow.py": "quiz12/miniflow.py" for i in range(1, 12)}
    why = choice.copy_reason("quiz12/miniflow.py", list(aside), files, *MINIFLOW)
    assert (
        why
        == "the others leave more functions as stubs (pass, raise NotImplementedError), and define no more"
    )


def test_a_copy_of_a_preferred_name_is_found_in_any_case() -> None:
    """`MiniFlow.py` (macOS and Windows ignore case; the lesson's nn.py imports it as `from MiniFlow import
    *`) is a copy of the manifest's miniflow.py: compared exactly, a repository's `_old/miniflow.py` was the
    preferred file and graded over it. Controls: another name is no copy; a lone case variant is not made a
    preferred file (candidates keep the exact match)."""
    assert choice.copy_member("miniflow/MiniFlow.py", "miniflow.py")
    assert choice.copy_member("MINIFLOW.py", "miniflow.py")
    assert not choice.copy_member("miniflow (1).py", "miniflow.py")
    assert not choice.copy_member("my_miniflow.py", "miniflow.py")
    assert not choice.member("miniflow/MiniFlow.py", "miniflow.py")
    body = b"class Node:\n    pass\nclass Input(Node):\n    pass\n"
    files = {"miniflow/MiniFlow.py": body, "miniflow/_old/miniflow.py": body}
    aside = choice.copies(files, ["miniflow.py"], ["Node", "Input"], [])
    assert aside == {"miniflow/_old/miniflow.py": "miniflow/MiniFlow.py"}
    # of two copies alike and neither old, the file at the manifest's own path wins the tie
    files = {"miniflow.py": body, "hw/MiniFlow.py": body}
    assert choice.copies(files, ["miniflow.py"], ["Node", "Input"], []) == {"hw/MiniFlow.py": "miniflow.py"}


IN_BLOCKS = b'''"""A lesson file kept in one block."""
try:
    import numpy as np
except ImportError:
    raise SystemExit("MiniFlow needs numpy")

if True:
    class Input:
        pass

    class Linear:
        """Older version, kept quoted out below."""

    def topological_sort(feed_dict):
        return []
if __name__ != "__main__":
    def forward_and_backward(graph):
        pass
if __name__ == "__main__":
    class Demo:
        pass
'''


def test_definitions_python_binds_under_top_level_blocks_are_read() -> None:
    """`module_defs` reads what Python binds on import: the classes under `if True:` after a `try: import
    numpy` (they were read as none, only unindented lines counting), under `if __name__ != "__main__":` too,
    never under the main guard, with each one's line. Control: the unindented file defines the same."""
    defs = choice.module_defs(IN_BLOCKS)
    assert list(defs) == ["Input", "Linear", "topological_sort", "forward_and_backward"]
    assert defs["Linear"] == [("class", 11)] and defs["forward_and_backward"] == [("function", 17)]
    flat = b"class Input:\n    pass\nclass Linear:\n    pass\ndef topological_sort(f):\n    pass\n"
    assert set(choice.module_defs(flat)) == {"Input", "Linear", "topological_sort"}
    assert choice.required_defined(IN_BLOCKS, ["Input", "Linear", "MSE"], {}) == 2


def test_a_definition_inside_a_triple_quoted_string_is_text() -> None:
    """A `class X` line inside a triple-quoted string, at the top (an older version quoted out) or indented
    under a top-level `if`, is no definition (it counted, and ran a file as one defining X); a quote in a
    comment, an escaped quote, a single-quoted string holding `'''` end nothing. Control: the same lines
    outside the string are definitions."""
    quoted = (
        b'# a comment with a """ in it\n'
        b"NOTE = 'a single string with ''' inside'\n"
        b'OLD = """\n'
        b"class Linear:\n"
        b'    an escaped \\""" is no end\n'
        b'"""\n'
        b"if True:\n"
        b"    TEXT = '''\n"
        b"    class Sigmoid:\n"
        b"    '''\n"
        b"    class MSE:\n"
        b"        pass\n"
        b"class Input:\n"
        b"    pass\n"
    )
    assert choice.module_defs(quoted) == {"MSE": [("class", 11)], "Input": [("class", 13)]}
    assert choice.string_lines(quoted.decode()) == {4, 5, 6, 9, 10}
    unquoted = quoted.replace(b'OLD = """', b"OLD = 1").replace(b'\n"""\n', b"\n\n")
    unquoted = unquoted.replace(b'\\""" is no end', b"pass")
    assert "Linear" in choice.module_defs(unquoted)
    assert choice.string_lines("class A:\n    pass\n") == frozenset()


def test_copies_are_ranked_on_what_python_binds() -> None:
    """Two versions of miniflow.py: the add quiz, and the finished lesson with every class under `if True:`
    (sample lesson_folders_if_true/): the finished one is graded. It defined nothing read as text, and the add
    quiz was graded in its place."""
    files = {"01_add/miniflow.py": QUIZ_ADD, "07_sgd/miniflow.py": SGD.replace(b"\n", b"\n    ")}
    files["07_sgd/miniflow.py"] = b"if True:\n    " + files["07_sgd/miniflow.py"]
    assert choice.copies(files, *MINIFLOW) == {"01_add/miniflow.py": "07_sgd/miniflow.py"}


def test_definitions_under_if_false_are_not_bound() -> None:
    """A block switched off by hand (`if False:`, `if 0:` holding an older Linear) binds nothing on import: it
    was read as defining Linear. Its `else:` branch does bind; control: `if True:` binds."""
    off = b"if False:\n    class Linear:\n        pass\nelse:\n    class Sigmoid:\n        pass\n"
    assert dict(choice.module_defs(off)) == {"Sigmoid": [("class", 5)]}
    assert "Linear" not in choice.module_defs(off.replace(b"if False:", b"if 0:"))
    assert "Linear" in choice.module_defs(off.replace(b"if False:", b"if True:"))
    assert choice.required_defined(off, ["Linear", "Sigmoid"], {}) == 1


def _reads(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    """The sizes of the sources `choice.module_defs` reads from now on."""
    sizes: list[int] = []
    reads = choice.module_defs

    def counted(source: bytes) -> dict[str, list[tuple[str, int]]]:
        sizes.append(len(source))
        return reads(source)

    monkeypatch.setattr(choice, "module_defs", counted)
    monkeypatch.setattr(choice, "_DEFS_CACHE", {})  # nothing read by an earlier test
    return sizes


# A top-level `if` block of 2-byte lines, ~41 KiB: the 8 MiB / 200-file cap in 199 copies; `module_defs` walks
# it line by line at ~0.65 us a byte in the parent (review of session 31: +5 s a submission)
HOSTILE = (b'"""x"""\nif x:\n' + b" a\n" * 14_000)[: 8 * 1024 * 1024 // 199 - 8]


def test_identical_copies_are_read_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """199 copies of one hostile miniflow.py: its definitions are read once (it was 199 reads, ~5 s of the
    parent's CPU; then once for `copies` and once for `copy_reason`, until session 34 kept the readings),
    and the choice is as before: the first by path."""
    files = {f"c{i:03d}/miniflow.py": HOSTILE for i in range(199)}
    sizes = _reads(monkeypatch)
    aside = choice.copies(files, ["miniflow.py"], ["Input", "Linear"], [])
    assert aside == {}  # it defines no required name: nothing is a copy of it, as before
    files["c000/miniflow.py"] = HOSTILE + b"\nclass Input:\n    pass\n"
    aside = choice.copies(files, ["miniflow.py"], ["Input", "Linear"], [])
    assert aside == {f"c{i:03d}/miniflow.py": "c000/miniflow.py" for i in range(1, 199)}
    why = choice.copy_reason("c000/miniflow.py", list(aside), files, ["miniflow.py"], ["Input", "Linear"], [])
    assert why == "it defines the most of what the assignment grades"
    assert len(sizes) == 1 + 1  # one content, then the new one: the reason reads none again


def test_distinct_hostile_copies_past_the_budget_are_all_read_by_the_regex(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """199 different hostile copies (~3 million `read_steps`): `module_defs` reads none of them (it read all
    8 MiB, ~5 s of the parent's CPU); every copy is read by the unindented regex, as before session 31, and
    the copy defining the required names unindented is still graded, whatever its place. Nine of them fit in
    `COPY_READ_BUDGET`: each is read by `module_defs`, once."""
    files = {f"c{i:03d}/miniflow.py": HOSTILE + b"\n#%d\n" % i for i in range(199)}
    files["c150/miniflow.py"] += b"class Input:\n    pass\n"
    sizes = _reads(monkeypatch)
    aside = choice.copies(files, ["miniflow.py"], ["Input", "Linear"], [])
    assert set(aside.values()) == {"c150/miniflow.py"} and len(aside) == 198
    assert sizes == []
    few = {f: files[f] for f in sorted(files)[145:154]}
    assert sum(map(choice.read_steps, few.values())) <= choice.COPY_READ_BUDGET
    aside = choice.copies(few, ["miniflow.py"], ["Input", "Linear"], [])
    assert set(aside.values()) == {"c150/miniflow.py"} and len(aside) == 8
    assert len(sizes) == 9


def test_the_reason_reads_each_copy_as_the_choice_did() -> None:
    """Which way the copies are read depends on the submission, never on the files asked about: past the
    budget, the copy whose Linear sits under `if True:` defines Input alone, for `copies` and `copy_reason`
    alike (read alone, it defines Linear too, and the reason could disagree with the choice)."""
    filler = b"class Input:\n    pass\n" + b"#\n" * (choice.COPY_READ_BUDGET // 2)
    late = b"class Input:\n    pass\nif True:\n    class Linear:\n        pass\n"
    files = {"a/miniflow.py": filler, "b/miniflow.py": filler + b"\n", "z/miniflow.py": late}
    room = choice.copy_read_room(files, ["miniflow.py"])
    names = choice.copy_defs(files, "miniflow.py", ["miniflow.py"], files, room)
    assert names == {"a/miniflow.py": {"Input"}, "b/miniflow.py": {"Input"}, "z/miniflow.py": {"Input"}}
    assert choice.copy_defs(files, "miniflow.py", ["miniflow.py"], ["z/miniflow.py"], room) == {
        "z/miniflow.py": {"Input"}
    }
    alone = {"z/miniflow.py": late}
    room = choice.copy_read_room(alone, ["miniflow.py"])
    assert choice.copy_defs(alone, "miniflow.py", ["miniflow.py"], ["z/miniflow.py"], room) == {
        "z/miniflow.py": {"Input", "Linear"}
    }


# Two versions of one lesson's miniflow.py, each padded to ~600 KiB with the student's notes (over the 1 MiB
# of bytes s31-left's budget allowed the two): the finished one (Node.forward a stub, as the course's) and an
# older one whose Sigmoid and MSE are quoted out (Python binds neither).
_NOTES = b"# notes from the lecture, kept beside the code, line after line of them\n" * 8_500
_FINISHED = (
    b"class Node:\n    def forward(self):\n        raise NotImplementedError\n"
    + b"".join(b"class %s(Node):\n    def forward(self):\n        self.value = 1\n" % n
               for n in (b"Input", b"Linear", b"Sigmoid", b"MSE"))
    + _NOTES
)  # fmt: skip
_QUOTED_OUT = (
    b"class Node:\n    pass\nclass Input(Node):\n    pass\nclass Linear(Node):\n    pass\n"
    b'"""\nclass Sigmoid(Node):\n    pass\nclass MSE(Node):\n    pass\n"""\n' + _NOTES
)


@pytest.mark.parametrize("folders", [("a", "b"), ("b", "a")], ids=["finished first", "finished last"])
def test_the_copy_graded_does_not_depend_on_the_folders_names(folders: tuple[str, str]) -> None:
    """Review of s31-left: its budget, spent in path order, read the first copy by `module_defs` and the
    second by the unindented regex, which counts the quoted-out Sigmoid and MSE; the older copy then tied
    the finished one and won on stub bodies when it came second (graded, it loses every Sigmoid and MSE
    case). Both are read alike now: the finished copy is graded, wherever it is."""
    finished, older = (f"{folder}/miniflow.py" for folder in folders)
    files = {finished: _FINISHED, older: _QUOTED_OUT}
    assert sum(map(len, files.values())) > 1024 * 1024
    required = ["Input", "Linear", "Sigmoid", "MSE"]
    assert choice.copies(files, ["miniflow.py"], required, []) == {older: finished}


def _stub_reads(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    """The sizes of the sources `choice.stub_bodies` tokenises from now on (its cache emptied)."""
    sizes: list[int] = []
    reads = choice.stub_bodies

    def counted(source: bytes) -> int:
        sizes.append(len(source))
        return reads(source)

    monkeypatch.setattr(choice, "stub_bodies", counted)
    monkeypatch.setattr(choice, "_STUB_CACHE", {})
    return sizes


# Eight distinct 128 KiB copies defining the required names, then a def every 12 bytes: all tied, so each
# one's stubs were counted (review32's finding 3: ~0.7 s of the tokenizer a copy here, for the choice and
# again for its reason)
_TIED = {
    f"c{i}/miniflow.py": b"class Input:\n    pass\nclass Linear:\n    pass\n#%d\n" % i
    + b"def f():\n x\n" * (128 * 1024 // 12)
    for i in range(8)
}


def test_the_stubs_of_tied_hostile_copies_are_read_within_a_budget(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Review of review32: the choice tokenised each of eight distinct tied 128 KiB copies whole (1 MiB) and
    its reason did it all again; now the choice reads `STUB_READ_BUDGET` bytes of them together, an equal
    share each, and its reason counts nothing more. The copy graded and the reason stay those of the
    submission, whatever the folders' order."""
    sizes = _stub_reads(monkeypatch)
    required = ["Input", "Linear"]
    aside = choice.copies(_TIED, ["miniflow.py"], required, [])
    assert set(aside.values()) == {"c0/miniflow.py"} and len(aside) == len(_TIED) - 1
    assert len(sizes) == len(_TIED) and sum(sizes) <= choice.STUB_READ_BUDGET, sizes
    why = choice.copy_reason("c0/miniflow.py", aside, _TIED, ["miniflow.py"], required, [])
    assert why == choice.copy_reasons()[-1]
    assert len(sizes) == len(_TIED), sizes  # the reason's counts are the choice's
    # the same contents in folders of the reverse order: the same counts, the same copy (its content) graded
    renamed = {f"c{len(_TIED) - 1 - i}/miniflow.py": source for i, source in enumerate(_TIED.values())}
    flipped = choice.copies(renamed, ["miniflow.py"], required, [])
    assert set(flipped.values()) == {"c0/miniflow.py"}
    assert len(sizes) == len(_TIED), sizes


def _three_ties() -> tuple[list[str], dict[str, bytes]]:
    """Three preferred names, each found in eight folders as distinct tied copies: 24 distinct readings."""
    preferred = ["miniflow.py", "layers.py", "functions.py"]
    files = {
        f"c{i}/{name}": b"class Input:\n    pass\nclass Linear:\n    pass\n# %s %d\n" % (name.encode(), i)
        for name in preferred
        for i in range(8)
    }
    return preferred, files


def test_the_stubs_of_three_ties_are_each_read_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The parent asks for a submission's copies three times (the job, the stage, the program) and then for
    each choice's reason: 24 distinct readings, each tokenised once. The cache held 16 readings (s32-lead2):
    the third tie evicted the first's, and every later asking tokenised all 24 again (96; with eight hostile
    copies of 128 KiB a tie, 3 MiB of the tokenizer instead of 768 KiB)."""
    sizes = _stub_reads(monkeypatch)
    preferred, files = _three_ties()
    required = ["Input", "Linear"]
    for _ in range(3):
        aside = choice.copies(files, preferred, required, [])
    assert len(aside) == 3 * 7
    others: dict[str, list[str]] = {}
    for other, chosen in aside.items():
        others.setdefault(chosen, []).append(other)
    for chosen, rest in others.items():
        assert choice.copy_reason(chosen, rest, files, preferred, required, []) == choice.copy_reasons()[-1]
    assert len(sizes) == len(files), len(sizes)


def test_the_stub_counts_cache_holds_at_most_its_bytes(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """What the cache keeps is bounded by the bytes of the readings it holds, not by their number: ten ties
    of eight distinct 32 KiB readings (2.5 MiB) leave at most `_STUB_CACHE_BYTES` of them, the latest kept."""
    monkeypatch.setattr(choice, "stub_bodies", len)  # what is kept, not what is counted
    monkeypatch.setattr(choice, "_STUB_CACHE", {})
    for tie in range(10):
        files = {f"c{i}/miniflow.py": b"%d %d " % (tie, i) + b"x" * (32 << 10) for i in range(8)}
        assert choice.stub_counts(files, list(files)) == {f: 32 << 10 for f in files}
    held = choice._STUB_CACHE
    assert sum(map(len, held)) <= choice._STUB_CACHE_BYTES < 10 * choice.STUB_READ_BUDGET
    assert all(key.startswith(b"9 ") for key in list(held)[-8:])


def test_the_stubs_of_two_tied_copies_are_read_whole() -> None:
    """A starter and the work (a tie's usual two copies) are each read up to `_STUB_READ`, as before the
    budget: the finished copy padded to 100 KiB, past an equal share of eight, still counts its stub past
    that point, and the starter is set aside."""
    tail = b"def late():\n    pass\n"
    pad = b"x = 1\n" * (100 * 1024 // 6)
    work = WORK + pad + tail
    starter = STARTER + pad
    assert choice.stub_counts({"w": work, "s": starter}, ["w", "s"]) == {
        "w": choice.stub_bodies(work),
        "s": choice.stub_bodies(starter),
    }
    assert choice.stub_bodies(work) == choice.stub_bodies(WORK) + 1
    files = {"a/miniflow.py": starter, "b/miniflow.py": work}
    aside = choice.copies(files, ["miniflow.py"], ["Input", "Linear"], [])
    assert aside == {"a/miniflow.py": "b/miniflow.py"}


# Lines whose reading was quadratic in their length (review of review32): a comment of `#`s after a
# triple-quoted string (each `#` scanned to the line's end for a quote) and `if` then blanks (the main
# guard's `\s*\(?\s*`, `if False:`'s `\s*\)?\s*`, tried every split of them). 512 KiB each: hours.
_QUADRATIC = """
n = 512 * 1024
for source in (b'\"\"\"x\"\"\"\\n' + b'#' * n + b'\\n', b'if' + b' ' * n + b'x:\\n    pass\\n',
               b'if False' + b' ' * n + b'x\\n'):
    choice.module_defs(source)
print('read')
"""


def test_module_defs_reads_long_lines_in_linear_time() -> None:
    """Each line read by a bounded number of regex passes: the hostile lines above are read by a child
    limited to 20 s of CPU (a fraction of a second linear; hours quadratic: 16 KiB of them cost 1.3 s and
    3.2 s). Control: the same lines' meaning is kept (a main guard, `if False:`, a quote in a comment)."""
    root = str(Path(__file__).resolve().parents[2])

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (20, 20))

    done = subprocess.run(
        [sys.executable, "-c", "from grader.inside import choice\n" + _QUADRATIC],
        cwd=root,
        env={**os.environ, "PYTHONPATH": root},
        capture_output=True,
        text=True,
        preexec_fn=limit,
        check=False,
    )
    assert done.returncode == 0 and done.stdout == "read\n", done
    guarded = b"class A:\n    pass\nif  (  __name__ == '__main__'):\n    class B:\n        pass\n"
    assert set(choice.module_defs(guarded)) == {"A"}
    off = b"if ( False ) :\n    class B:\n        pass\nif True:\n    class C:\n        pass\n"
    assert set(choice.module_defs(off)) == {"C"}
    quoted = b"# it's\nx = '''\nclass D:\n'''\nclass E:\n    pass\n"
    assert set(choice.module_defs(quoted)) == {"E"}


def _many_ties(ties: int, size: int, finished_in: str) -> tuple[list[str], dict[str, bytes]]:
    """`ties` preferred names, each in two folders: a starter (its first method a stub) and the work (the same
    method written), then `size` bytes of the same text: the stub is in the first lines of each."""
    preferred = [f"part{tie}.py" for tie in range(ties)]
    work = b"class Input:\n    def forward(self):\n        return 1\nclass Linear:\n    pass\n"
    starter = b"class Input:\n    def forward(self):\n        pass\nclass Linear:\n    pass\n"
    padding = b"x = 1\n" * (size // 6)
    files = {}
    for tie, name in enumerate(preferred):
        for folder, head in ((finished_in, work), ("b" if finished_in == "a" else "a", starter)):
            files[f"{folder}/{name}"] = head + b"# %d\n" % tie + padding
    return preferred, files


def test_many_ties_are_read_within_the_submissions_budget_and_say_so(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Review of s33-rvtrust: each tie had `STUB_READ_BUDGET` of its own, so a submission of many ties was
    tokenised for all of them. Thirty ties of two 12 KiB copies read 720 KiB; now `SUBMISSION_STUB_BUDGET`
    in all (made 256 KiB here, for the test's time), an equal share each. The copy graded is still the
    finished one, whichever folder holds it, and the TA is told that the choice was cut short."""
    sizes = _stub_reads(monkeypatch)
    monkeypatch.setattr(choice, "SUBMISSION_STUB_BUDGET", 256 << 10)
    required = ["Input", "Linear"]
    for finished_in in ("a", "b"):  # the finished copies in the first folder, then in the second
        preferred, files = _many_ties(30, 12 << 10, finished_in)
        made = choice.choose_copies(files, preferred, required, [])
        starter = "b" if finished_in == "a" else "a"
        assert dict(made.aside) == {f"{starter}/{p}": f"{finished_in}/{p}" for p in preferred}
        why = choice.copy_reason(
            f"{finished_in}/part0.py", [f"{starter}/part0.py"], files, preferred, required, [], made
        )
        assert why.startswith(choice.copy_reasons()[1]) and "choice cut short" in why, why
    # the same contents in the other folders: the same heads read, the second time from the cache
    assert len(sizes) == 2 * 30 and sum(sizes) <= 256 << 10, sum(sizes)


def test_a_few_ties_are_read_whole_as_before(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Four ties of two 40 KB copies, a lesson kept in two folders: each copy read whole (as with a budget per
    tie), and no reason says the choice was cut short. Control: the stub is the file's last function, so a
    share of it would miss it and grade the starter."""
    sizes = _stub_reads(monkeypatch)
    required = ["Input", "Linear"]
    preferred = [f"part{tie}.py" for tie in range(4)]
    padding = b"x = 1\n" * (40_000 // 6)
    files = {}
    for tie, name in enumerate(preferred):
        files[f"a/{name}"] = (
            b"class Input:\n    pass\nclass Linear:\n    pass\n# %d\n" % tie
            + padding
            + b"def f():\n    pass\n"
        )
        files[f"b/{name}"] = (
            b"class Input:\n    pass\nclass Linear:\n    pass\n# %d\n" % tie
            + padding
            + b"def f():\n    return 1\n"
        )
    made = choice.choose_copies(files, preferred, required, [])
    assert dict(made.aside) == {f"a/{p}": f"b/{p}" for p in preferred} and not made.cut
    assert sorted(sizes) == sorted(len(source) for source in files.values())
    why = choice.copy_reason("b/part0.py", ["a/part0.py"], files, preferred, required, [], made)
    assert why == choice.copy_reasons()[1]


def test_a_tie_of_three_large_distinct_copies_is_said_cut_short() -> None:
    """One tie of three distinct 100 KiB copies, the submission's budget not reached: each is counted on its
    first 87,381 bytes (a third of `STUB_READ_BUDGET`), and the reason says the choice was cut short (before
    session 35 only a cut by the submission's budget was said, here nothing). Control: the same tie of 40 KB
    copies is read whole and says nothing of it, nor three identical copies of 200 KiB."""
    required = ["Input", "Linear"]
    head = b"class Input:\n    pass\nclass Linear:\n    pass\n"
    for size, short in ((100 * 1024, True), (40_000, False)):
        padding = b"x = 1\n" * (size // 6)
        files = {
            f"{folder}/part.py": head + padding + b"def f():\n    %s\n" % body
            for folder, body in (("a", b"pass"), ("b", b"return 1"), ("c", b"return 2"))
        }
        made = choice.choose_copies(files, ["part.py"], required, [])
        why = choice.copy_reason(
            "a/part.py", ["b/part.py", "c/part.py"], files, ["part.py"], required, [], made
        )
        assert ("choice cut short: stubs counted on the first 87,381 bytes" in why) is short, why
        assert dict(made.cut) == ({"a/part.py": 87_381} if short else {})
    same = {f"{folder}/part.py": head + b"x = 1\n" * (200 * 1024 // 6) for folder in "abc"}
    assert not choice.choose_copies(same, ["part.py"], required, []).cut  # one content: nothing to lose


class _OtherThreadEvicts(dict):  # type: ignore[type-arg]
    """The stub cache as the parent's other thread leaves it: each reading evicted as soon as it is cached,
    and the oldest gone before this thread's eviction reaches it (a batch's builder and judging threads
    share the cache)."""

    def __setitem__(self, key: bytes, value: int) -> None:
        super().__setitem__(key, value)
        super().pop(key)

    def __iter__(self):  # type: ignore[no-untyped-def]
        keys = list(super().__iter__())
        for key in keys:
            super().pop(key, None)
        return iter(keys)


def test_a_stub_count_survives_the_other_thread_evicting_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent's builder thread (a job's copies) and judging thread (the stage, the program) share the
    stub cache: a reading evicted by the other between this thread caching it and reading it back, or
    between this thread picking the oldest and evicting it, raised KeyError in the parent (three threads
    counting 300 KiB readings met it within seconds). The count is the one this thread made, and an
    eviction already done is passed over. Control: the counts are those of a cache no one else touches."""
    files = {"a.py": b"def f():\n    pass\n" * 7000, "b.py": b"def f():\n    return 1\n" * 6000}
    monkeypatch.setattr(choice, "_STUB_CACHE", {})
    alone = choice.stub_counts(files, ["a.py", "b.py"])
    assert alone == {"a.py": 7000, "b.py": 0}
    shared = _OtherThreadEvicts({b"x" * (3 << 20): 0})  # over the cache's bytes: the next reading evicts it
    monkeypatch.setattr(choice, "_STUB_CACHE", shared)
    assert choice.stub_counts(files, ["a.py", "b.py"]) == alone


def test_the_copies_of_a_name_follow_each_list_of_preferred_names():
    """Which preferred names name another is kept per list of names (choice._longer_names): with a list in
    which `ch05/layers.py` is preferred, that file is no copy of `layers.py`; with a list without it, the
    same files make it one (a memo of the first list's answer kept it out of the second's copies)."""
    files = {"layers.py": b"class Relu: pass\n", "ch05/layers.py": b"class Relu: pass\n"}
    assert choice._copies_of(files, "layers.py", ("layers.py", "ch05/layers.py")) == ["layers.py"]
    assert choice._copies_of(files, "layers.py", ("layers.py",)) == ["ch05/layers.py", "layers.py"]
    assert choice._copies_of(files, "layers.py", ("layers.py", "ch05/layers.py")) == ["layers.py"]


def test_the_preferred_names_are_compared_pairwise_once(monkeypatch):
    """Which of the manifest's names name another is worked out once per list: a second submission's copies
    compare a name with the files, not every name with every other (dezero lists ~100 names: 10,000 calls
    of `member` a submission, at each of the three askings of a batch's job)."""
    names = [f"steps/step{n:02d}.py" for n in range(1, 61)] + [f"dezero/m{n}.py" for n in range(40)]
    files = {
        "steps/step18.py": b"class Variable: pass\n",
        "backup/steps/step18.py": b"class Variable: pass\n",
    }
    choice.copies(files, names, ["Variable"], [])
    calls = []
    real = choice.member

    def counted(relpath, name):
        calls.append(name)
        return real(relpath, name)

    monkeypatch.setattr(choice, "member", counted)
    # a copy in a backup folder, defining no more: set aside for the one the manifest names
    assert choice.copies(files, names, ["Variable"], []) == {"backup/steps/step18.py": "steps/step18.py"}
    assert 0 < len(calls) < len(names) ** 2 // 4


# the main_guard tests whose value on import Python decides alone, and one test that depends on DEBUG
_GUARDS = [
    '__name__ == "__main__"',
    "'__main__' != __name__",
    'not __name__ == "__main__"',
    '__name__ != "__main__" and not __name__ == "__main__"',
    '(__name__ != "__main__")',
    '__name__ is not "__main__"',
]


@pytest.mark.parametrize("guard", _GUARDS)
@pytest.mark.parametrize("lead", ["", "if DEBUG:\n    class InDebug:\n        pass\nel"])
def test_module_defs_reads_a_main_guard_as_python_runs_it_on_import(guard: str, lead: str) -> None:
    """`module_defs` reads the classes of the branches an import runs, as Python does with `__name__` a
    module's name (the oracle: the file executed, DEBUG true and false): under `if __name__ != "__main__":`
    its body, never its `else` (it counted the `else`'s classes, s37); under `==` the `else` alone; an
    `elif` guard the same. Control: a test naming neither (DEBUG) reads both of its branches."""
    source = f"{lead}if {guard}:  # the guard: a comment\n    class InBody:\n        pass\nelse:\n"
    source += "    class InElse:\n        pass\n"
    python: set[str] = set()
    for debug in (True, False):
        scope: dict[str, object] = {"__name__": "ch05.layers", "DEBUG": debug}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # `is not` with a literal: our own source
            exec(compile(source, "layers.py", "exec"), scope)  # our own literal source
        python |= {n for n in scope if n.startswith("In")}
    assert set(choice.module_defs(source.encode())) == python
    both = source.replace(guard, "DEBUG")
    assert {"InBody", "InElse"} <= set(choice.module_defs(both.encode()))
