"""The steps after the last one an assignment grades: found from defined names and file names, said once."""

from __future__ import annotations

import dataclasses
from itertools import pairwise

from grader.assignments import load_assignment
from grader.later_steps import (
    LATER_METHODS,
    LATER_NAMES,
    last_step,
    library_names,
    named_files,
    note,
    off_branch,
    reached,
    stage_needs,
)


def test_dezero_grades_up_to_step_60():
    """DeZero's stages end at step60 (step47 in session 23, step57 since session 30, step60 since session 32:
    RNN and LSTM): the steps after it are the ones a note names."""
    assert last_step(load_assignment("dezero").stages) == 60
    assert last_step(load_assignment("dlfs-layers").stages) is None


def test_names_and_files_of_later_steps_are_found_by_step():
    """get_item (47), DataLoader (50) and steps/step53.py are found, the latest last; the names of steps 46
    and before (Linear, MomentumSGD), an old copy named for a later step and step99.py are not
    (negative controls)."""
    defined = {"Variable", "Linear", "MomentumSGD", "get_item", "DataLoader"}
    files = ["dezero/core.py", "steps/step53.py", "steps/step60_old.py", "steps/step99.py", "step46.py"]
    assert reached("dezero", 46, defined, files) == [
        ("get_item", 47),
        ("DataLoader", 50),
        ("steps/step53.py", 53),
    ]
    assert reached("dezero", 46, {"Variable", "Linear", "MomentumSGD"}, ["dezero/core.py", "step46.py"]) == []
    assert reached("miniflow", 46, {"DataLoader"}, []) == []


def test_the_note_names_the_steps_and_what_the_latest_defines():
    """Every step reached, then the latest's names (three, then a count), and that it is not graded."""
    found = [("get_item", 47), ("LSTM", 60), ("BetterRNN", 60), ("steps/step60.py", 60), ("x.py", 60)]
    said = note(46, sorted(found, key=lambda f: (f[1], f[0])))
    assert said.startswith("; your code also has code of steps 47 and 60, after step 46")
    assert "(step 60: BetterRNN, LSTM, steps/step60.py and 1 more)" in said and "not graded" in said
    assert "steps" not in note(46, [("get_item", 47)]).split("code of ")[1].split(",")[0]


def test_a_step_up_to_the_last_is_told_graded_at_its_own_stage():
    """Review of s23-dz47 (finding 3): code graded at step 46 with step 47's get_item is told that step 47 is
    graded at stage step47 and what that stage also needs, never "after step 46, the last step graded here";
    steps after the last (52) keep the "not graded" note, worded after the last step (47), not after 46."""
    found = [("GetItem", 47), ("get_item", 47), ("steps/step52.py", 52)]
    said = note(47, found, 46, {47: ("step47", ["softmax", "softmax_cross_entropy"])})
    assert said.startswith(
        "; your code also has code of step 47 (GetItem, get_item): it is graded at stage step47 (--stage "
        "step47), which also needs softmax, softmax_cross_entropy; it also has code of step 52, after "
        "step 47,"
    )
    assert "after step 46" not in said and said.endswith(
        "that code is not graded (no case here runs it, so a mistake in it goes unreported)"
    )
    assert "which also needs" not in note(47, found[:2], 46, {47: ("step47", [])})
    # graded at the last step itself: no step up to it is reached, only the later ones (the control)
    assert reached("dezero", 47, {"get_item", "softmax", "DataLoader"}, [], last=47) == [("DataLoader", 50)]
    assert reached("dezero", 46, {"get_item", "DataLoader"}, ["steps/step47.py"], last=47) == [
        ("get_item", 47),
        ("DataLoader", 50),
    ]


def test_stage_needs_reads_the_stage_named_for_the_step_and_every_spelling():
    """stage_needs: step47's required names the code lacks; softmax_simple stands for softmax; a step no
    stage is named for has none."""
    stages = load_assignment("dezero").stages
    step46 = set(load_assignment("dezero").stage("step46").requires)
    defined = {n.rsplit(".", 1)[-1] for n in step46} | {"get_item", "softmax_simple"}
    assert stage_needs(stages, "dezero", 47, defined) == ("step47", ["softmax_cross_entropy"])
    assert stage_needs(stages, "dezero", 52, defined) == ("", [])


