"""The pool writes the runtime's missing bytecode before its first worker (grader/sandbox/runtime_pycs.py).

The oracle for "the worker would use this pyc" is a worker-like process: the worker's Python with the
worker's flags (`-s -P -S -B`) and the worker's whole environment (layout.worker_env), whose importer
(`SourceFileLoader.get_code`) compiles a source only when the pyc it reads for it is missing or invalid: a
loader whose compiling raises tells which pycs it used. Never pytest's own importer, which shares the
parent's -O, PYTHONPYCACHEPREFIX and user (review of s22-speed, 2, 3 and 10).
"""

from __future__ import annotations

import json
import os
import py_compile
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import grader.inside
from grader.sandbox import pool as pool_module
from grader.sandbox.layout import WORKER_FLAGS, host_layout, worker_env
from grader.sandbox.runtime_pycs import compile_runtime, remove_orphans, stale_modules

RUNTIME = Path(next(iter(grader.inside.__path__)))
ORACLE = """
import json, os, sys
from importlib.machinery import SourceFileLoader
from importlib.util import cache_from_source

if sys.argv.pop(1) == "nobody":  # as the fallback run as root: started as root, then dropped to 65534
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)

class NoCompiling(SourceFileLoader):
    def source_to_code(self, *args, **kwargs):
        raise AssertionError("compiled")

used, values = [], []
for source in sys.argv[1:]:
    try:
        NoCompiling("m", source).get_code("m")
        used.append(True)
    except AssertionError:
        used.append(False)
    namespace = {}
    if source.endswith("/zz_edited.py"):  # a module of the test's own, run to see which code it gets
        exec(SourceFileLoader("m", source).get_code("m"), namespace)
    values.append(namespace.get("X"))
print(json.dumps({"used": used, "values": values, "pycs": [cache_from_source(s) for s in sys.argv[1:]]}))
"""


