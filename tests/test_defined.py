"""The parent's own reading of the names a submission defines (what missing-name messages quote)."""

from __future__ import annotations

from grader.assignments import load_assignment
from grader.defined import (
    copies_of,
    copy_reasons_of,
    defaults_off,
    graded_files,
    program_files,
    public_names,
)
from grader.inside import choice


def test_module_level_public_classes_and_functions_in_order() -> None:
    """Methods, private names, assignments and names in strings are not definitions of the module."""
    source = (
        b'"""\nclass InDocstring:\n"""\nimport numpy as np\n\nclass Node:\n    def forward(self):\n'
        b"        pass\n\nclass _Private:\n    pass\n\nLinear = None\n\ndef topological_sort(feed):\n"
        b"    return []\n\nasync def later():\n    pass\n"
    )
    assert public_names({"miniflow.py": source}) == ["Node", "topological_sort", "later"]


def test_several_files_and_only_python() -> None:
    """Every .py file in path order, each name once; other files are not read."""
    files = {
        "b.py": b"class Sigmoid:\n    pass\n",
        "a.py": b"class Linear:\n    pass\nclass Sigmoid:\n    pass\n",
        "notes.txt": b"class NotCode:\n",
    }
    assert public_names(files) == ["Linear", "Sigmoid"]


def test_unparsable_file_falls_back_to_column_zero_definitions() -> None:
    """A syntax error elsewhere in the file still lets the message list what it defines."""
    source = b"class Linear:\n    def forward(self:\n        pass\n\ndef sgd_update(ts):\n    pass\n"
    assert public_names({"m.py": source}) == ["Linear", "sgd_update"]


def test_program_files_leave_out_the_other_copies_of_a_preferred_file() -> None:
    """The parent reads what the student's process runs: of a lesson's quiz folders, each with a miniflow.py,
    only the copy graded (the most required names) is read; a file that is no copy (nn.py) is kept."""
    add_quiz = b"class Neuron:\n    pass\n\n\nclass Input(Neuron):\n    pass\n"
    whole = (
        b"class Input:\n    pass\n\n\nclass Linear:\n    pass\n\n\n"
        + b"def forward_and_backward(g):\n    pass\n"
    )
    files = {"1_add/miniflow.py": add_quiz, "7_sgd/miniflow.py": whole, "7_sgd/nn.py": b"import numpy\n"}
    a = load_assignment("miniflow")
    assert copies_of(files, a) == {"1_add/miniflow.py": "7_sgd/miniflow.py"}
    assert sorted(program_files(files, a)) == ["7_sgd/miniflow.py", "7_sgd/nn.py"]


def test_defaults_off_are_the_names_the_code_itself_sets_false() -> None:
    """A class body's or the module's own `name = False` is the code's default (a Config that says
    enable_backprop = False); a False set in a function or method, a True, or an attribute target is not."""
    source = (
        b"class Config:\n    enable_backprop = False\n    other = True\n"
        b"flag: bool = False\n"
        b"def no_grad():\n    inside = False\n"
        b"class Variable:\n    def backward(self):\n        Config.enable_backprop = False\n"
        b"Config.at_top = False\n"
    )
    assert defaults_off({"core.py": source, "notes.txt": b"x = False\n"}) == ["enable_backprop", "flag"]


def test_a_config_whose_default_is_true_has_no_default_off() -> None:
    """The book's Config (True), even with a demo that turns the flag off at the top level."""
    source = b"class Config:\n    enable_backprop = True\nwith no_grad():\n    y = 1\n"
    assert defaults_off({"core.py": source}) == []