def test_no_later_name_is_one_a_step_46_package_defines():
    """The table holds none of the names step 46 requires: what the book adds after it, and step 43's
    composed linear_simple and sigmoid_simple, which stand for Linear and Sigmoid there."""
    a = load_assignment("dezero")
    graded = {n.lower() for n in a.stage("step46").requires}
    assert not {n.lower() for n in LATER_NAMES["dezero"]} & graded


LIBRARY = (
    b"import numpy as np\nfrom scipy.special import softmax\n\n\nclass Variable:\n"
    b"    def clip(self, lo, hi):\n        return self\n\n    def to_gpu(self):\n        pass\n\n\n"
    b"def get_item(x, slices):\n"
    b"    accuracy = 0\n    return x\n\n\nDataset = None\nfor RNN in range(1):\n    pass\n"
)
DEMO = b"from dezero import Variable\n\ndropout = 0.2\n\n\ndef accuracy(y, t):\n    return 0\n"


def test_only_the_librarys_own_definitions_name_a_later_step():
    """Review of s21-real2: module-level def and class of the library count (get_item), and a method the
    book adds to a class (to_gpu); a method named like a later function (clip), a local variable, an import
    (softmax), a module-level assignment and a loop's target (Dataset, RNN), and a demo script's own helper
    and variable (accuracy, dropout in steps/step46.py) do not (negative controls)."""
    files = {"dezero/core.py": LIBRARY, "steps/step46.py": DEMO}
    names = library_names("dezero", files, list(files))
    found = reached("dezero", 46, names, [])
    assert found == [("get_item", 47), ("to_gpu", 52)], found


def test_a_single_graded_file_is_read_for_names_and_not_for_its_own_name():
    """With no library beside it, a single step47.py is the graded code: its definitions count, and its
    name says nothing (it is graded, not "not graded"); beside a library a demo step53.py is named
    (control)."""
    single = {"step47.py": DEMO}
    assert reached(
        "dezero", 46, library_names("dezero", single, ["step47.py"]), named_files(single, ["step47.py"])
    ) == [("accuracy", 50)]
    assert named_files(["step47.py"], ["step47.py"]) == []
    beside = ["dezero/core.py", "steps/step53.py"]
    assert named_files(beside, beside) == beside


def test_later_methods_are_no_later_names():
    """A name is in one table only: read as a method (to_gpu) or as a module-level definition."""
    assert not set(LATER_METHODS["dezero"]) & set(LATER_NAMES["dezero"])


def test_step_43s_first_versions_are_graded_at_step_43():
    """Review of s26-realdz (finding 3) said linear_simple and sigmoid_simple no stage grades; session 27
    grades them at step43 where the code lacks the classes (they stand for Linear and Sigmoid, as
    softmax_simple for softmax): code of step 43 inferred earlier is told step43 grades it, and nothing more
    is needed when only the first versions are there. Control: a name a stage grades (get_item) keeps
    "which also needs" for what that stage's code lacks."""
    stages = load_assignment("dezero").stages
    defined = {"Variable", "Function", "linear_simple", "sigmoid_simple"}
    stage, missing = stage_needs(stages, "dezero", 43, defined)
    assert stage == "step43" and not {"Linear", "Sigmoid", "linear", "sigmoid"} & set(missing), missing
    said = note(47, [("linear_simple", 43), ("sigmoid_simple", 43)], 42, {43: ("step43", [])})
    assert said == (
        "; your code also has code of step 43 (linear_simple, sigmoid_simple): it is graded at stage step43 "
        "(--stage step43)"
    )
    assert "no stage grades" not in said
    kept = note(47, [("get_item", 47)], 46, {47: ("step47", ["softmax"])})
    assert "it is graded at stage step47 (--stage step47), which also needs softmax" in kept


