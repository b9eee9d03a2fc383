"""Python 3's errors on code written for Python 2, said as such.

MiniFlow was taught on Python 2.7: `input_nodes = feed_dict.keys()` then `nodes.pop(0)` worked there, where
`dict.keys()` was a list. Python 3 says "'dict_keys' object has no attribute 'pop'", which does not say what
changed. Each explainer reads the exception's text (the student's process's claim: text only, never trusted
for more than a sentence) and returns one clause to append, or None.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable, Sequence

from .numpy_errors import first_clause, pattern_clause

# A view or an iterator where Python 2 gave a list, then used as a list: an attribute a list has (`.pop`,
# `.sort`, `.append`), an index, or an item assignment.
_NOT_A_LIST = re.compile(
    r"'(dict_keys|dict_values|dict_items|odict_keys|odict_values|odict_items|map|filter|zip|range)' object "
    r"(?:has no attribute '(?:pop|sort|append|remove|insert|extend|index|reverse)'|is not subscriptable|"
    r"does not support item assignment)"
)
_WHAT = {
    "dict_keys": "dict.keys() is a view",
    "dict_values": "dict.values() is a view",
    "dict_items": "dict.items() is a view",
    # DLFS's TwoLayerNet keeps its layers in an OrderedDict: `layers = self.layers.values(); layers.reverse()`
    # (sample submissions/layers/two_layer_net_py2_values_reverse.py)
    "odict_keys": "OrderedDict.keys() is a view",
    "odict_values": "OrderedDict.values() is a view",
    "odict_items": "OrderedDict.items() is a view",
    "map": "map() returns an iterator",
    "filter": "filter() returns an iterator",
    "zip": "zip() returns an iterator",
    "range": "range() is a range object",
}


# Methods Python 3 removed from dict (`for n, v in feed_dict.iteritems()` in a Python 2.7 topological_sort):
# "'dict' object has no attribute 'iteritems'" did not say the code is Python 2, and blame then advised on
# how gradients are combined (sample submissions/miniflow/python2_iteritems.py).
# OrderedDict and defaultdict too: the book's TwoLayerNet keeps its layers in an OrderedDict, and Python 2
# code walks them with `self.layers.itervalues()` (sample submissions/layers/two_layer_net_py2_itervalues.py).
_REMOVED_FROM_DICT = re.compile(
    r"'(?:collections\.)?(?:dict|OrderedDict|defaultdict|Counter)' object has no attribute "
    r"'(iteritems|itervalues|iterkeys|has_key)'"
)
_DICT_SPELLING = {
    "iteritems": "d.items()",
    "itervalues": "d.values()",
    "iterkeys": "d.keys()",
    "has_key": "key in d",
}


# A size or an index computed with `/`, which floored two ints in Python 2 and gives a float in Python 3: a
# chapter-7 Convolution ported from Python 2 code, `out_h = 1 + (H + 2*pad - FH) / stride`, then
# `np.zeros((N, C, FH, FW, out_h, out_w))` or `reshape(N, out_h, out_w, -1)`, or a loop `range(H / 2)`. Python
# said "'float' object cannot be interpreted as an integer", which names neither the size nor the `/`
# (sample submissions/dlfs-advanced/py2_true_division.py).
_FLOAT_AS_INTEGER = re.compile(
    r"('(?:numpy\.)?float(?:16|32|64)?') object cannot be interpreted as an integer"
)
# The same `/` in a slice bound (`img[:, :, y:y_max:stride]`); Python's words do not say the bound's type, so
# the clause says "if".
_SLICE_NOT_INTEGER = re.compile(r"(slice indices) must be integers or None or have an __index__ method")
# Each course's own example, said when the student's code at hand shows no `/`: MiniFlow's nn.py
# (`steps_per_epoch = m / batch_size`, then `range(steps_per_epoch)`); the book's convolution for the others
# (its im2col's `out_h`, which a DLFS file's `np.zeros((N, C, FH, FW, out_h, out_w))` fails on). One example
# for every family gave a convolution's `out_h` to a MiniFlow file (s29-realmf), then MiniFlow's
# `steps_per_epoch` to a DLFS convolution (review of s29-realmf).
LESSON_DIVISION = {"miniflow": "steps_per_epoch = m // batch_size"}
BOOK_DIVISION = "out_h = (H + 2*pad - FH) // stride + 1"
_OPENING, _CLOSING = frozenset("([{"), frozenset(")]}")


def _true_division(example: str | None, family: str) -> str:
    return (
        "in Python 3 `/` always gives a float (Python 2 floored two ints; Python 2 code?): compute it with "
        f"`//`, e.g. {example or LESSON_DIVISION.get(family, BOOK_DIVISION)}, or wrap it in int(...)"
    )


def floored(line: str, *, bracketed: bool = False) -> str | None:
    """`line` with each true division `/` written `//` (not `/=`, nor a `/` inside a string), or None when it
    divides nothing: an example of the fix in the student's own code. `bracketed`: only the divisions inside
    a call's or a subscript's brackets, for the line that failed: there a size or a bound is an argument
    (`range(m / b)`, `np.zeros((N, (H - FH) / stride + 1))`), and a division outside every bracket is the
    value assigned, not the size (`W = np.random.randn(n_in, n_hidden) / np.sqrt(n_in)`: `//` there floors the
    scaling, and the float is the n_hidden assigned above)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line.strip()).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    slashes, depth = [], 0
    for t in tokens:
        if t.type != tokenize.OP or t.start[0] != 1:
            continue
        depth += (t.string in _OPENING) - (t.string in _CLOSING)
        if t.string == "/" and (depth > 0 or not bracketed):
            slashes.append(t.start[1])
    if not slashes:
        return None
    text = line.strip()
    for column in reversed(slashes):
        text = f"{text[:column]}/{text[column:]}"
    return text


