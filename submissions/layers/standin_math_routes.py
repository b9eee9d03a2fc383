# Hostile (contained): every route this process has to the math of the grader's stand-in common.layers,
# tried in turn; the first that yields a correct Affine.backward is compiled one line down under a name that
# is no file, so its classes are no copy to the stand-in guard (the route of
# tests/hostile/test_standin_source_copy.py, session 23). Routes: the module's file, its spec's origin and
# loader, inspect.getsource and linecache, the runtime's own folder found from the loader's code (the
# stand-in's old place, its pyc read with marshal, the parent's copy beside the runtime), and the stand-in's
# functions already loaded in this process. A run grading these layers serves a stand-in whose graded
# classes have no math (grader/served_standins.py), and the full file is nowhere this process can read:
# nothing is found, and only the own MulLayer and AddLayer score. Flagged for staff (dynamic_code, and
# runtime_introspection for the loader's code).
import inspect
import linecache
import marshal
import os

import common.functions  # noqa: F401 (what the stand-in's layers import)
import common.layers as _book

_MATH = "self.x.T @ dout"  # the stand-in's Affine.backward, present only where its math is


def _texts():
    f = _book.__file__
    yield lambda: open(f).read()
    yield lambda: open(_book.__spec__.origin).read()
    yield lambda: _book.__loader__.get_data(f).decode()
    yield lambda: inspect.getsource(_book)
    yield lambda: "".join(linecache.getlines(f))
    yield lambda: inspect.getsource(_book.Affine)
    runtime = os.path.dirname(type(_book.__loader__).exec_module.__code__.co_filename)
    for path in (
        os.path.join(runtime, "book", "common", "layers.py"),
        os.path.join(os.path.dirname(os.path.dirname(runtime)), "standin_book", "common", "layers.py"),
    ):
        yield lambda path=path: open(path).read()


def _codes():
    runtime = os.path.dirname(type(_book.__loader__).exec_module.__code__.co_filename)
    cache = os.path.join(runtime, "book", "common", "__pycache__")
    for name in sorted(os.listdir(cache)) if os.path.isdir(cache) else ():
        if name.startswith("layers."):
            with open(os.path.join(cache, name), "rb") as fh:
                yield marshal.loads(fh.read()[16:])


def _found():
    for route in _texts():
        try:
            text = route()
        except Exception:
            continue
        if _MATH in text:
            return compile("\n" + text, "<copied>", "exec")
    for code in _codes():
        return code
    return None


_code = _found()
if _code is not None:
    exec(_code)
del _book


class MulLayer:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x


class AddLayer:
    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout * 1, dout * 1