def test_a_step_below_the_last_without_a_stage_of_its_own_is_told_not_graded():
    """Session 30: DeZero's stages end at step57, and steps 48 to 56 have none: DataLoader (50) and a demo
    steps/step53.py in code graded at step 47 are "not graded", never "graded at a later stage"; step 57's
    im2col is graded at its stage (the control)."""
    staged = {47, 57}
    found = reached("dezero", 47, {"DataLoader", "im2col"}, ["steps/step53.py"], last=57, staged=staged)
    assert found == [("DataLoader", 50), ("steps/step53.py", 53), ("im2col", 57)]
    said = note(57, found, 47, {50: ("", []), 53: ("", []), 57: ("step57", ["conv2d", "pooling"])})
    assert said.startswith("; your code also has code of step 57 (im2col): it is graded at stage step57")
    assert (
        "it also has code of steps 50 and 53, which no stage here grades (the last step graded is 57)" in said
    )
    assert "graded at a later stage" not in said and said.endswith("so a mistake in it goes unreported)")
    # without `staged`, a file named for a step up to the last is graded as that step's (as before)
    assert reached("dezero", 47, set(), ["steps/step53.py"], last=57) == []


def test_code_of_a_step_no_case_runs_is_told_not_graded_at_or_after_its_step():
    """Session 32: Spiral (49) in code graded at step50, whose cases run accuracy, Dataset and DataLoader
    (the case builds its own Dataset subclass, never the student's Spiral), and save_weights (53) in code
    graded at step54 were told nothing: they are "not graded" now, never "graded at stage step50"; accuracy
    and DataLoader, which step50 grades, are no such name (the controls), nor is a name after `at`, still
    told by the note of later steps."""
    staged = {47, 50, 54, 57}
    found = reached("dezero", 50, {"accuracy", "DataLoader", "Spiral", "dropout"}, [], last=57, staged=staged)
    assert found == [("Spiral", 49), ("dropout", 54)]
    said = note(57, found, 50, {50: ("step50", []), 54: ("step54", [])})
    assert said.startswith("; your code also has code of step 54 (dropout): it is graded at stage step54")
    assert said.endswith(
        "; it also has Spiral (step 49), which no case here runs: not graded, so a mistake in it goes "
        "unreported"
    )
    # save_weights (53) at step54: graded there since session 34 (it was "which no case here runs")
    assert reached("dezero", 54, {"save_weights", "accuracy"}, [], last=57, staged=staged) == []


def test_vgg16_is_told_not_graded_and_why():
    """No case runs step 58's VGG16, and a package of step 59 or 60 defining it was told nothing (s35). It is
    named not graded, with the reason, at the stages after its step; RNN, which step59 grades, is no such
    name (control). The reason is true of the book's VGG16 (review of s35: "it loads the book's pretrained
    weights by downloading them" holds only with pretrained=True): its parameter count, counted here from
    the book's layers, as float32 is over the manifests' memory limit."""
    staged = {47, 50, 53, 54, 57, 59, 60}
    found = reached("dezero", 59, {"VGG16", "RNN", "Spiral"}, [], last=60, staged=staged)
    assert found == [("Spiral", 49), ("VGG16", 58)]
    said = note(60, found, 59, {}, load_assignment("dezero").limits.memory_mib)
    assert said == (
        "; your code also has Spiral (step 49), VGG16 (step 58), which no case here runs: not graded, so a "
        "mistake in it goes unreported (VGG16: its 138 million parameters are 528 MiB of float32, more than "
        "grading's 512 MiB of memory, and VGG16(pretrained=True) downloads the book's weights, which grading "
        "cannot: it runs with no network)"
    )
    # the book's VGG16: 13 3x3 convolutions (3 -> 64 ... 512 channels), Linear 7*7*512 -> 4096 -> 4096 -> 1000
    channels = (3, 64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512)
    convs = sum(i * o * 9 + o for i, o in pairwise(channels))
    linears = sum(i * o + o for i, o in ((7 * 7 * 512, 4096), (4096, 4096), (4096, 1000)))
    assert convs + linears == 138_357_544 and round((convs + linears) * 4 / (1 << 20)) == 528
    assert load_assignment("dezero").limits.memory_mib == 512