def _as_worker(sources: list[Path], *, nobody: bool = False) -> dict[str, list]:
    """What a worker-like process's importer does with each source: whether it used the pyc, for the test's
    own zz_edited.py the value of its X (the code a worker would run), and the pyc it reads for each."""
    user = "nobody" if nobody else "same"
    argv = [str(host_layout().python), *WORKER_FLAGS, "-c", ORACLE, user, *map(str, sources)]
    done = subprocess.run(argv, env=worker_env("none"), cwd="/", capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _compile_in(copy: Path, *flags: str, env: dict[str, str] | None = None, umask: int | None = None) -> int:
    """compile_runtime(copy) in a parent of its own: its Python flags, environment and umask."""
    code = "import sys\nfrom pathlib import Path\nfrom grader.sandbox.runtime_pycs import compile_runtime\n"
    code += "print(compile_runtime(Path(sys.argv[1])))\n"
    # the parent's own imports write no bytecode (the prefix would hold the grader's and the standard
    # library's pycs wherever the runner leaves bytecode on, as tox does): all written is compile_runtime's
    base = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
    base["PYTHONDONTWRITEBYTECODE"] = "1"
    done = subprocess.run(
        [sys.executable, *flags, "-c", code, str(copy)],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


@pytest.fixture
def copy() -> Iterator[Path]:
    """An uncompiled copy of the runtime, sources with their modes and mtimes, in a folder every user may
    enter (pytest's tmp_path is its user's alone: a worker dropped to uid 65534 could not)."""
    top = Path(tempfile.mkdtemp(prefix="runtime-pycs-"))
    try:
        top.chmod(0o755)
        shutil.copytree(RUNTIME, top / "inside", ignore=shutil.ignore_patterns("__pycache__"))
        yield top / "inside"
    finally:
        shutil.rmtree(top)


def _past(path: Path, seconds: float = 60.0) -> None:
    """A source last changed `seconds` ago (a file just written gets no pyc for SETTLE_SECONDS)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - int(seconds * 1e9)))


def test_every_module_of_an_uncompiled_runtime_gets_the_pyc_a_worker_reads(copy: Path) -> None:
    sources = sorted(copy.rglob("*.py"))
    assert len(sources) > 40  # the whole runtime: the worker, the server, the harness, adapters, stand-ins
    assert not any(_as_worker(sources)["used"])  # control: nothing compiled yet
    assert sorted(map(Path, stale_modules(copy))) == sources
    assert compile_runtime(copy) == len(sources)
    assert all(_as_worker(sources)["used"])
    assert stale_modules(copy) == []
    assert compile_runtime(copy) == 0  # nothing rewritten once there


@pytest.mark.parametrize(
    ("flags", "env"),
    [
        (("-O",), {}),
        (("-OO",), {}),
        ((), {"PYTHONPYCACHEPREFIX": "{prefix}"}),
        (("-O",), {"PYTHONPYCACHEPREFIX": "{prefix}"}),
    ],
    ids=["O", "OO", "pycache-prefix", "O-and-prefix"],
)
def test_a_parent_run_with_O_or_a_pycache_prefix_writes_the_pycs_the_worker_reads(
    copy: Path, tmp_path: Path, flags: tuple[str, ...], env: dict[str, str]
) -> None:
    """The parent's -O wrote *.opt-1.pyc, its PYTHONPYCACHEPREFIX wrote under the prefix, and the check ran
    with the same configuration found them there: the worker, which reads neither, compiled every module at
    every start, and nothing said so (review of s22-speed, 2)."""
    sources = sorted(copy.rglob("*.py"))
    env = {k: v.format(prefix=tmp_path / "prefix") for k, v in env.items()}
    assert _compile_in(copy, *flags, env=env) == len(sources)
    assert all(_as_worker(sources)["used"])
    assert stale_modules(copy) == []
    assert not (tmp_path / "prefix").exists()
    assert not list(copy.rglob("*.opt-*.pyc"))


def test_the_pycs_written_under_umask_077_are_read_by_a_worker_dropped_to_nobody(copy: Path) -> None:
    """The fallback run as root drops its workers to uid 65534: pycs and __pycache__ folders created
    through a umask of 077 were root's alone, and every worker compiled every module (review of s22-speed,
    3). Whoever may read a source may read its pyc."""
    sources = sorted(copy.rglob("*.py"))
    assert _compile_in(copy, umask=0o077) == len(sources)
    for pyc in map(Path, _as_worker(sources)["pycs"]):
        assert stat.S_IMODE(pyc.stat().st_mode) & 0o044 == 0o044, pyc
        assert stat.S_IMODE(pyc.parent.stat().st_mode) & 0o055 == 0o055, pyc.parent
    if os.geteuid() != 0:
        pytest.skip("only root can run the worker-like process as uid 65534 (the modes were checked)")
    assert all(_as_worker(sources, nobody=True)["used"])


def test_an_unreadable_pyc_is_stale_and_written_again_readable(copy: Path) -> None:
    """A pyc that uid 65534 cannot read (written before this fix, under umask 077) counts as missing."""
    compile_runtime(copy)
    worker = copy / "worker.py"
    pyc = Path(_as_worker([worker])["pycs"][0])
    pyc.chmod(0o600)
    pyc.parent.chmod(0o700)
    assert str(worker) in stale_modules(copy)
    compile_runtime(copy)
    assert stale_modules(copy) == []
    assert stat.S_IMODE(pyc.stat().st_mode) & 0o044 == 0o044
    if os.geteuid() == 0:
        assert all(_as_worker([worker], nobody=True)["used"])


@pytest.mark.parametrize(
    "mode",
    [py_compile.PycInvalidationMode.CHECKED_HASH, py_compile.PycInvalidationMode.UNCHECKED_HASH],
    ids=["checked", "unchecked"],
)
def test_hash_based_pycs_the_worker_uses_count_as_written(
    copy: Path, mode: py_compile.PycInvalidationMode
) -> None:
    """An install compiled with SOURCE_DATE_EPOCH set has checked hash pycs: the worker uses them, and the
    check counted every one stale (a read-only install then paid ~7-22 ms a pool for nothing: review of
    s22-speed, 4)."""
    sources = sorted(copy.rglob("*.py"))
    for source, pyc in zip(sources, _as_worker(sources)["pycs"], strict=True):
        py_compile.compile(str(source), cfile=pyc, doraise=True, invalidation_mode=mode)
    assert all(_as_worker(sources)["used"])
    assert stale_modules(copy) == []
    assert compile_runtime(copy) == 0


def test_a_checked_hash_pyc_of_an_older_source_is_stale(copy: Path) -> None:
    """The negative control: the same size, the same mtime, another text: the worker refuses the checked
    pyc, and so does the check."""
    worker = copy / "worker.py"
    py_compile.compile(
        str(worker),
        cfile=_as_worker([worker])["pycs"][0],
        doraise=True,
        invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
    )
    st = worker.stat()
    text = worker.read_bytes()
    worker.write_bytes(text.replace(b"def main(", b"def mAin(", 1))
    os.utime(worker, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert _as_worker([worker])["used"] == [False]
    assert str(worker) in stale_modules(copy)


def test_a_source_changed_after_its_pyc_is_compiled_again(copy: Path) -> None:
    compile_runtime(copy)
    worker = copy / "worker.py"
    worker.write_text(worker.read_text() + "\n# edited\n")
    _past(worker, 60.0)  # changed a minute ago, long after the copy's mtime
    assert _as_worker([worker])["used"] == [False]  # control: the worker's importer refuses the old pyc
    assert stale_modules(copy) == [str(worker)]
    assert compile_runtime(copy) == 1
    assert _as_worker([worker])["used"] == [True]


def test_a_source_edited_again_within_the_second_its_pyc_was_written_is_never_run_old(copy: Path) -> None:
    """A timestamp pyc records the source's mtime in whole seconds and its size: written, then the source
    edited within that second to the same size, the worker ran the old code and the check said fresh
    (review of s22-speed, 5). A source changed less than SETTLE_SECONDS ago gets no pyc yet."""
    module = copy / "zz_edited.py"
    module.write_text("X = 1\n")
    first = module.stat()
    compile_runtime(copy)
    module.write_text("X = 2\n")
    os.utime(module, ns=(first.st_atime_ns, first.st_mtime_ns))  # the same second (here the same instant)
    assert _as_worker([module])["values"] == [2]
    _past(module, 60.0)  # settled: now written, and read
    assert compile_runtime(copy) == 1
    seen = _as_worker([module])
    assert (seen["used"], seen["values"]) == ([True], [2])


def test_a_folder_whose_bytecode_cannot_be_written_is_left_and_the_others_written(copy: Path) -> None:
    """A read-only folder (simulated by a file in place of its __pycache__: root cannot write there either)
    is left as it is, in the middle of the runtime: one refused write stopped every write after it
    (review of s22-speed, 10)."""
    adapters = copy / "adapters"
    (adapters / "__pycache__").write_text("not a folder")
    refused = sorted(adapters.glob("*.py"))
    sources = sorted(copy.rglob("*.py"))
    assert refused and sources.index(refused[-1]) < len(sources) - 1  # 50 and more sources after it
    assert compile_runtime(copy) == len(sources) - len(refused)
    assert (adapters / "__pycache__").read_text() == "not a folder"
    assert sorted(map(Path, stale_modules(copy))) == refused
    assert _as_worker([copy / "worker.py"])["used"] == [True]


def test_a_source_that_does_not_compile_is_skipped_and_the_rest_written(copy: Path) -> None:
    broken = copy / "zz_broken.py"
    broken.write_text("def (:\n")
    _past(broken)
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


def _never() -> object:
    raise pool_module.SandboxError("no worker in this test")


def test_the_bytecode_of_a_module_moved_out_of_the_runtime_is_removed_and_the_rest_kept(copy: Path) -> None:
    """Every file of the runtime is readable by a student process: the pyc an older version compiled for the
    stand-in's full common/layers.py (moved out in session 23: grader/served_standins.py) held its math for
    `marshal.loads`. A pyc whose source is gone is removed; one whose source is there is kept."""
    compile_runtime(copy)
    book = copy / "standins" / "book" / "common"
    (book / "layers.py").write_text("def backward(dout):\n    return dout\n")  # the old full stand-in's place
    py_compile.compile(str(book / "layers.py"), cfile=str(book / "__pycache__" / "layers.cpython-311.pyc"))
    (book / "layers.py").unlink()
    kept = sorted(p.name for p in (book / "__pycache__").iterdir() if not p.name.startswith("layers."))
    assert kept and (book / "__pycache__" / "layers.cpython-311.pyc").exists()
    assert remove_orphans(copy) == 1
    assert sorted(p.name for p in (book / "__pycache__").iterdir()) == kept
    assert remove_orphans(copy) == 0  # nothing else of the runtime was an orphan
