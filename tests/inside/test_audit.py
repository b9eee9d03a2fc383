"""The audit hook decides with no state the process can reach: the in-process guards turned off (shipped.py's
roots and keys emptied, pickles.py's Unpickler bypassed for the C one), a module written at run time is still
not imported and a pickle still calls no `exec`; honest reads, imports and own classes load as before.

Each check runs in a fresh interpreter (an audit hook cannot be removed), with the guards' state cleared
the way the hostile samples clear it, and a control run without the hook showing that the same script then
gets through (so the check can fail)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
import gc, io, os, pickle, sys, _pickle
sys.path.insert(0, {root!r})
from grader.inside import audit, pickles, shipped
sub = {sub!r}
sys.path.insert(0, sub)
shipped.snapshot(sub)
pickles.install()
if {hook!r}:
    audit.install(["mine"])
if {bars_off!r}:  # the in-process bars turned off, as the hostile samples do it
    shipped._ROOTS.clear()
    shipped._KEYS.clear()
RawUnpickler = _pickle.Unpickler.__mro__[1] if _pickle.Unpickler.__module__ == "pickle" else _pickle.Unpickler
"""

EXEC_PICKLE = b"cbuiltins\nexec\n(X" + len(b"print('RAN')").to_bytes(4, "little") + b"print('RAN')" + b"tR."


def _run(
    tmp_path: Path, body: str, hook: bool = True, bars_off: bool = True
) -> subprocess.CompletedProcess[str]:
    sub = tmp_path / "sub"
    sub.mkdir(parents=True, exist_ok=True)
    (sub / "mine.py").write_text("class Weights:\n    def __init__(self):\n        self.w = [1, 2]\n")
    (sub / "exec.pkl").write_bytes(EXEC_PICKLE)
    script = SETUP.format(root=str(ROOT), sub=str(sub), hook=hook, bars_off=bars_off) + textwrap.dedent(body)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)


WRITTEN_MODULE = """
with open(os.path.join(sub, "written.py"), "w") as fh:
    fh.write("print('RAN')\\n")
try:
    import written
except ImportError as exc:
    print("REFUSED", type(exc).__name__, exc)
"""

WRITTEN_ZIP = """
import zipfile
z = os.path.join(sub, "data.bin")
with zipfile.ZipFile(z, "w") as zf:
    zf.writestr("zipped.py", "print('RAN')\\n")
sys.path.insert(0, z)
try:
    import zipped
except ImportError as exc:
    print("REFUSED", type(exc).__name__)
"""

RAW_PICKLE = """
with open(os.path.join(sub, "exec.pkl"), "rb") as fh:
    try:
        RawUnpickler(fh).load()
    except pickle.UnpicklingError as exc:
        print("REFUSED", exc)
"""


@pytest.mark.parametrize("body", [WRITTEN_MODULE, WRITTEN_ZIP, RAW_PICKLE], ids=["module", "zip", "pickle"])
def test_code_nobody_scanned_is_refused_with_the_bars_off(tmp_path: Path, body: str) -> None:
    walled = _run(tmp_path, body)
    assert "RAN" not in walled.stdout and "REFUSED" in walled.stdout, walled.stdout + walled.stderr
    # control: the same script without the hook gets through (the bars alone are off)
    control = _run(tmp_path / "control", body, hook=False)
    assert "RAN" in control.stdout, control.stdout + control.stderr


def test_the_refusal_names_the_file_and_the_rule(tmp_path: Path) -> None:
    out = _run(tmp_path, WRITTEN_MODULE).stdout
    assert "written.py was changed or created while the submission ran" in out, out
    out = _run(tmp_path, RAW_PICKLE).stdout
    assert "builtins.exec is not one" in out, out


def test_honest_reads_imports_and_own_classes_pass(tmp_path: Path) -> None:
    body = """
    import mine, json.tool
    w = mine.Weights()
    path = os.path.join(sub, "weights.pkl")
    with open(path, "wb") as fh:
        pickle.dump({"net": w, "arr": __import__("numpy").arange(3)}, fh)
    with open(path, "rb") as fh:
        back = pickle.load(fh)
    with open(os.path.join(sub, "written.py"), "w") as fh:
        fh.write("x = 1\\n")
    with open(os.path.join(sub, "written.py")) as fh:  # a file written at run time read as data
        text = fh.read()
    print("OK", back["net"].w, back["arr"].tolist(), text.strip())
    """
    out = _run(tmp_path, body, bars_off=False)
    assert "OK [1, 2] [0, 1, 2] x = 1" in out.stdout, out.stdout + out.stderr


def test_a_pickle_from_memory_calls_no_code_either(tmp_path: Path) -> None:
    """The hook cannot see the stream: a pickle held in memory is refused `exec` like one read from a file."""
    body = """
    try:
        RawUnpickler(io.BytesIO(open(os.path.join(sub, "exec.pkl"), "rb").read())).load()
    except pickle.UnpicklingError as exc:
        print("REFUSED", exc)
    try:
        pickle.loads(open(os.path.join(sub, "exec.pkl"), "rb").read())
    except pickle.UnpicklingError as exc:
        print("REFUSED", exc)
    """
    out = _run(tmp_path, body)
    assert "RAN" not in out.stdout and out.stdout.count("REFUSED") == 2, out.stdout + out.stderr
    control = _run(tmp_path / "control", body, hook=False)
    assert control.stdout.count("RAN") == 2, control.stdout + control.stderr


def test_a_module_compiled_from_a_written_file_does_not_run(tmp_path: Path) -> None:
    """The runtime's reader replaced (its read of the file is then a data read): the module's code, compiled
    under the written file's name, is refused when it runs."""
    body = """
    path = os.path.join(sub, "written.py")
    with open(path, "w") as fh:
        fh.write("print('RAN')\\n")
    code = compile(open(path).read(), path, "exec")
    try:
        exec(code, {})
    except ImportError as exc:
        print("REFUSED", exc)
    """
    out = _run(tmp_path, body)
    assert "RAN" not in out.stdout and "REFUSED" in out.stdout, out.stdout + out.stderr
    control = _run(tmp_path / "control", body, hook=False)
    assert "RAN" in control.stdout, control.stdout + control.stderr


def test_a_tracer_is_refused(tmp_path: Path) -> None:
    """A tracer could rewrite the hook's arguments in its running frame: sys.settrace is refused."""
    body = """
    try:
        sys.settrace(lambda *a: None)
    except ImportError as exc:
        print("REFUSED", exc)
    """
    out = _run(tmp_path, body)
    assert "REFUSED sys.settrace is refused" in out.stdout, out.stdout + out.stderr


def test_nothing_gc_finds_leads_to_the_hook(tmp_path: Path) -> None:
    """No function gc can list or find as a referrer has the hook's code (its cells are its mutable part)."""
    body = """
    code = audit._hook.__code__.co_consts
    inner = [c for c in code if hasattr(c, "co_name") and c.co_name == "hook"][0]
    found = [f for f in gc.get_objects() if getattr(f, "__code__", None) is inner]
    found += [f for f in gc.get_referrers(inner) if callable(f)]
    print("FOUND", len(found))
    # control: a hook made the same way and added without gc.freeze is found
    sys.addaudithook(audit._hook(frozenset(), 0, frozenset(), frozenset(), pickles.DATA, ()))
    print("UNFROZEN", len([f for f in gc.get_objects() if getattr(f, "__code__", None) is inner]))
    """
    out = _run(tmp_path, body)
    assert "FOUND 0" in out.stdout and "UNFROZEN 1" in out.stdout, out.stdout + out.stderr