def _hostile_ties(ties: int, copies: int, size: int) -> dict[str, bytes]:
    """The review of s33-rvtrust's submission (its mkhostile.py): `ties` of DeZero's preferred step files,
    each in `copies` folders, distinct contents of `size` bytes of empty functions, all tied (none defines a
    required name)."""
    files = {}
    for tie, step in enumerate(range(47, 47 - ties, -1)):
        for copy in range(copies):
            body = b"".join(b"def f%d_%d_%d():\n    pass\n" % (tie, copy, i) for i in range(size // 20))
            files[f"v{copy}/steps/step{step:02d}.py"] = body[:size]
    return files


def test_the_parent_tokenises_a_hostile_submission_within_one_budget(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """200 files of 32 KiB make 25 ties of DeZero's step files: the parent tokenised 6.4 MiB of them each
    time it asked for the submission's copies (the job, the stage, the program, the reasons: 26 MiB, about
    two minutes of its CPU while the batch waited, review of s33-rvtrust). Now at most 1 MiB in all, counted
    in bytes read (`len` stands in for the tokenizer), whatever the ties."""
    read: list[int] = []

    def counted(source: bytes) -> int:
        read.append(len(source))
        return 0

    monkeypatch.setattr(choice, "stub_bodies", counted)
    monkeypatch.setattr(choice, "_STUB_CACHE", {})
    files = _hostile_ties(25, 8, 8 << 10)  # 8 KiB, not 32: the same ties, a quarter of `module_defs`
    a = load_assignment("dezero")
    for _ in range(4):  # the job, the stage, the program, and once more for a file defining no names
        copies = copies_of(files, a)
    copy_reasons_of(files, a, copies)
    program_files(files, a)
    assert len(read) == 25 * 8, len(read)  # every copy read once, the later askings from the cache
    assert sum(read) <= 1 << 20, sum(read)


def _count_copy_readings(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    """The `read_steps` of every file `module_defs` reads for the copies (stubs counted as nothing)."""
    steps: list[int] = []
    reading = choice._top_level_defs

    def counted(source: bytes) -> set[str]:
        steps.append(choice.read_steps(source))
        return reading(source)

    monkeypatch.setattr(choice, "_top_level_defs", counted)
    monkeypatch.setattr(choice, "stub_bodies", lambda source: 0)
    monkeypatch.setattr(choice, "_STUB_CACHE", {})
    monkeypatch.setattr(choice, "_DEFS_CACHE", {}, raising=False)  # none on main: the control runs there
    monkeypatch.setattr(choice, "_UNINDENTED_CACHE", {}, raising=False)
    return steps


def _every_asking(files: dict[str, bytes]) -> None:
    """What the parent asks of one submission's copies: the job, the stage, the program, once more for a
    file defining no names, and the reasons."""
    a = load_assignment("dezero")
    for _ in range(4):
        copies = copies_of(files, a)
    copy_reasons_of(files, a, copies)
    program_files(files, a)


def test_the_parent_reads_a_submissions_copies_once_for_all_its_askings(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """30 ties of DeZero's step files, 8 distinct copies of 8 KiB each: every copy is read for its names
    once, whatever the parent asks after (before, session 34: all 240 again at each of its six askings)."""
    steps = _count_copy_readings(monkeypatch)
    _every_asking(_hostile_ties(30, 8, 8 << 10))
    assert len(steps) == 30 * 8, len(steps)


def test_the_parent_reads_a_hostile_submissions_copies_within_one_budget(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """30 ties of 8 distinct copies of 32 KiB (the hostile submission profiled in session 34): what the
    parent spends reading their names, over all its askings, is within one budget for the submission
    (before: `COPY_READ_BUDGET` for each of the 30 names, at each asking: 4.6 million steps, ~20 s of a
    93 s run)."""
    steps = _count_copy_readings(monkeypatch)
    _every_asking(_hostile_ties(30, 8, 32 << 10))
    assert sum(steps) <= 2 * choice.COPY_READ_BUDGET, (len(steps), sum(steps))


def test_a_step_set_aside_is_kept_when_a_kept_file_imports_it() -> None:
    """step14.py's `from step13 import Function` runs step13.py, which imports step12 in turn: both are
    kept with it; step11.py, which nothing imports, and an import under the main block or in a function
    (never run at import) keep nothing. Control: without the imports every other step is set aside."""
    group = [["step14.py", "step13.py", "step12.py", "step11.py", "step10.py"]]
    files = {
        "step14.py": b"from step13 import Function\nclass Variable:\n    pass\n",
        "step13.py": b"import numpy as np\nimport step12\nclass Function:\n    pass\n",
        "step12.py": b"class Add:\n    pass\n",
        "step11.py": b"def f():\n    import step10\nif __name__ == '__main__':\n    import step10\n",
        "step10.py": b"class Square:\n    pass\n",
    }
    assert list(graded_files(files, group)) == ["step14.py", "step13.py", "step12.py"]
    alone = {**files, "step14.py": b"class Variable:\n    pass\n"}
    assert list(graded_files(alone, group)) == ["step14.py"]


def test_a_step_imported_is_the_copy_python_imports_not_the_last_of_its_stem() -> None:
    """Two step13.py in two folders, set aside: imported_steps kept one path per stem (the last), so
    a/step14.py's `from step13 import ...` marked b/step13.py as run and a/step13.py, the one Python
    imports (a file's own folder is first on sys.path), as not. Controls: b/step14.py gets b/step13.py; a
    root script's `from steps import step13` gets steps/step13.py beside old/step13.py; a root script's bare
    `import step13` with no copy at the root or beside it gets none (which one runs cannot be told)."""
    from grader.defined import imported_steps

    steps = {"a/step13.py": b"class Function: pass\n", "b/step13.py": b"class Function: pass\n"}
    assert imported_steps({"a/step14.py": b"from step13 import Function\n"}, steps) == {"a/step13.py"}
    assert imported_steps({"b/step14.py": b"from step13 import Function\n"}, steps) == {"b/step13.py"}
    dotted = {"steps/step13.py": b"x = 1\n", "old/step13.py": b"x = 1\n"}
    assert imported_steps({"main.py": b"from steps import step13\n"}, dotted) == {"steps/step13.py"}
    assert imported_steps({"main.py": b"import step13\n"}, steps) == set()
