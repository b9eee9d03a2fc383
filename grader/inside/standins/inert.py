"""Modules that only display things (plots, progress bars, rich output, images), replaced by inert ones.

Grading never needs a picture. A submission that draws its loss curve or wraps a loop in `tqdm` keeps
running: every call on these modules does nothing and returns another inert object, and progress bars pass
their iterable through unchanged. The same goes for what only a notebook has: a notebook host's helpers
(`google.colab`) and the kernel itself, `get_ipython()`, which a notebook exported to a .py file calls for
every magic (`get_ipython().run_line_magic('matplotlib', 'inline')`).
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Iterator
from typing import Any

# Top-level modules replaced whole (with every submodule: matplotlib.pyplot, PIL.Image, tqdm.auto ...).
# ipywidgets: a notebook's sliders (`interact(train, lr=FloatSlider(...))`), display only.
DISPLAY_PACKAGES = ("matplotlib", "seaborn", "tqdm", "IPython", "PIL", "mpl_toolkits", "ipywidgets")
# A notebook host's helpers: `from google.colab import drive; drive.mount(...)` opens most Colab notebooks.
# No other `google` package is available while grading, so the whole name is inert.
HOST_PACKAGES = ("google",)
INERT_PACKAGES = DISPLAY_PACKAGES + HOST_PACKAGES


class Inert:
    """Anything: calling it, reading an attribute or an item, entering it as a context gives an Inert."""

    def __call__(self, *args: Any, **kwargs: Any) -> Inert:
        return Inert()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Inert()

    def __getitem__(self, key: Any) -> Inert:
        return Inert()

    def __setitem__(self, key: Any, value: Any) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __enter__(self) -> Inert:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __repr__(self) -> str:
        return "<nothing: display libraries are inert while grading>"


def _subplots(*args: Any, **kwargs: Any) -> tuple[Inert, Inert]:
    return Inert(), Inert()  # `fig, ax = plt.subplots(...)` unpacks two things


class ProgressBar:
    """`tqdm(iterable)`: the iterable itself, plus the methods a loop body calls on its bar."""

    def __init__(self, iterable: Iterable[Any] | None = None, *args: Any, **kwargs: Any) -> None:
        self.iterable = iterable if iterable is not None else ()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.iterable)

    def __len__(self) -> int:
        return len(self.iterable)  # type: ignore[arg-type]

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Inert()  # update, set_description, set_postfix, close, write ...


def _trange(*args: Any, **kwargs: Any) -> ProgressBar:
    return ProgressBar(range(*args))


# Names with a behaviour of their own; every other name of an inert module is an Inert.
SPECIAL: dict[str, dict[str, Any]] = {
    "tqdm": {"tqdm": ProgressBar, "trange": _trange},
    "matplotlib.pyplot": {"subplots": _subplots},
}


def make_module(fullname: str) -> types.ModuleType:
    """An inert module (a package, so that any submodule can be imported too)."""
    module = types.ModuleType(fullname, "inert stand-in: display libraries draw nothing while grading")
    module.__path__ = []
    module.__all__ = []  # type: ignore[attr-defined]  # `from matplotlib.pyplot import *` imports nothing (and does not fail)
    top = fullname.split(".")[0]
    special = SPECIAL.get(fullname) or (SPECIAL["tqdm"] if top == "tqdm" else {})
    for name, value in special.items():
        setattr(module, name, value)

    def __getattr__(name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Inert()

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    return module