def division_in_source(lines: Sequence[str], stopped: int) -> str | None:
    """The fix of the division that made a top-level line fail, from the file's own code: the failing line
    itself when it divides, else the nearest assignment above it, of a name the line reads, that divides
    (nn.py's `steps_per_epoch = m / batch_size`, read by `for j in range(steps_per_epoch):` nine lines on).
    `stopped` counts from 1."""
    if not 0 < stopped <= len(lines):
        return None
    line = lines[stopped - 1]
    own = floored(line, bracketed=True)
    if own is not None:
        return own
    read = set(re.findall(r"[A-Za-z_]\w*", line))
    for above in reversed(lines[: stopped - 1]):
        if not read:
            break
        assigned = _ASSIGNED.match(above)
        if assigned and assigned.group(1) in read:
            # each name's nearest assignment only (an earlier one was rebound); one that divides nothing
            # (`n_features = X_.shape[1]` under `n_hidden = 13 / 2`) leaves the line's other names to look for
            read.discard(assigned.group(1))
            divided = floored(above)
            if divided is not None:
                return divided
    return None


_ASSIGNED = re.compile(r"\s*([A-Za-z_]\w*)\s*=[^=]")


EXPLAINERS: tuple[Callable[[str], str | None], ...] = (
    pattern_clause(
        _NOT_A_LIST,
        lambda kind: (
            f"in Python 3 {_WHAT[kind]}, not the list Python 2 gave (Python 2 code?): wrap it in "
            "list(...) where a list is needed"
        ),
    ),
    pattern_clause(
        _REMOVED_FROM_DICT,
        lambda method: (
            f"d.{method}() is Python 2's (Python 2 code?): Python 3 spells it {_DICT_SPELLING[method]}"
        ),
    ),
    pattern_clause(
        _FLOAT_AS_INTEGER,
        lambda _: "a size or a range is a float where a whole number is needed: {division}",
    ),
    pattern_clause(
        _SLICE_NOT_INTEGER,
        lambda _: "a slice bound is not a whole number; if it was computed with `/`: {division}",
    ),
)


def explain(message: str, example: str | None = None, family: str = "") -> str | None:
    """One clause that says what a Python 2 habit in `message` likely was, or None. `example`: the student's
    own division written with `//`, when the caller found one (the family's course's otherwise)."""
    clause = first_clause(EXPLAINERS, message)
    return None if clause is None else clause.replace("{division}", _true_division(example, family))


# Modules of Python 2's standard library that Python 3 renamed or moved: `import cPickle as pickle` at the top
# of a DLFS training script (saving the params), `import urllib2` in a Python 2 port of dataset/mnist.py.
# Python 3 stops the whole file with "no module named 'cPickle'", which the grader said as "... in the
# submission or the standard library; only numpy, the standard library ... are available": read as the
# grader lacking a module, not as the code being Python 2's (sample submissions/layers/py2_cpickle_params.py).
RENAMED_MODULES = {
    "cPickle": "pickle",
    "cStringIO": "io",
    "StringIO": "io",
    "urllib2": "urllib.request",
    "urlparse": "urllib.parse",
    "Queue": "queue",
    "ConfigParser": "configparser",
    "Tkinter": "tkinter",
    "tkMessageBox": "tkinter.messagebox",
    "httplib": "http.client",
    "HTMLParser": "html.parser",
    "cookielib": "http.cookiejar",
    "SocketServer": "socketserver",
    "copy_reg": "copyreg",
    "__builtin__": "builtins",
    "commands": "subprocess",
    "thread": "_thread",
}
# Names Python 2's modules had and Python 3's lost: `from itertools import izip`.
RENAMED_IMPORTS = {
    ("itertools", "izip"): "the builtin zip",
    ("itertools", "imap"): "the builtin map",
    ("itertools", "ifilter"): "the builtin filter",
    ("itertools", "izip_longest"): "itertools.zip_longest",
    ("urllib", "urlretrieve"): "urllib.request.urlretrieve",
    ("urllib", "urlopen"): "urllib.request.urlopen",
    ("urllib", "urlencode"): "urllib.parse.urlencode",
    ("urllib", "quote"): "urllib.parse.quote",
    ("string", "maketrans"): "str.maketrans",
}


def module_hint(module: str) -> str | None:
    """What a Python 2 module a failed import named is in Python 3, or None."""
    top = module.split(".")[0]
    new = RENAMED_MODULES.get(top)
    if new is None:
        return None
    return (
        f"{top} is a module of Python 2 (Python 2 code? this grader runs Python 3): Python 3 names it {new}, "
        f"`import {new}`"
    )


def name_hint(module: str, names: list[str]) -> str | None:
    """What a name Python 2's module had (`from itertools import izip`) is in Python 3, or None."""
    found = [(n, RENAMED_IMPORTS[(module, n)]) for n in names if (module, n) in RENAMED_IMPORTS]
    if not found:
        return None
    spelt = "; ".join(f"{module}.{n} is Python 2's, Python 3 has {new}" for n, new in found)
    return f"{spelt} (Python 2 code? this grader runs Python 3)"
