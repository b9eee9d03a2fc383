"""Only the files handed in are imported or run: code the submission writes while it runs is refused.

See grader/inside/shipped.py and docs/SANDBOX.md "Code written at run time" (sample
submissions/hostile/runtime_written_module.py covers a written module, a zip on sys.path and %run).
"""

from __future__ import annotations

import base64
import io
import marshal
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from inside_helpers import APPLE, MUL, MUL_JOB, case, job, run_inside
from inside_helpers import students as S

from grader.inside import lazy_annotations, shipped

REFUSED = "was changed or created while the submission ran"
HELPER = "SCALE = 1.0\n"
# layers.py keeps MulLayer only when helper's SCALE is the one handed in
KEEP_IF_SHIPPED = "from helper import SCALE\n" + S.LAYERS + "\nif SCALE != 1.0:\n    del MulLayer\n"


def _writer(relpath: str, data: bytes) -> str:
    """Lines of layers.py that write `data` to `relpath` beside it (the bytes as base64 text)."""
    return (
        "import base64, os\n"
        f"_p = os.path.join(os.path.dirname(os.path.abspath(__file__)), {relpath!r})\n"
        "os.makedirs(os.path.dirname(_p), exist_ok=True)\n"
        f"with open(_p, 'wb') as _fh:\n    _fh.write(base64.b64decode({base64.b64encode(data).decode()!r}))\n"
    )


def _run(files: dict[str, str | bytes]) -> object:
    return run_inside(files, job("layers", [case("c", APPLE, MUL)], **MUL_JOB))


def test_a_pyc_written_into_the_loaders_cache_is_not_run() -> None:
    """A pyc the submission writes where the loader looks for the parent's (`__pycache__/helper.cpython-311.
    opt-lazyannotations.pyc`), with the header of the shipped helper.py and other code: the source handed in
    runs, not the pyc (before: SCALE 2.0 from the forged pyc, and MulLayer deleted)."""
    other = marshal.dumps(compile("SCALE = 2.0\n", "h", "exec"))
    forged = lazy_annotations.pyc_header(HELPER.encode()) + other
    cache = lazy_annotations.cache_path("helper.py")
    ran = _run({"layers.py": _writer(cache, forged) + KEEP_IF_SHIPPED, "helper.py": HELPER})
    assert ran.loaded["missing"] == [], ran.loaded  # type: ignore[attr-defined]
    assert ran.record("dapple").item() == 2.0  # type: ignore[attr-defined]


def test_a_shipped_module_rewritten_before_its_import_is_refused() -> None:
    """helper.py handed in, overwritten by layers.py before it imports it: refused with a message naming
    the file (before: the rewritten text ran)."""
    ran = _run({"layers.py": _writer("helper.py", b"SCALE = 2.0\n") + KEEP_IF_SHIPPED, "helper.py": HELPER})
    first = ran.frames[0]  # type: ignore[attr-defined]
    assert first["type"] == "load_failed", first
    assert f"helper.py {REFUSED}" in first["failure"]["message"], first


def test_a_bare_pyc_written_at_run_time_is_refused() -> None:
    """A helper.pyc (no source) written by layers.py and imported: refused (a shipped one still imports:
    tests/inside/test_lazy_annotations.py)."""
    pyc = lazy_annotations.pyc_header(b"") + marshal.dumps(compile("SCALE = 1.0\n", "h", "exec"))
    ran = _run({"layers.py": _writer("helper.pyc", pyc) + KEEP_IF_SHIPPED})
    first = ran.frames[0]  # type: ignore[attr-defined]
    assert first["type"] == "load_failed", first
    assert f"helper.pyc {REFUSED}" in first["failure"]["message"], first


def test_the_files_handed_in_import_and_data_files_stay_writable() -> None:
    """Negative control: a helper handed in imports, and the submission still writes and reads a data
    file of its own (and a module it only writes, never imports, costs nothing)."""
    writes = _writer("notes/data.txt", b"kept\n") + _writer("unused.py", b"X = 1\n")
    check = "with open(_p) as _fh:\n    assert _fh.read() == 'X = 1\\n'\n"
    ran = _run({"layers.py": writes + check + KEEP_IF_SHIPPED, "helper.py": HELPER})
    assert ran.loaded["missing"] == [], ran.loaded  # type: ignore[attr-defined]
    assert ran.record("dapple").item() == 2.0  # type: ignore[attr-defined]


# The path hook itself (grader/inside/lazy_annotations.py hook_for), on a folder snapshotted here


def _hooked(tmp_path: Path, files: dict[str, bytes]) -> tuple[str, Callable[[object], Any]]:
    root = tmp_path / "sub"
    root.mkdir()
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    real = os.path.realpath(root)
    shipped.snapshot(real)
    return real, lazy_annotations.hook_for(real)


def _zip(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return buf.getvalue()


def test_a_folder_inside_a_zip_handed_in_imports(tmp_path: Path) -> None:
    """`lib.zip/src` on sys.path (zipimport reads it as the folder src inside lib.zip): the hook checks the
    zip, the file that exists, and imports from it (before: the full path was stat'ed, failed, and the
    refusing finder raised for every later import, stdlib too: miniflow 43 -> 38 with a false flag)."""
    root, hook = _hooked(tmp_path, {"lib.zip": _zip({"src/helper.py": "X = 1\n"})})
    finder = hook(os.path.join(root, "lib.zip", "src"))
    spec = finder.find_spec("helper")
    assert spec is not None and spec.origin.endswith(os.path.join("lib.zip", "src", "helper.py")), spec
    assert finder.find_spec("json") is None


def test_a_zip_written_at_run_time_is_refused_even_below_its_root(tmp_path: Path) -> None:
    """A zip written after the snapshot, whole or through a folder inside it: refused, not read."""
    root, hook = _hooked(tmp_path, {"a.py": b""})
    Path(root, "late.zip").write_bytes(_zip({"src/helper.py": "X = 1\n", "helper.py": "X = 1\n"}))
    for entry in (os.path.join(root, "late.zip"), os.path.join(root, "late.zip", "src")):
        with pytest.raises(shipped.NotShipped, match=r"late\.zip"):
            hook(entry).find_spec("helper")


def test_a_zip_handed_in_and_rewritten_after_its_finder_is_built_is_refused(tmp_path: Path) -> None:
    """zipimport reads the archive again at each import: a rewrite after the finder was made is caught
    when the module's code is read."""
    root, hook = _hooked(tmp_path, {"lib.zip": _zip({"helper.py": "X = 1\n"})})
    finder = hook(os.path.join(root, "lib.zip"))
    assert finder.get_code("helper") is not None
    Path(root, "lib.zip").write_bytes(_zip({"helper.py": "X = 2\n"}))
    with pytest.raises(shipped.NotShipped, match=r"lib\.zip"):
        finder.get_code("helper")


def test_a_str_subclass_on_sys_path_finds_nothing(tmp_path: Path) -> None:
    """A str subclass can be truthy for the hook and falsy for Python's FileFinder (which reads a falsy
    path as the working directory: the submission's folder), review sample falsy_path: whatever it names,
    the hook claims it with a finder that finds nothing, so no later hook reads it."""
    root, hook = _hooked(tmp_path, {"helper.py": b"X = 1\n"})

    class Sly(str):
        def __bool__(self) -> bool:
            return False

    for entry in (Sly(root), Sly("/usr"), Sly("")):
        assert hook(entry).find_spec("helper") is None
    assert hook(root).find_spec("helper") is not None  # negative control: the plain str imports
