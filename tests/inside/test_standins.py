"""Installing the stand-ins: cached real copies of display libraries are dropped, nothing else is."""

from __future__ import annotations

import builtins
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from inside_helpers import modules_imported_by

from grader.inside import standins


@pytest.fixture
def restored_import_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    monkeypatch.setattr(sys, "modules", dict(sys.modules))
    added = [name for name in ("get_ipython", "display") if not hasattr(builtins, name)]
    yield
    for name in added:  # install() puts the notebook's builtins in place
        if hasattr(builtins, name):
            delattr(builtins, name)


@pytest.mark.usefixtures("restored_import_state")
def test_install_drops_a_cached_display_library_with_its_submodules(tmp_path: Path) -> None:
    for name in ("tqdm", "tqdm.auto", "matplotlib", "matplotlib.pyplot", "tqdmx"):
        sys.modules[name] = ModuleType(name)
    standins.install(str(tmp_path))
    assert not {"tqdm", "tqdm.auto", "matplotlib", "matplotlib.pyplot"} & set(sys.modules)
    assert "tqdmx" in sys.modules  # not a display library, only a name that starts like one
    import tqdm  # type: ignore[import-untyped]

    assert isinstance(tqdm, ModuleType) and list(tqdm.tqdm([1, 2])) == [1, 2]  # the inert one


@pytest.mark.usefixtures("restored_import_state")
def test_install_leaves_sys_modules_alone_when_no_display_library_is_cached(tmp_path: Path) -> None:
    for name in [n for n in sys.modules if n.split(".")[0] in standins.MADE_PACKAGES]:
        del sys.modules[name]
    before = dict(sys.modules)
    standins.install(str(tmp_path))
    assert sys.modules == before


@pytest.mark.usefixtures("restored_import_state")
def test_a_data_library_imports_and_stops_the_code_that_calls_it(tmp_path: Path) -> None:
    """scikit-learn's stand-in: any submodule and name imports; a call raises a FileNotFoundError (the note a
    missing data set gets) naming the function; dunder lookups stay AttributeErrors (import machinery)."""
    for name in [n for n in sys.modules if n.split(".")[0] == "sklearn"]:
        del sys.modules[name]
    registry = standins.install(str(tmp_path))
    from sklearn.datasets import load_boston  # type: ignore[import-untyped]
    from sklearn.utils import resample, shuffle  # type: ignore[import-untyped]

    unavailable = r"scikit-learn is not available while grading \(sklearn.datasets.load_boston\)"
    with pytest.raises(FileNotFoundError, match=unavailable):
        load_boston()
    for fn in (shuffle, resample):
        with pytest.raises(standins.data.DataLibraryNeeded, match=f"sklearn.utils.{fn.__name__}"):
            fn([1, 2, 3])
    with pytest.raises(AttributeError):
        sys.modules["sklearn.utils"].__wrapped__  # noqa: B018
    uses = [(u.module, u.kind) for u in registry.uses]
    assert uses[:2] == [("sklearn", "data"), ("sklearn.datasets", "data")]


@pytest.mark.usefixtures("restored_import_state")
def test_pandas_stands_in_as_a_data_library_by_its_own_name(tmp_path: Path) -> None:
    for name in [n for n in sys.modules if n.split(".")[0] == "pandas"]:
        del sys.modules[name]
    standins.install(str(tmp_path))
    import pandas as pd  # type: ignore[import-untyped]

    unavailable = r"^pandas is not available while grading \(pandas.read_csv\)$"
    with pytest.raises(FileNotFoundError, match=unavailable):
        pd.read_csv("train.csv")


@pytest.mark.usefixtures("restored_import_state")
def test_a_data_library_class_is_a_class_that_cannot_be_built(tmp_path: Path) -> None:
    """`isinstance(x, pd.DataFrame)` in a graded method is False, not a TypeError (a function is no type);
    a subclass can be defined; building one stops there as a call does; each name is one object."""
    for name in [n for n in sys.modules if n.split(".")[0] == "pandas"]:
        del sys.modules[name]
    standins.install(str(tmp_path))
    import pandas as pd

    assert pd.DataFrame is pd.DataFrame and not isinstance([1.0], pd.DataFrame)

    class Frame(pd.DataFrame):  # type: ignore[misc]
        pass

    with pytest.raises(standins.data.DataLibraryNeeded, match=r"\(pandas.DataFrame\)"):
        Frame({"x": [1]})
    assert callable(pd.read_csv) and not isinstance(pd.read_csv, type)


