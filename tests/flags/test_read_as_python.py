"""grader/flags/read_as_python.py: whether a submission names optparse is read from its files as Python reads
them (decoded by the coding line, identifiers NFKC-normalised), not from their bytes; each spelling below got
no flag on the raw-bytes search, and ran correct backward passes kept as text at 43 / 43 (the sample)."""

from __future__ import annotations

import ast
import json
import sysconfig
from pathlib import Path

import pytest

from grader.assignments import load_assignment
from grader.flags import scan_submission
from grader.flags.read_as_python import names
from grader.flags.scan import OPTPARSE_WORDS
from grader.loaders import load_submission

REPO = Path(__file__).resolve().parents[2]
FULLWIDTH_O = "\uff4f"  # NFKC: "o"
CALLS = b"from b import V\nV().read_file('x.py')\n"  # a.py: a Values handed in by b.py (line 2 runs it)

# b.py handing a.py optparse's Values under a spelling whose bytes never hold "optparse"
HANDED = {
    "fullwidth": f"import {FULLWIDTH_O}ptparse\nV = {FULLWIDTH_O}ptparse.Values\n".encode(),
    "utf-7": b"# coding: utf-7\nimport +AG8-ptparse\nV = +AG8-ptparse.Values\n",
    "cp932": f"# coding: cp932\nimport {FULLWIDTH_O}ptparse\nV = {FULLWIDTH_O}ptparse.Values\n".encode(
        "cp932"
    ),
}


@pytest.mark.parametrize("spelling", sorted(HANDED))
def test_optparse_named_in_a_spelling_python_normalises_makes_read_file_judged(spelling: str) -> None:
    """Any file naming optparse as Python reads it makes every file's `.read_file` judged (the rule of
    test_runtime.py's split sample), whatever its bytes."""
    files = {"a.py": CALLS, "b.py": HANDED[spelling]}
    assert b"optparse" not in files["b.py"]
    assert [(f.code, f.file, f.line) for f in scan_submission(files)] == [("dynamic_code", "a.py", 2)]


def test_one_file_reaching_optparse_as_another_modules_attribute_is_flagged() -> None:
    """`lib2to3.main.ｏptparse.Values().read_file(...)`: one file, no import of optparse, no byte of its
    name."""
    source = f"import lib2to3.main as m\nm.{FULLWIDTH_O}ptparse.Values().read_file('x.py')\n".encode()
    assert [(f.code, f.line) for f in scan_submission({"a.py": source})] == [("dynamic_code", 2)]


def test_other_text_and_undecodable_files_name_nothing() -> None:
    """The controls: an argparse Namespace beside non-ASCII and cp932 text that names no optparse gets no
    flag; a file Python cannot decode (a coding line naming a codec that is no text encoding) names nothing
    and raises nothing."""
    other = "# coding: cp932\n# 設定を読む\nimport argparse\nV = argparse.Namespace\n".encode("cp932")
    assert scan_submission({"a.py": CALLS, "b.py": other}) == ()
    assert scan_submission({"a.py": CALLS, "b.py": "# ｐｒｉｎｔ\nV = dict\n".encode()}) == ()
    assert not names(b"# coding: rot13\nbcgcnefr = 1\n", "optparse")
    assert not names(b"# coding: no-such-codec\nx = 1\n", "optparse")


# optparse named only in a string's value, the attribute of lib2to3.main read by getattr (session 38: 43 / 43
# and no flag, sample miniflow/hidden_code_optparse_escaped.py); line 2 runs the file
ESCAPED = {
    "hex escape": b"import lib2to3.main as m\ngetattr(m, '\\x6fptparse').Values().read_file('x.py')\n",
    "octal escape": b"import lib2to3.main as m\ngetattr(m, '\\157ptparse').Values().read_file('x.py')\n",
    "named escape": b"import lib2to3.main as m\n"
    b"getattr(m, '\\N{LATIN SMALL LETTER O}ptparse').Values().read_file('x.py')\n",
    "adjacent literals": b"from lib2to3 import main\n"
    b"getattr(main, 'opt' 'parse').Values().read_file('x.py')\n",
}


@pytest.mark.parametrize("spelling", sorted(ESCAPED))
def test_optparse_reached_by_a_string_that_spells_it_only_as_a_value_is_flagged(spelling: str) -> None:
    """getattr(lib2to3.main, <a string whose value is 'optparse'>).Values().read_file(...): neither the bytes
    nor Python's reading of the identifiers name optparse; the module holding it does."""
    source = ESCAPED[spelling]
    assert b"optparse" not in source
    assert [(f.code, f.line) for f in scan_submission({"a.py": source})] == [("dynamic_code", 2)]


def _top_level_imports(tree: ast.Module) -> set[str]:
    """The modules a module imports when it is imported: its top-level statements, if/try blocks included
    (a function's own import binds nothing in the module's namespace)."""
    found: set[str] = set()
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
        elif isinstance(node, (ast.If, ast.Try)):
            pending.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt))
            if isinstance(node, ast.Try):
                pending.extend(stmt for handler in node.handlers for stmt in handler.body)
    return found


def test_every_module_of_the_standard_library_holding_optparse_is_named_by_a_gate_word() -> None:
    """A module of the installed standard library that imports optparse at its top holds it as an attribute,
    which getattr with a literal name reads unflagged: a file reaching it must write a gate word (its name
    holds one). The census finds lib2to3.main at least, so it cannot pass on an empty walk."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    holders = set()
    for path in stdlib.rglob("*.py"):
        rel = path.relative_to(stdlib)
        if {"site-packages", "dist-packages", "test", "tests"} & set(rel.parts):
            continue
        data = path.read_bytes()
        if b"optparse" not in data:
            continue
        try:
            tree = ast.parse(data)
        except SyntaxError:
            continue  # lib2to3's test data
        if "optparse" in _top_level_imports(tree):
            holders.add(".".join(rel.with_suffix("").parts).removesuffix(".__init__"))
    holders.discard("optparse")
    assert "lib2to3.main" in holders
    assert [h for h in sorted(holders) if not any(word in h for word in OPTPARSE_WORDS)] == []


@pytest.mark.parametrize("name", ["hidden_code_optparse_normalised.py", "hidden_code_optparse_escaped.py"])
def test_the_sample_gets_its_expected_flag(name: str) -> None:
    """submissions/miniflow/hidden_code_optparse_*.py: flagged where its expected.json entry says (the sample
    sweep, tests/samples/test_expected.py, grades them: 43 / 43)."""
    expected = json.loads((REPO / "submissions" / "miniflow" / "expected.json").read_text(encoding="utf-8"))
    path = REPO / "submissions" / "miniflow" / name
    assert b"optparse" not in path.read_bytes()
    a = load_assignment("miniflow")
    flags = scan_submission(
        load_submission(path).files, graded=(*a.required, *a.optional), forbidden_imports=a.forbidden_imports
    )
    got: dict[str, list[int]] = {}
    for f in flags:
        got.setdefault(f.code, []).append(f.line)
    assert got == expected["samples"][name]["flags"]
