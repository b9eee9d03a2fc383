"""The pool writes the runtime's missing bytecode before its first worker (grader/sandbox/runtime_pycs.py).

The oracle for "the worker would use this pyc" is CPython's own importer: `SourceFileLoader.get_code` compiles
the source only when the pyc beside it is missing or invalid, so a loader whose compiling raises proves the
pyc is the one a `python -B` worker reads."""

from __future__ import annotations

import os
import shutil
from importlib.machinery import SourceFileLoader
from importlib.util import cache_from_source
from pathlib import Path
from typing import Any

import pytest

import grader.inside
from grader.sandbox import pool as pool_module
from grader.sandbox.layout import host_layout
from grader.sandbox.runtime_pycs import compile_runtime, stale_modules

RUNTIME = Path(next(iter(grader.inside.__path__)))


class _NoCompiling(SourceFileLoader):
    def source_to_code(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        raise AssertionError(f"{self.path}: the importer found no valid pyc and compiled the source")


def _uncompiled_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "inside"
    shutil.copytree(RUNTIME, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _importer_uses_pyc(source: Path) -> bool:
    try:
        _NoCompiling("m", str(source)).get_code("m")
    except AssertionError:
        return False
    return True


def test_every_module_of_an_uncompiled_runtime_gets_the_pyc_the_importer_reads(tmp_path: Path) -> None:
    copy = _uncompiled_copy(tmp_path)
    sources = sorted(copy.rglob("*.py"))
    assert len(sources) > 40  # the whole runtime: the worker, the server, the harness, adapters, stand-ins
    assert not any(_importer_uses_pyc(s) for s in sources)  # control: nothing compiled yet
    assert sorted(map(Path, stale_modules(copy))) == sources
    assert compile_runtime(copy) == len(sources)
    assert all(_importer_uses_pyc(s) for s in sources)
    assert stale_modules(copy) == []
    assert compile_runtime(copy) == 0  # nothing rewritten once there


def test_a_source_changed_after_its_pyc_is_compiled_again(tmp_path: Path) -> None:
    copy = _uncompiled_copy(tmp_path)
    compile_runtime(copy)
    worker = copy / "worker.py"
    worker.write_text(worker.read_text() + "\n# edited\n")
    st = worker.stat()
    os.utime(worker, (st.st_atime, st.st_mtime + 5))
    assert not _importer_uses_pyc(worker)  # control: the importer itself refuses the old pyc
    assert stale_modules(copy) == [str(worker)]
    assert compile_runtime(copy) == 1
    assert _importer_uses_pyc(worker)


def test_a_runtime_whose_bytecode_cannot_be_written_is_left_as_it_is(tmp_path: Path) -> None:
    """A read-only install (simulated by a file in place of __pycache__: root cannot write there either)."""
    copy = _uncompiled_copy(tmp_path)
    (copy / "__pycache__").write_text("not a folder")
    assert compile_runtime(copy) == 0
    assert (copy / "__pycache__").read_text() == "not a folder"
    assert not Path(cache_from_source(str(copy / "worker.py"))).exists()


def test_a_source_that_does_not_compile_is_skipped_and_the_rest_written(tmp_path: Path) -> None:
    copy = _uncompiled_copy(tmp_path)
    broken = copy / "zz_broken.py"
    broken.write_text("def (:\n")
    written = compile_runtime(copy)
    assert written == len(list(copy.rglob("*.py"))) - 1
    assert stale_modules(copy) == [str(broken)]


def test_the_pool_compiles_the_runtime_before_its_first_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[Path, int]] = []

    def compile_spy(runtime: Path) -> int:
        seen.append((runtime, started()))
        return 0

    def started() -> int:
        return len(spawned)

    spawned: list[object] = []
    monkeypatch.setattr(pool_module, "compile_runtime", compile_spy)
    monkeypatch.setattr(pool_module.SandboxPool, "_start", lambda self: spawned.append(self) or _never())
    with pytest.raises(pool_module.SandboxError, match="no worker in this test"):
        pool_module.SandboxPool(1, "rlimits")  # its scratch removed, as for any first worker that fails
    assert seen == [(host_layout().inside_dir, 0)]
    assert len(spawned) == 1  # and then the first worker was asked for


def _never() -> Any:
    raise pool_module.SandboxError("no worker in this test")