@pytest.mark.usefixtures("restored_import_state")
def test_a_book_module_by_its_bare_name_is_the_common_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`import functions` in a flattened copy of the book is the root's common/functions.py, the very module
    `common.functions` (one state); `import layers`, which the root lacks, is the stand-in common.layers, as
    `import common.layers` is; both recorded for the warnings."""
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "__init__.py").write_text("")
    (tmp_path / "common" / "functions.py").write_text("def softmax(x):\n    return 'support softmax'\n")
    for name in ("common", "common.functions", "common.layers", "functions", "layers"):
        sys.modules.pop(name, None)
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    registry = standins.install(str(tmp_path))
    import common.functions  # type: ignore[import-not-found]
    import functions  # type: ignore[import-not-found]
    import layers  # type: ignore[import-not-found]

    assert functions is common.functions and functions.softmax(0) == "support softmax"
    assert layers is sys.modules["common.layers"] and registry.is_standin(layers.Relu)
    uses = [(u.module, u.kind) for u in registry.uses]
    assert ("functions", "flat") in uses and ("layers", "flat") in uses and ("common.layers", "book") in uses


@pytest.mark.usefixtures("restored_import_state")
def test_notebook_import_packages_are_the_submissions_own_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`import import_ipynb` imports (an empty module), `ipynb.fs.full.nb_layers` is the submission's module
    `nb_layers` itself (the loader's module of nb_layers.ipynb), never registered as a stand-in; both
    recorded for the warnings. Controls: a notebook the submission lacks is a missing module, and so is any
    module that is no notebook of the submission (`ipynb.fs.full.gc` was gc, which the scan reads as no
    import of gc; a plain .py of the submission; review of session 18)."""
    from grader.inside import cells

    (tmp_path / "nb_layers.py").write_text(cells.header("nb_layers.ipynb") + "\nclass Affine:\n    pass\n")
    (tmp_path / "plain.py").write_text("class Relu:\n    pass\n")
    for name in (
        "import_ipynb",
        "ipynb",
        "ipynb.fs",
        "ipynb.fs.full",
        "ipynb.fs.full.nb_layers",
        "nb_layers",
    ):
        sys.modules.pop(name, None)
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    registry = standins.install(str(tmp_path))
    import import_ipynb  # type: ignore[import-not-found]  # noqa: F401
    import nb_layers  # type: ignore[import-not-found]
    from ipynb.fs.full.nb_layers import Affine  # type: ignore[import-not-found]

    assert Affine is nb_layers.Affine and not registry.is_standin(Affine)
    uses = [(u.module, u.kind) for u in registry.uses]
    assert uses == [("import_ipynb", "notebook"), ("ipynb.fs.full.nb_layers", "notebook")]
    with pytest.raises(ModuleNotFoundError):
        import ipynb.fs.defs.nb_missing  # type: ignore[import-not-found]  # noqa: F401
    for other in ("ipynb.fs.full.gc", "ipynb.fs.full.ctypes", "ipynb.fs.defs.plain"):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(other)


@pytest.mark.usefixtures("restored_import_state")
def test_a_bare_book_name_is_unanswered_without_the_common_package(tmp_path: Path) -> None:
    """A root without `common` (MiniFlow, DeZero): `import functions` stays a missing module."""
    for name in ("functions", "layers"):
        sys.modules.pop(name, None)
    standins.install(str(tmp_path))
    with pytest.raises(ModuleNotFoundError):
        import functions  # type: ignore[import-not-found]  # noqa: F401


def test_the_student_processes_modules_leave_importlib_resources_unloaded(tmp_path: Path) -> None:
    """A worker imports the stand-ins for its student processes at every start: their loaders need no
    importlib.abc, which would load importlib.resources, pathlib and urllib (a cold `grader check` waits)."""
    imported = modules_imported_by("inside.server, inside.student", tmp_path)
    assert "inside.standins" in imported
    assert not imported & {"importlib.abc", "importlib.resources", "pathlib", "urllib.parse"}


def _scipy_special() -> ModuleType:
    """The real SciPy's special module (the oracle), imported before the stand-in is installed."""
    return pytest.importorskip("scipy.special")


