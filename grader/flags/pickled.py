"""Data files that run code when loaded: pickles, and NumPy arrays of Python objects (a pickle inside).

`pickle.load(open("checkpoint.pkl", "rb"))` looks like reading saved weights, but unpickling calls whatever
the file names (`builtins.exec` with source of its own, for one): code no static rule reads and no TA can.
A submission shipping such a file is flagged `opaque_module`, naming the callables the pickle imports
(`numpy.core.multiarray._reconstruct` for saved arrays; `builtins.exec` for hidden code), read with
`pickletools` (parsed, never loaded) from at most `MAX_READ_BYTES` and `MAX_OPS` of it. Protocol 2 and
later (every Python 3 default) start with PROTO; a file in the text protocols 0 and 1 is one that parses as
a pickle to its STOP within those bounds and imports a callable (a CSV or a text file stops parsing at once).

Saved weights are no code: the book's `SimpleConvNet.save_params` pickles a dict of arrays (`params.pkl`,
which a chapter-7 repository keeps beside the script that wrote it). A pickle read to its STOP that imports
nothing but what NumPy arrays, NumPy scalars and an OrderedDict are rebuilt with (`SAFE_LOADS`) is not
flagged: staff saw a false `opaque_module` on every such repository.
"""

from __future__ import annotations

import io
import pickletools

MAX_READ_BYTES = 8 << 20  # the loader's cap of a whole submission: an array's bytes are one opcode
MAX_OPS = 100_000  # about 0.2 s of the parent's CPU: a data file of nothing but opcodes costs no more
MAX_SUBMISSION_OPS = 200_000  # and every data file of one submission together (its 200 files of opcodes)
MAX_NAMED = 8
# What unpickling NumPy arrays (numpy 1 and 2, protocols 0 to 5), NumPy scalars and an OrderedDict calls:
# nothing else runs unless the pickle names it too.
SAFE_LOADS = frozenset(
    {
        *(f"numpy.{core}.multiarray.{f}" for core in ("core", "_core") for f in ("_reconstruct", "scalar")),
        *(f"numpy.{core}.numeric._frombuffer" for core in ("core", "_core")),
        "numpy.ndarray",
        "numpy.dtype",
        "collections.OrderedDict",
        "_codecs.encode",  # protocols 0 to 2 write an array's bytes as latin-1 text
    }
)
_NPY_MAGIC = b"\x93NUMPY"
_STRINGS = frozenset(
    {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING", "BINSTRING", "STRING"}
)
_GETS = frozenset({"GET", "BINGET", "LONG_BINGET"})
_PUTS = frozenset({"PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE"})
_UNFOLLOWED = "an import this reader cannot follow"
_OPAQUE = {
    **dict.fromkeys(("EXT1", "EXT2", "EXT4"), "a copyreg extension code"),
    **dict.fromkeys(("PERSID", "BINPERSID"), "a persistent id"),
}


class OpBudget:
    """The opcodes left to read: one per submission, shared by its data files, so that many files of
    opcodes cost no more than one (each file alone is also held to MAX_OPS)."""

    def __init__(self, ops: int = MAX_OPS) -> None:
        self.left = ops


def _callables(data: bytes, budget: OpBudget) -> tuple[list[str], bool, bool]:
    """(what a file of pickles imports, each once, in order; whether every byte of it was read, pickle after
    pickle to each STOP; whether it is surely a pickle: its first pickle read to its STOP, or past MAX_NAMED
    imports), read within MAX_READ_BYTES, MAX_OPS and the budget. `pickle.load` twice on one file reads two
    pickles: saved weights first must not hide code after them.

    GLOBAL and INST name theirs; STACK_GLOBAL takes the two values on top of the stack, which are known only
    when the two operations before it (memo bookkeeping aside) each pushed a string, literally or from the
    memo, as every pickler writes it: anything else (a POP between, a string built otherwise) is an import
    this reader cannot follow, as are copyreg's extension codes and persistent ids, and none of those is
    SAFE_LOADS."""
    names: list[str] = []
    whole = first = False
    stream = io.BytesIO(data[:MAX_READ_BYTES])
    ops = min(MAX_OPS, budget.left)
    try:
        while ops > 0:
            pushed: list[str | None] = [None, None]  # the last two stack operations' strings (None: other)
            memo: dict[int, str | None] = {}  # each pickle.load starts a memo of its own
            for op, arg, _ in pickletools.genops(stream):
                ops -= 1
                budget.left -= 1
                if ops <= 0:
                    break
                value: str | None = None
                if op.name in _STRINGS and isinstance(arg, str):
                    value = arg
                elif op.name in _GETS and isinstance(arg, int):
                    value = memo.get(arg)
                elif op.name in _PUTS:
                    memo[arg if isinstance(arg, int) else len(memo)] = pushed[-1]
                    continue
                elif op.name == "FRAME":
                    continue
                elif op.name in ("GLOBAL", "INST") and isinstance(arg, str):
                    names.append(arg.replace(" ", "."))
                elif op.name == "STACK_GLOBAL":
                    names.append(_UNFOLLOWED if None in pushed else f"{pushed[0]}.{pushed[1]}")
                elif op.name in _OPAQUE:
                    names.append(_OPAQUE[op.name])
                pushed = [pushed[-1], value]
            else:  # genops ends at a STOP
                first = True
                if stream.tell() >= len(data):
                    whole = True
                    break
                continue  # another pickle follows
            break
    except Exception:  # cut at MAX_READ_BYTES, or not all pickle: what was read is what it names
        pass
    return list(dict.fromkeys(names)), whole, first or len(names) > MAX_NAMED


def describe(data: bytes, budget: OpBudget | None = None) -> str | None:
    """What a data file that runs code when loaded does, for the flag's summary; None for any other file.
    `budget`: the submission's (scan_submission), else this file's own MAX_OPS."""
    named, whole, recognised = _callables(data, budget or OpBudget())
    if whole and set(named) <= SAFE_LOADS:
        return None  # saved arrays (or nothing at all imported): no code runs when it is loaded
    protocol_2_on = len(data) > 1 and data[0] == 0x80 and 2 <= data[1] <= 5  # starts with PROTO
    if protocol_2_on or (recognised and named):  # protocols 0 and 1: a whole pickle importing something
        shown = ", ".join(named[:MAX_NAMED]) + (" ..." if len(named) > MAX_NAMED else "")
        calls = f": loading it calls {shown}" if named else ""
        return f"ships a pickle{calls} (code nobody can read runs when it is loaded)"
    if data.startswith(_NPY_MAGIC) and b"'|O'" in data[:1024]:
        return "ships a NumPy array of Python objects: np.load(allow_pickle=True) runs the pickle inside it"
    return None
