"""The one path check shared by the loader and the sandbox: what it refuses, why, and what it accepts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader.inside.paths import MAX_DEPTH, UnsafePath, check_relpath, check_tree, shown


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("", "empty"),
        ("/etc/passwd", "absolute"),
        ("C:/x.py", "absolute"),
        ("../evil.py", "'..'"),
        ("a/../../evil.py", "'..'"),
        (".", "'.' as a folder"),
        ("./a.py", "'.' as a folder"),
        ("a//b.py", "empty folder name"),
        ("a/", "empty folder name"),
        ("a\\b.py", "backslash"),
        ("a\x00.py", "NUL"),
        ("a\x1b[31m.py", "control characters"),
        ("\u202egnp.py", "bidi"),
        ("caf\udce9.py", "not valid UTF-8"),
        ("x" * 256 + ".py", "longer than 255 bytes"),
        ("é" * 128 + ".py", "longer than 255 bytes"),  # 259 bytes in UTF-8, 131 characters
        ("/".join(["d"] * MAX_DEPTH) + "/a.py", "folders deep"),
    ],
)
def test_refused_paths_say_why(path: str, why: str) -> None:
    """Each unsafe name is refused with a reason a student can act on."""
    with pytest.raises(UnsafePath) as err:
        check_relpath(path)
    assert why in err.value.reason and err.value.path == path


@pytest.mark.parametrize(
    "path",
    [
        "layers.py",
        "common/functions.py",
        "ch05/two_layer_net.py",
        "José García.py",
        "a b/c-d_e.py",
        "x" * 255,
    ],
)
def test_ordinary_paths_pass_unchanged(path: str) -> None:
    """Negative control: nested paths, spaces, accents and a 255-byte name are returned as given."""
    assert check_relpath(path) == path


def test_file_that_is_also_a_folder_is_refused() -> None:
    """`a` and `a/b.py` cannot both be written: refused, naming both."""
    with pytest.raises(UnsafePath) as err:
        check_tree(["a", "a/b.py"])
    assert err.value.path == "a" and "'a/b.py' needs a folder" in err.value.reason


def test_file_that_is_a_folder_entry_is_refused() -> None:
    """An archive's folder entry `a/` and a file `a` clash too."""
    with pytest.raises(UnsafePath):
        check_tree(["a"], folders=["a"])


def test_duplicates_and_case_folded_duplicates_are_refused() -> None:
    """The same name twice, or two names equal but for case (Model.py, model.py), are refused."""
    with pytest.raises(UnsafePath, match="appears twice"):
        check_tree(["a.py", "a.py"])
    with pytest.raises(UnsafePath, match="upper/lower case"):
        check_tree(["Model.py", "model.py"])
    with pytest.raises(UnsafePath, match="upper/lower case"):
        check_tree(["Common/x.py", "common/y.py"])


def test_a_well_formed_tree_passes() -> None:
    """Negative control: a book layout with nested folders and a folder entry passes."""
    check_tree(
        ["common/layers.py", "common/functions.py", "ch05/two_layer_net.py"], folders=["common", "ch05"]
    )


def test_shown_makes_any_name_readable_and_inert() -> None:
    """Bad bytes and controls are shown escaped, ordinary names quoted as they are."""
    assert shown("caf\udce9.py") == "'caf\\xe9.py'"
    assert shown("a\x1b[31m.py") == "'a\\x1b[31m.py'"
    assert shown("José.py") == "'José.py'"
    assert "\x1b" not in shown("\x1b" * 500) and len(shown("\x1b" * 500)) <= 120


def test_paths_module_is_sandbox_importable() -> None:
    """It runs inside the sandbox too: stdlib imports only, no absolute import of the grader package."""
    source = (Path(__file__).resolve().parents[2] / "grader" / "inside" / "paths.py").read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            assert node.level > 0 or node.module in ("__future__", "collections.abc"), node.module
        elif isinstance(node, ast.Import):
            assert all(a.name in ("unicodedata",) for a in node.names)