@pytest.mark.parametrize(
    "x",
    [
        np.array([[-800.0, -30.0, -1.5, 0.0], [0.25, 2.0, 40.0, 900.0]]),
        np.linspace(-6, 6, 13).reshape(13, 1) * np.array([[1.0, 0.5, 3.0]]),
        np.array(-3),
        2.5,
    ],
)
def test_scipy_special_functions_give_scipys_values(x: object) -> None:
    """expit, logit, softmax, log_softmax and logsumexp of the stand-in agree with SciPy itself (installed
    for the tests, never while grading) on large, small and mixed inputs, every axis, keepdims, a scalar."""
    real = _scipy_special()
    ours = standins.scientific
    a = np.asarray(x, dtype=np.float64)
    np.testing.assert_allclose(ours.expit(x), real.expit(x), rtol=1e-15, atol=0)
    p = real.expit(a / 4)
    np.testing.assert_allclose(ours.logit(p), real.logit(p), rtol=1e-12, atol=1e-15)
    finite = np.clip(a, -50, 50)
    for axis in (None, *range(a.ndim)):
        for name in ("softmax", "log_softmax"):
            got, want = getattr(ours, name)(finite, axis=axis), getattr(real, name)(finite, axis=axis)
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)
        for keepdims in (False, True) if a.ndim else (False,):  # SciPy keeps a 0-d input's dims as (1,)
            got = ours.logsumexp(a, axis=axis, keepdims=keepdims)
            want = real.logsumexp(a, axis=axis, keepdims=keepdims)
            assert np.shape(got) == np.shape(want)
            np.testing.assert_allclose(got, want, rtol=1e-13)


def test_book_layers_names_every_class_of_the_layers_stand_in_and_each_method_calls_the_guard() -> None:
    """standins.BOOK_LAYERS is the stand-in common/layers.py's classes, and each of their methods but
    `__init__` (the book's, computing nothing) calls the grader's guard first (a method without it would run
    for a graded layer unrefused)."""
    import ast

    from grader.inside import standins
    from grader.served_standins import BOOK_DIR, LAYERS

    source = BOOK_DIR / LAYERS
    tree = ast.parse(source.read_text(encoding="utf-8"))
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    assert {c.name for c in classes} == standins.BOOK_LAYERS
    for cls in classes:
        for method in (n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name != "__init__"):
            first = ast.unparse(method.body[0])
            assert first == "if _GRADER_GUARD is not None:\n    _GRADER_GUARD()", f"{cls.name}.{method.name}"


@pytest.mark.usefixtures("restored_import_state")
def test_the_stand_in_layers_guard_holds_whatever_is_done_to_the_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a graded layer is called, the stand-in's layers refuse to run; rebinding the module's
    `_GRADER_GUARD` through any module object changes nothing (the methods read a namespace of their own),
    and the guard is a plain function, with no `__self__` leading to the registry (session 21, sample
    layers/standin_guard_unflagged.py: 29 / 29 before, unflagged)."""
    for name in ("common", "common.layers"):
        sys.modules.pop(name, None)
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    registry = standins.install(str(tmp_path))
    import common.layers as layers  # type: ignore[import-not-found]

    x = np.array([[1.0, -2.0]])
    assert not hasattr(layers._GRADER_GUARD, "__self__")
    np.testing.assert_array_equal(layers.Relu().forward(x), [[1.0, 0.0]])  # no graded call: it runs
    registry.layer_call = "Relu"
    refused = r"Relu ran the grader's stand-in common\.layers\.Relu"
    with pytest.raises(standins.LayerCallRefused, match=refused):
        layers.Relu().forward(x)  # the negative control: the guard refuses

    def reset(module: ModuleType) -> None:  # the module's name rebound through an alias the scan misses
        module._GRADER_GUARD = None  # type: ignore[attr-defined]

    reset(layers)
    registry.layer_refused = None
    with pytest.raises(standins.LayerCallRefused):
        layers.Relu().forward(x)
    assert registry.layer_refused is not None and "Relu.forward" in registry.layer_refused


@pytest.mark.usefixtures("restored_import_state")
def test_the_notebook_builtins_are_plain_functions_with_no_registry_as_self(tmp_path: Path) -> None:
    """get_ipython and display, handed to every submission, are no bound methods: `type(get_ipython.__self__)
    .layer_call = property(...)` turned the stand-in layers' guard off (session 21, review of s21-hostile:
    layers/standin_guard_unflagged.py). The negative control: the registry's own method has the registry as
    its __self__, which is what the builtin must not hand out."""
    for name in ("get_ipython", "display"):
        if hasattr(builtins, name):
            delattr(builtins, name)
    registry = standins.install(str(tmp_path))
    for name in ("get_ipython", "display"):
        handed = getattr(builtins, name)
        assert not hasattr(handed, "__self__"), name
        assert getattr(registry, name).__self__ is registry  # what unbinding takes away
    # and still answers as the registry's method does
    assert type(builtins.get_ipython()) is type(registry.get_ipython())  # type: ignore[attr-defined]
