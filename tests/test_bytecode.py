"""grader/bytecode.py: the parent's pycs are what the import system runs, and only for their own source."""

from __future__ import annotations

import ast
import builtins
import importlib.util
import marshal
import sys
from pathlib import Path

import pytest

from grader import bytecode, compile_cost
from grader.bytecode import MAX_COMPILED_SOURCE, fitting, pyc_files
from grader.inside import lazy_annotations

SOURCE = b"def f(x):\n    return 2 * x\n\nWHERE = __file__\n"


def _write(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _import(root: Path, rel: str, name: str):
    spec = importlib.util.spec_from_file_location(name, root / rel)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _refuse_compiling(monkeypatch) -> None:
    """From here on compiling fails the test: an import that runs must have come from a pyc."""

    def refuse(*args, **kwargs):
        raise AssertionError("compiled instead of loading the pyc")

    monkeypatch.setattr(builtins, "compile", refuse)


def test_the_submissions_loader_runs_the_pyc_without_compiling(tmp_path, monkeypatch):
    files = {"pkg/mod.py": SOURCE}
    compiled = pyc_files(files)
    assert list(compiled) == [lazy_annotations.cache_path("pkg/mod.py")]
    _write(tmp_path, {**files, **compiled})
    _refuse_compiling(monkeypatch)
    module = _import_as_submission(tmp_path, "pkg/mod.py", "bytecode_probe_a")
    assert module.f(21) == 42
    where = str(tmp_path / "pkg/mod.py")
    assert where == module.WHERE  # tracebacks and __file__ name the student's file


def test_a_pyc_of_other_source_is_never_run(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # as in the sandbox (-B): nothing rewrites our pyc
    compiled = pyc_files({"mod.py": b"VALUE = 'stale'\n"})
    _write(tmp_path, {"mod.py": b"VALUE = 'current'\n", **compiled})
    assert _import_as_submission(tmp_path, "mod.py", "bytecode_probe_b").VALUE == "current"
    _refuse_compiling(monkeypatch)  # the negative control of the test above: this import must compile
    with pytest.raises(AssertionError, match="compiled instead"):
        _import_as_submission(tmp_path, "mod.py", "bytecode_probe_c")


DATACLASS = b"from dataclasses import dataclass\n\n@dataclass\nclass HParams:\n    lr: float = 0.01\n"


def test_pythons_own_loader_never_runs_the_parents_pyc(tmp_path, monkeypatch):
    """A module the student loads by hand (importlib.util.spec_from_file_location, Python's own loader) is
    compiled as Python 3.11 compiles it: the parent's pyc, compiled with annotations unevaluated, has a name
    only the submission's loader reads. Under Python's own name, a @dataclass of such a module (not in
    sys.modules) crashed on its string annotations and a correct submission scored 0 (review); a hint
    naming a class defined further down raised as plain 3.11 raises."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    files = {"hparams.py": DATACLASS, "mod.py": FORWARD}
    _write(tmp_path, {**files, **pyc_files(files)})
    assert _import(tmp_path, "hparams.py", "bytecode_probe_d").HParams().lr == 0.01
    with pytest.raises(NameError):
        _import(tmp_path, "mod.py", "bytecode_probe_e")


def test_a_file_that_does_not_compile_gets_no_pyc_and_other_files_do():
    compiled = pyc_files({"bad.py": b"def broken(:\n", "good.py": SOURCE, "data.txt": b"1 2 3"})
    assert [Path(p).name.split(".")[0] for p in compiled] == ["good"]


def test_the_pyc_is_what_compiling_the_source_gives():
    """As the student process compiles a file of the submission: annotations never evaluated (Python 3.14's
    way, grader/inside/lazy_annotations.py)."""
    (pyc,) = pyc_files({"m.py": SOURCE}).values()
    assert pyc[:4] == importlib.util.MAGIC_NUMBER
    assert pyc[8:16] == importlib.util.source_hash(SOURCE)
    expected = compile(SOURCE, "m.py", "exec", flags=lazy_annotations.FLAGS, dont_inherit=True, optimize=0)
    assert marshal.loads(pyc[16:]) == expected


FORWARD = b"class A:\n    def f(self, other: B) -> B:\n        return other\n\nclass B:\n    pass\n"


def _import_as_submission(root: Path, rel: str, name: str):
    """As grader/inside/student.py imports a file of the submission: its loader, annotations unevaluated."""
    path = str(root / rel)
    spec = importlib.util.spec_from_file_location(name, path, loader=lazy_annotations.Loader(name, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_submissions_loader_runs_the_parents_pyc_without_compiling(tmp_path, monkeypatch):
    """The student process imports the parent's pyc (compiling there is ~2 ms a file of a freshly forked
    process), and that pyc defers annotations as the loader's own compiling does: a hint naming a class
    defined further down runs."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # as in the sandbox (-B)
    files = {"mod.py": FORWARD}
    _write(tmp_path, {**files, **pyc_files(files)})
    _refuse_compiling(monkeypatch)
    module = _import_as_submission(tmp_path, "mod.py", "bytecode_probe_lazy_a")
    assert module.A.f.__annotations__ == {"other": "B", "return": "B"}


def test_the_submissions_loader_compiles_with_lazy_annotations_where_no_pyc_fits(tmp_path, monkeypatch):
    """Negative control of the test above: with no pyc of this source the loader compiles, and the hint still
    runs unevaluated."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    _write(tmp_path, {"mod.py": FORWARD, **pyc_files({"mod.py": b"VALUE = 'stale'\n"})})
    module = _import_as_submission(tmp_path, "mod.py", "bytecode_probe_lazy_b")
    assert module.A.f.__annotations__ == {"other": "B", "return": "B"}
    _refuse_compiling(monkeypatch)
    with pytest.raises(AssertionError, match="compiled instead"):
        _import_as_submission(tmp_path, "mod.py", "bytecode_probe_lazy_c")


def test_a_file_whose_compiling_warns_gets_no_pyc_so_the_student_sees_the_warning():
    """SyntaxWarnings are raised while compiling: compiled here they would reach the grader's terminal and
    never the student's output. Such a file is left to the student process (and nothing warns here: the
    suite turns any warning into an error)."""
    warns = b"x = 1\nif x is 1:\n    pass\nassert (x, 'always true')\n"
    assert pyc_files({"warns.py": warns, "good.py": SOURCE}).keys() == {
        lazy_annotations.cache_path("good.py")
    }


def test_big_sources_and_amplified_bytecode_are_left_to_the_student_process():
    """Compiling runs outside the sandbox's limits: a source over the cap is not compiled here, and one
    whose constants fold into far more bytecode than source (a few KiB of text, megabytes of code) gets
    no pyc."""
    big = b"x = 1\n" * (MAX_COMPILED_SOURCE // 6 + 1)
    folding = b"".join(b"v%d = '%04d' * 1024\n" % (i, i) for i in range(600))  # 600 distinct 4 KiB strings
    assert len(folding) < MAX_COMPILED_SOURCE
    assert pyc_files({"big.py": big, "folding.py": folding}) == {}
    assert pyc_files({"small.py": b"x = 1\n" * 100})  # the control: an ordinary file gets its pyc


def test_the_parent_compiles_a_bounded_share_of_a_many_file_job(monkeypatch):
    """A zip of 130 files of 60 KiB (each under MAX_COMPILED_SOURCE) was compiled whole in the parent, ~4 s
    of its CPU per submission, to keep the few pycs that fit MAX_JOB_BYTECODE: at most 512 KiB of a job's
    source is compiled now, files in path order; the rest are compiled by the student processes."""
    source = b"".join(b"def f%d(a):\n    return a\n" % i for i in range(2300))
    assert len(source) < MAX_COMPILED_SOURCE
    files = {f"m{i:03d}.py": source for i in range(130)}
    compiled: list[int] = []
    real = builtins.compile

    def counting(src, *args, **kwargs):
        if not (len(args) > 2 and args[2] & ast.PyCF_ONLY_AST):  # a parse, not a compile
            compiled.append(len(src))
        return real(src, *args, **kwargs)

    monkeypatch.setattr(builtins, "compile", counting)
    out = pyc_files(files)
    assert sum(compiled) <= 512 * 1024, f"{sum(compiled):,} bytes compiled"
    assert out and len(out) == len(compiled)  # the first files still get their pycs


def test_a_pyc_path_the_sandbox_would_refuse_or_that_clashes_with_a_file_is_left_out():
    """The student process writes every pyc through the sandbox's path check: a name at the length limit
    (the pyc's is longer), or a folder whose __pycache__ is a file of the job (a notebook can write one),
    gets none, and the set-up cannot fail over a speed-up."""
    long_name = "a" * 250 + ".py"
    files = {long_name: SOURCE, "pkg/mod.py": SOURCE, "pkg/__pycache__": b"a file", "top.py": SOURCE}
    assert list(pyc_files(files)) == [lazy_annotations.cache_path("top.py")]


def test_support_pycs_give_way_to_the_submissions_own_file_and_to_clashes():
    support = pyc_files({"common/functions.py": SOURCE, "common/layers.py": SOURCE})
    layer = {where: "b64" for where in support}
    kept = fitting(layer, submission=["common/functions.py", "main.py"], support=["common/layers.py"])
    assert [w.split("/")[-1].split(".")[0] for w in kept] == ["layers"]
    clash = fitting(layer, submission=["common/__pycache__"], support=["common/functions.py"])
    assert clash == {}


def test_a_code_object_marshal_refuses_gets_no_pyc(monkeypatch):
    """1,000 nested lambdas compile, but marshal refuses the code object ("too deeply nested"): the ValueError
    came out of the job builder and stopped a whole batch (sample hostile/bytecode_marshal_depth.py). With the
    compile-cost bounds lifted, marshal's refusal alone still means no pyc, not a crash."""
    monkeypatch.setattr(compile_cost, "MAX_SCOPE_DEPTH", 10**6)
    monkeypatch.setattr(compile_cost, "MAX_COMPILE_COST", 10**12)
    source = b"schedule = " + b"lambda: " * 1000 + b"0.01\n"
    assert list(pyc_files({"deep.py": source, "small.py": SOURCE})) == [
        lazy_annotations.cache_path("small.py")
    ]


def _counting_compiles(monkeypatch) -> list[str]:
    """The file names the parent compiles from here on (what it kept emptied first, where it keeps any)."""
    kept = getattr(bytecode, "KEPT", None)  # absent before session 34: the negative control runs there too
    if kept is not None:
        kept.clear()
    seen: list[str] = []

    def counting(source, filename, *args, **kwargs):
        seen.append(filename)
        return builtins.compile(source, filename, *args, **kwargs)

    monkeypatch.setattr(bytecode, "compile", counting, raising=False)  # the module's name before builtins'
    return seen


def test_a_file_handed_in_by_every_student_is_compiled_once(monkeypatch):
    """Three students hand in the book's common/functions.py byte for byte beside a file of their own: the
    copy is compiled once, and each job gets the same pyc as compiling it alone gives (main compiled it
    three times)."""
    alone = pyc_files({"common/functions.py": SOURCE})
    seen = _counting_compiles(monkeypatch)
    jobs = [pyc_files({"common/functions.py": SOURCE, "layers.py": b"N = %d\n" % i}) for i in range(3)]
    assert sorted(seen) == ["common/functions.py", "layers.py", "layers.py", "layers.py"]
    where = lazy_annotations.cache_path("common/functions.py")
    assert all(job[where] == alone[where] for job in jobs)


def test_the_same_bytes_at_another_path_are_compiled_for_that_path(monkeypatch):
    """A code object names its file: the same bytes at another path share nothing, and each pyc names its
    own file."""
    seen = _counting_compiles(monkeypatch)
    one, other = pyc_files({"a.py": SOURCE}), pyc_files({"b.py": SOURCE})
    assert seen == ["a.py", "b.py"]
    names = [marshal.loads(p[16:]).co_filename for p in (*one.values(), *other.values())]
    assert names == ["a.py", "b.py"]


def test_a_file_that_warns_is_never_kept(monkeypatch):
    """A file whose compiling warns gets no pyc (the student sees the warning in their own output): asked
    again, it is compiled again and refused again, never answered from a kept entry."""
    seen = _counting_compiles(monkeypatch)
    warns = b"def f(x):\n    return x is 1\n"  # SyntaxWarning: "is" with a literal
    assert pyc_files({"w.py": warns}) == {} and pyc_files({"w.py": warns}) == {}
    assert seen == ["w.py", "w.py"]


def test_the_kept_code_is_bounded_by_count_and_bytes():
    """At most `count` entries and `max_bytes` of code, the least recently used first out."""
    kept = bytecode.KeptCode(count=2, max_bytes=25)
    code = {b"a": b"x" * 10, b"b": b"y" * 10, b"c": b"z" * 10}
    for source in (b"a", b"b", b"a", b"c"):  # "a" used again: "b" is the least recently used
        kept.marshalled(source, "m.py", lambda s, _rel: code[s])
    assert len(kept) == 2
    assert kept.marshalled(b"b", "m.py", lambda s, _rel: None) is None  # "b" was dropped: compiled again
    heavy = bytecode.KeptCode(count=8, max_bytes=25)
    for source in (b"a", b"b", b"c"):
        heavy.marshalled(source, "m.py", lambda s, _rel: code[s])
    assert len(heavy) == 2  # 30 bytes of code would pass 25
