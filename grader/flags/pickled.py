"""Data files that run code when loaded: pickles, and NumPy arrays of Python objects (a pickle inside).

`pickle.load(open("checkpoint.pkl", "rb"))` looks like reading saved weights, but unpickling calls whatever
the file names (`builtins.exec` with source of its own, for one): code no static rule reads and no TA can.
A submission shipping such a file is flagged `opaque_module`, naming the callables the pickle imports
(`numpy.core.multiarray._reconstruct` for saved arrays; `builtins.exec` for hidden code), read with
`pickletools` (parsed, never loaded) from at most `MAX_READ_BYTES` and `MAX_OPS` of it. Protocol 2 and
later (every Python 3 default) start with PROTO; a file in the text protocols 0 and 1 is one that parses as
a pickle to its STOP within those bounds and imports a callable (a CSV or a text file stops parsing at once).
"""

from __future__ import annotations

import pickletools

MAX_READ_BYTES = 1 << 20  # a pickle of saved arrays names its callables in its first bytes
MAX_OPS = 100_000  # about 0.2 s of the parent's CPU: a data file of nothing but opcodes costs no more
MAX_NAMED = 8
_NPY_MAGIC = b"\x93NUMPY"
_STRINGS = frozenset({"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING"})
_GETS = frozenset({"GET", "BINGET", "LONG_BINGET"})
_PUTS = frozenset({"PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE"})


def _callables(data: bytes) -> tuple[list[str], bool]:
    """(the `module.name`s a pickle imports (GLOBAL, STACK_GLOBAL: its module and name are the two values
    pushed last, strings or memo entries), in order; whether it parsed as a pickle: to its STOP, or to
    MAX_NAMED names), read within MAX_READ_BYTES and MAX_OPS."""
    names: list[str] = []
    parsed = False
    pushed: list[str | None] = [None, None]  # the last two values pushed (None: not a string)
    memo: dict[int, str | None] = {}
    try:
        for count, (op, arg, _) in enumerate(pickletools.genops(data[:MAX_READ_BYTES])):
            if count >= MAX_OPS:
                break
            value: str | None = None
            if op.name in _STRINGS and isinstance(arg, str):
                value = arg
            elif op.name in _GETS and isinstance(arg, int):
                value = memo.get(arg)
            elif op.name in _PUTS:
                memo[arg if isinstance(arg, int) else len(memo)] = pushed[-1]
                continue
            elif op.name == "GLOBAL" and isinstance(arg, str):
                names.append(arg.replace(" ", "."))
            elif op.name == "STACK_GLOBAL" and None not in pushed:
                names.append(f"{pushed[0]}.{pushed[1]}")
            elif not op.stack_after:
                continue
            pushed = [pushed[-1], value]
            if len(names) > MAX_NAMED:
                parsed = True
                break
        else:
            parsed = True  # genops ends at STOP
    except Exception:  # cut at MAX_READ_BYTES, or not all pickle: what was read is what it names
        pass
    return list(dict.fromkeys(names)), parsed


def describe(data: bytes) -> str | None:
    """What a data file that runs code when loaded does, for the flag's summary; None for any other file."""
    named, parsed = _callables(data)
    protocol_2_on = len(data) > 1 and data[0] == 0x80 and 2 <= data[1] <= 5  # starts with PROTO
    if protocol_2_on or (parsed and named):  # protocols 0 and 1: a whole pickle that imports something
        shown = ", ".join(named[:MAX_NAMED]) + (" ..." if len(named) > MAX_NAMED else "")
        calls = f": loading it calls {shown}" if named else ""
        return f"ships a pickle{calls} (code nobody can read runs when it is loaded)"
    if data.startswith(_NPY_MAGIC) and b"'|O'" in data[:1024]:
        return "ships a NumPy array of Python objects: np.load(allow_pickle=True) runs the pickle inside it"
    return None
