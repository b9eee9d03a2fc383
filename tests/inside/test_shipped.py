"""Only the files handed in are imported or run: code the submission writes while it runs is refused.

See grader/inside/shipped.py and docs/SANDBOX.md "Code written at run time" (sample
submissions/hostile/runtime_written_module.py covers a written module, a zip on sys.path and %run).
"""

from __future__ import annotations

import base64
import marshal

from inside_helpers import case, job, run_inside
from inside_helpers import students as S

from grader.inside import lazy_annotations

MUL = [
    {"do": "apply", "op": "MulLayer", "args": ["apple", "apple_num"], "out": "p"},
    {"do": "backward", "of": "p"},
    {"do": "record", "key": "dapple", "grad_of": "apple"},
]
APPLE = {"apple": 100.0, "apple_num": 2.0}
LAYERS_JOB = {"modules": ["layers.py"], "required": ["MulLayer"]}
REFUSED = "was written while the submission ran"
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
    return run_inside(files, job("layers", [case("c", APPLE, MUL)], **LAYERS_JOB))


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