def test_vgg16_is_said_against_the_assignments_own_memory_limit():
    """Review of s36: a manifest may give 64 to 65536 MiB, and the note said "more than grading's 512 MiB"
    whatever it gave. The limit said is the assignment's, and only where the book's 528 MiB of float32
    parameters (138,357,544, counted in the test above) are over it; a limit they fit in is not said."""
    found = [("VGG16", 58)]
    below, fits = note(60, found, 59, {}, 256), note(60, found, 59, {}, 1024)
    assert "528 MiB of float32, more than grading's 256 MiB of memory, and VGG16(pretrained=True)" in below
    assert "512" not in below and "1024" not in fits and "more than grading" not in fits
    assert "528 MiB of float32 and VGG16(pretrained=True) downloads the book's weights" in fits
    assert "more than grading" not in note(60, found, 59, {})  # no limit known: no figure said


def test_the_stage_line_says_the_manifests_memory_limit():
    """The stage line of `grader check` (commands._past_the_last_step) words VGG16 for the manifest's
    `memory_mib`: 256 MiB is said, 1024 MiB (the parameters fit in it) is not, and 512 is said of neither."""
    from grader import commands
    from grader.stages import Inference

    dezero = load_assignment("dezero", require_fixtures=False)
    source = {"dezero/models.py": b"class Model:\n    pass\n\n\nclass VGG16(Model):\n    pass\n"}
    said = {}
    for mib in (256, 1024):
        limited = dataclasses.replace(dezero, limits=dataclasses.replace(dezero.limits, memory_mib=mib))
        found = commands._past_the_last_step(limited, source, Inference("step59", "x"), list(source))
        said[mib] = found.reason
    assert "more than grading's 256 MiB of memory" in said[256] and "VGG16 (step 58)" in said[1024]
    assert "more than grading" not in said[1024] and not any("512" in s for s in said.values())


def test_save_weights_is_graded_from_its_own_stage_on():
    """Session 34: step54 grades step53's save/load cases where the code has the methods, and so do step57,
    step59 and step60 (they extend step54): the stage line no longer says save_weights goes unrun at any of
    them (session 33 said "which no case here runs" from step54 on). Control: step50 (53 is after it) names
    them as a later step's methods."""
    staged = {47, 50, 53, 54, 57, 59, 60}
    own = {"save_weights", "load_weights", "accuracy"}
    for at in (53, 54, 57, 59, 60):
        assert reached("dezero", at, own, [], last=60, staged=staged) == [], at
    assert reached("dezero", 50, own, [], last=60, staged=staged) == [
        ("load_weights", 53),
        ("save_weights", 53),
    ]
    a = load_assignment("dezero")
    for stage in ("step54", "step57", "step59", "step60"):
        ids = a.stage_case_ids(stage)
        assert {"step53-linear-save-load", "step53-mlp-save-load", "step53-gen-mlp-save-load"} <= set(ids)
        assert {"save_weights", "load_weights"} <= set(a.stage(stage).optional_classes), stage


def test_conv_code_beside_step60_is_said_ungraded():
    """step60 extends step54, not step57: im2col, conv2d and pooling that the code defines (or only calls)
    are named not graded there (review of s32-dzrnn). Controls: none at step57, whose cases are its own, nor
    at step60 without conv code, nor at step59 for code of step 27 (its Sin cases run at step59 too)."""
    a = load_assignment("dezero")
    graded = {s.name: a.stage_case_ids(s.name) for s in a.stages}
    conv = {"Variable", "RNN", "LSTM", "im2col", "conv2d", "pooling"}
    said = off_branch(a.stages, graded, "dezero", "step60", conv)
    assert "im2col, conv2d, pooling (stage step57), which stage step60 does not grade" in said, said
    called = off_branch(a.stages, graded, "dezero", "step60", {"Variable"}, {"conv2d"})
    assert "calls to conv2d, which it does not define (stage step57)" in called, called
    assert off_branch(a.stages, graded, "dezero", "step57", conv) == ""
    assert off_branch(a.stages, graded, "dezero", "step60", {"Variable", "RNN", "LSTM"}) == ""
    assert off_branch(a.stages, graded, "dezero", "step59", {"Sin", "sin", "RNN"}) == ""
