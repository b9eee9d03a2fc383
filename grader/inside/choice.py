"""Which of a submission's Python files the loader imports, in which order, and which it sets aside.

Preferred names come first, in the manifest's order (also found one folder down, `hw1/layers.py`), then the
rest. A manifest's `one_of` groups are alternatives: a course's step files (`steps/step18.py`,
`steps/step14.py`, ...) are each a whole program, so a submission holding several is graded on one, the
first of the group it has (the latest step; a step file is known by its number, however it is spelt:
`step_09.py`, `steps/step9.py`), and the others are set aside: never imported, never read for names,
whatever they define. Mixing them would grade step 9's Exp with step 18's Variable.

Standard library only: the loader in the student's process and the parent's stage inference both use it,
so that both read the same files.
"""

from __future__ import annotations

import ast
import re
import tokenize
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import astparse
from .main_guard import on_import


def member(relpath: str, name: str) -> bool:
    """`relpath` is the manifest's `name`, at the top or one or more folders down."""
    return relpath == name or relpath.endswith("/" + name)


def copy_member(relpath: str, name: str) -> bool:
    """`member` in any case, for `copies` alone: `MiniFlow.py` (typed on macOS or Windows, whose disks
    ignore case, and imported by the student's own `from MiniFlow import *`) is a copy of the manifest's
    miniflow.py found elsewhere in the submission. Compared exactly, it was none: a repository's
    `miniflow/_old/miniflow.py`, the version before a fix, was the preferred file and graded over it (29 of
    43 for correct code). Only a copy: a lone `MiniFlow.py` is not made a preferred file (Colab's starter
    `MiniFlow.ipynb` would then run before the `Copy of MiniFlow.ipynb` the student worked in)."""
    return member(relpath.lower(), name.lower())


def candidates(
    files: Sequence[str],
    preferred: Sequence[str],
    exclude: Iterable[str],
    weight: Mapping[str, int] | None = None,
    stubs: Mapping[str, int] | None = None,
) -> list[str]:
    """Preferred names in order (also found one folder down, e.g. `hw1/layers.py`), then the rest in `files`
    order, except that the files defining required names (`weight`, see `required_defined`) are reordered
    among their own places, the most first (a driver defining none, `net.py` importing its package, stays
    where it is).

    The rest is run until every required name is found, each name taken from the first file defining it: a
    folder of quiz files (quiz1_add.py ... quiz7_sgd.py, each a whole program) ran the add quiz first and
    graded its Input under another quiz's Linear. The file defining the most of them runs first, so names
    come from one program, and the others run only for a name it lacks."""
    excluded = set(exclude)
    pool = [f for f in files if f not in excluded]
    chosen: list[str] = []
    for want in preferred:
        hit = want if want in pool else _folder_down(pool, want, preferred)
        if hit is not None and hit not in chosen:
            chosen.append(hit)
    rest = [f for f in pool if f not in chosen]
    if weight:  # reorder the files defining required names among their own places; the others stay put
        slots = [i for i, f in enumerate(rest) if weight.get(f, 0) > 0]
        # The most required names first; of files defining as many, the later version by the last number of
        # its name (dezero_step18.py before dezero_step14.py, quiz7 before quiz1); otherwise files order.
        # Of files defining as many, the one with fewer stub bodies first (`stub_bodies`: Colab's `Copy of
        # X.ipynb` is the one the student works in, beside the starter X.ipynb of stubs); then a file named
        # as an old copy (`miniflow_old.py`, `backup/...`) goes after one defining as many.
        stub = stubs or {}
        ranked = sorted(
            (rest[i] for i in slots),
            key=lambda f: (-weight[f], stub.get(f, 0), old_copy(f), -_last_number(f)),
        )
        for i, f in zip(slots, ranked, strict=True):
            rest[i] = f
    return chosen + rest


_NUMBER = re.compile(r"\d+")


def _last_number(path: str) -> int:
    """The last number in a file's name (`dezero_step18.py`: 18), -1 without one."""
    found = _NUMBER.findall(path.rsplit("/", 1)[-1])
    return int(found[-1]) if found else -1


def required_defined(source: bytes, required: Iterable[str], aliases: Mapping[str, Sequence[str]]) -> int:
    """How many required names (or one of their aliases) a file defines unindented (`class X` / `def f`),
    read as text: the `weight` of `candidates`."""
    defined = _top_level_defs(source)
    return sum(1 for r in required if r in defined or any(a in defined for a in aliases.get(r, ())))


_Line = tuple[int, tuple[tokenize.TokenInfo, ...]]  # a logical line: its block depth, its tokens
# Starters and finished work are tens of KiB: reading further costs the tokenizer ~0.7 s a MiB, per copy.
_STUB_READ = 128 * 1024
_SKIP = frozenset({tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER})
# Every copy of a tie has its stubs counted, within the tie's budget (`stub_counts`: each distinct content
# once, an equal share each): the first eight by path alone (session 33's MAX_STUB_COUNTS, against a hostile
# zip of 200 copies of one 128 KiB file, ~40 ms a copy) left a real lesson's twelfth copy uncounted, sorted
# after a starter whatever it held, and a name sorting first could push the finished copy past the eighth.
# What `stub_bodies` reads of one tie's copies together, in bytes (`stub_counts`): two copies whole (a
# starter and the work, each up to `_STUB_READ`), more an equal share of it each. The tokenizer costs ~3 to
# 5 us a byte of hostile text (2-byte lines, a def every 12 bytes): eight distinct 128 KiB copies cost the
# parent 13 s here (review32 measured ~30 s), counted for the choice and again for its reason (its finding 3).
STUB_READ_BUDGET = 2 * _STUB_READ
# What `stub_bodies` reads of all the ties of one submission together (`choose_copies`): each tie an equal
# part of it, each within `STUB_READ_BUDGET`, so four ties are read as before, whatever their order. Per
# tie alone (review of s33-rvtrust): DeZero's ~100 preferred names let 200 files of 32 KiB make 25 ties,
# 6.4 MiB tokenised each time the parent asked, about two minutes of the parent's CPU for one submission
# while the batch waited. Half of `_STUB_CACHE_BYTES`, so the parent's later askings for the same submission
# (the stage, the program, the reasons) find every reading of the first in the cache and tokenise nothing.
SUBMISSION_STUB_BUDGET = 1 << 20
# Counts already made, by the bytes read (a dict compares them whole: no digest, whose hashlib a module of
# the worker's runtime would import at its top into every student process, grader/flags/source.py
# PRELOADED): the choice's are its reason's, and its own when the parent asks again (the job, the stage,
# the program: three times a submission, four when it defines none of the names). Bounded by the bytes it
# holds, first in first out: seven ties read whole (each within `STUB_READ_BUDGET`). Bounded by 16
# readings, a third tie of eight evicted the first's, and each asking tokenised every tie again.
_STUB_CACHE: dict[bytes, int] = {}
_STUB_CACHE_BYTES = 2 << 20
_STUB_ENTRY_BYTES = 256  # what a reading kept weighs besides its content (its bytes object, its slot)


def stub_counts(
    files: Mapping[str, bytes], tied: Iterable[str], room: int = STUB_READ_BUDGET
) -> dict[str, int]:
    """File -> `stub_bodies` of each of the `tied` copies, all read within `room` bytes (at most
    `STUB_READ_BUDGET`): each distinct content once, and each the same share of it, so a count depends on the
    tie's contents alone, never on the copies' paths or order; a count made before (the choice's, read again
    for its reason) is not made again."""
    wanted = list(tied)
    distinct = {files.get(f, b"") for f in wanted}
    share = stub_share(len(distinct), room)
    counted: dict[bytes, int] = {}
    for source in distinct:
        head = source[:share]
        count = _STUB_CACHE.get(head)
        if count is None:  # the count kept here: the parent's other thread may evict it once it is cached
            count = stub_bodies(head)
            _make_room(_STUB_CACHE, _STUB_CACHE_BYTES, len(head) + _STUB_ENTRY_BYTES)
            _STUB_CACHE[head] = count
        counted[source] = count
    return {f: counted[files.get(f, b"")] for f in wanted}


def read_short(distinct: Collection[bytes], share: int) -> bool:
    """Whether `stub_counts` read one of a tie's `distinct` contents on its first `share` bytes alone: by the
    submission's budget (many ties), the tie's own (three or more large copies) or `_STUB_READ` (a copy past
    it), a copy finished further down may have lost, and the TA is told (`cut_short`). Before session 35,
    only a cut by the submission's budget was told: three distinct 100 KiB copies of one file were compared
    on their first 87,381 bytes and nothing said so. A tie of one content never: a count would not differ."""
    return len(distinct) > 1 and any(len(source) > share for source in distinct)


def stub_share(distinct: int, room: int = STUB_READ_BUDGET) -> int:
    """The bytes read of each of a tie's `distinct` contents within `room` and the tie's own budget."""
    return min(_STUB_READ, min(room, STUB_READ_BUDGET) // max(distinct, 1))


def _make_room(cache: dict[bytes, Any], limit: int, size: int) -> None:
    """Evict the oldest readings of `cache` until `size` more bytes fit in its `limit`. The parent's two
    threads share the caches (a batch's builder reads a submission's copies for its job, the judging thread
    for its stage and program): a reading the other evicted first, or a cache it changed meanwhile, is passed
    over."""
    keys = list(cache)  # one step under the GIL: summing over the dict itself could see it change size
    excess = sum(map(len, keys)) + _STUB_ENTRY_BYTES * len(keys) + size - limit
    while excess > 0:
        try:
            oldest = next(iter(cache))
        except (StopIteration, RuntimeError):  # emptied, or changed in size, by the other thread
            return
        excess -= len(oldest) + _STUB_ENTRY_BYTES
        cache.pop(oldest, None)


def stub_bodies(source: bytes) -> int:
    """How many places of a file are left for the student to write: each function whose body is only a
    docstring, `pass`, `...` or `raise NotImplementedError(...)` (with comments, a TODO), and each block
    that ends in a bare string after its code (the course starter's `for n in self.outbound_nodes:` ending in
    `\"\"\"TODO: Your code goes here!\"\"\"`: the work writes its code after it). Read with the tokenizer,
    so a docstring over several lines, a signature over several lines or a body on the def's own line are
    read as Python reads them. A starter file of stubs defines the same names as the finished work: of two
    files defining as many, the one with fewer stubs is the work. A file the tokenizer cannot finish (cut at
    the loader's 1 MiB head or at `_STUB_READ`, an unclosed string, a bad dedent) counts what was read
    before that point."""
    lines = _logical_lines(source[:_STUB_READ])
    count = 0
    for at, (depth, tokens) in enumerate(lines):
        if _placeholder(tokens) and tokens[0].type == tokenize.STRING and at > 0:
            after = lines[at + 1][0] if at + 1 < len(lines) else 0
            # a string after code of its own block (not a docstring), the block's last statement
            count += lines[at - 1][0] == depth and after < depth
            continue
        words = [t.string for t in tokens[:2]]
        if not (words[:1] == ["def"] or words == ["async", "def"]):
            continue
        colon = _signature_end(tokens)
        if colon is None:
            continue
        if colon + 1 < len(tokens):  # `def forward(self): pass`
            count += _all_stubs(_statements(tokens[colon + 1 :]))
            continue
        stub = False
        for inner, line in lines[at + 1 :]:
            if inner <= depth:
                break  # the body is over
            stub = inner == depth + 1 and _all_stubs(_statements(line))
            if not stub:
                break  # real code, or a block inside the body (`if`, `for`, a nested def)
        count += stub
    return count


def _logical_lines(source: bytes) -> list[_Line]:
    """The file's logical lines with their block depth, up to where the tokenizer stops."""
    lines: list[_Line] = []
    depth = 0
    current: list[tokenize.TokenInfo] = []
    readline = iter(source.splitlines(keepends=True)).__next__
    try:
        for tok in tokenize.tokenize(readline):
            if tok.type == tokenize.INDENT:
                depth += 1
            elif tok.type == tokenize.DEDENT:
                depth -= 1
            elif tok.type == tokenize.NEWLINE:
                if current:
                    lines.append((depth, tuple(current)))
                current = []
            elif tok.type not in _SKIP:
                current.append(tok)
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError):
        pass  # a file cut short or not Python: the lines read so far
    return lines


_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")


def _signature_end(tokens: Sequence[tokenize.TokenInfo]) -> int | None:
    """The index of the `:` ending a def's signature (outside its brackets), None if it has none."""
    level = 0
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.OP:
            continue
        if tok.string in _OPEN:
            level += 1
        elif tok.string in _CLOSE:
            level -= 1
        elif tok.string == ":" and level == 0:
            return i
    return None


def _statements(tokens: Sequence[tokenize.TokenInfo]) -> list[tuple[tokenize.TokenInfo, ...]]:
    """The simple statements of a logical line, split at its `;`s."""
    parts: list[tuple[tokenize.TokenInfo, ...]] = []
    current: list[tokenize.TokenInfo] = []
    for tok in tokens:
        if tok.type == tokenize.OP and tok.string == ";":
            parts.append(tuple(current))
            current = []
        else:
            current.append(tok)
    parts.append(tuple(current))
    return [p for p in parts if p]


def _all_stubs(body: Sequence[tuple[tokenize.TokenInfo, ...]]) -> bool:
    """A body of at least one statement, each a placeholder: a string alone (the docstring), `pass`, `...`,
    `raise NotImplementedError` (with or without a call, a message)."""
    return bool(body) and all(_placeholder(s) for s in body)


def _placeholder(statement: Sequence[tokenize.TokenInfo]) -> bool:
    words = [t.string for t in statement]
    if all(t.type == tokenize.STRING for t in statement):
        return True
    if words in (["pass"], ["..."]):
        return True
    return words[:2] == ["raise", "NotImplementedError"]


def _folder_down(pool: Sequence[str], want: str, preferred: Sequence[str]) -> str | None:
    """The file named `want` one or more folders down; of several, one that a longer preferred name names.
    The book's repository has `ch04/two_layer_net.py` (chapter 4's TwoLayerNet, numerical gradients and a
    sigmoid) beside `ch05/two_layer_net.py`: `two_layer_net.py` must find chapter 5's, which the manifest
    also names, not the first in alphabetical order."""
    hits = [f for f in pool if member(f, want)]
    longer = [p for p in preferred if p != want and member(p, want)]
    named = [f for f in hits if any(member(f, p) for p in longer)]
    found = named or hits
    return found[0] if found else None


_STEP = re.compile(r"step[ _-]?0*(\d+)\.py", re.IGNORECASE)


def _step(path: str) -> str | None:
    """`step18.py`, `step_18.py`, `Step-018.py`, in any folder: step 18 (None: not a step file)."""
    match = _STEP.fullmatch(path.rsplit("/", 1)[-1])
    return match.group(1) if match else None


def step_of(path: str) -> str | None:
    """The step number of a course's step file (`steps/step09.py`: "9"), None for any other file."""
    return _step(path)


def alternative(relpath: str, name: str) -> bool:
    """`relpath` is the group's `name`: the same step, however the student spelt it and whatever its folder
    (step_09.py, steps/step9.py); any other name as `member` finds it."""
    step = _step(name)
    return member(relpath, name) if step is None else _step(relpath) == step


_STAGE_STEP = re.compile(r"step[ _-]?0*(\d+)", re.IGNORECASE)


def stage_step(stage: str | None) -> str | None:
    """The step number a stage is named for (`step18`: "18"), None for another stage or none."""
    match = _STAGE_STEP.fullmatch(stage or "")
    return str(int(match.group(1))) if match else None


def for_stage(groups: Sequence[Sequence[str]], stage: str | None) -> list[list[str]]:
    """The `one_of` groups as a stage reads them: for stage `stepN`, the files of the first step at or after N
    the group has come first (step N's own, `steps/step18.py` or `step18.py`, else the next one up), then
    the earlier steps, latest first. Graded at a stage asked for (or the assignment's default one), a
    repository holding that step's file is graded on it, not on a later step it also holds: the latest step
    was graded whatever the stage, the book's steps/step22.py (no Square, no Exp: they live in each step
    file) for the step-18 assignment beside a complete steps/step18.py, 22 of 53 (sample
    submissions/dezero/repo_steps_beyond_stage/). A stage without a step number changes nothing."""
    step = stage_step(stage)
    if step is None:
        return [list(g) for g in groups]
    number = int(step)

    def rank(name: str) -> tuple[int, int]:
        step = _step(name)
        if step is None:
            return (2, 0)
        return (0, int(step)) if int(step) >= number else (1, -int(step))

    return [sorted(g, key=rank) for g in groups]


def set_aside(files: Iterable[str], groups: Sequence[Sequence[str]]) -> dict[str, str]:
    """File -> the alternative graded instead, for every file of a `one_of` group but the group's first."""
    pool = sorted(files)
    aside: dict[str, str] = {}
    for group in groups:
        present = [f for name in group for f in pool if alternative(f, name)]
        present = list(dict.fromkeys(present))
        for other in present[1:]:
            aside.setdefault(other, present[0])
    return aside


_TOP_DEF = re.compile(r"^(?:async[ \t]+def|def|class)[ \t]+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)


def _top_level_defs(source: bytes) -> set[str]:
    """The classes and functions a file binds when imported, read as text (`module_defs`)."""
    return set(module_defs(source))


def module_defs(source: bytes) -> dict[str, list[tuple[str, int]]]:
    """name -> [("class" | "function", line)] of the definitions Python binds when the file is imported:
    unindented ones, and those inside its top-level `if`/`try`/`with`/`match` blocks (`try: import numpy
    ... except ImportError: ...` then the classes under `if True:`), never under `if __name__ ==
    "__main__":` nor under `if False:`, nor in a def's or class's body (nor, a known limit, in a top-level
    `for`/`while` loop's, which Python does bind), nor on a line inside a triple-quoted string (a quoted-out
    `class Linear(Node):` of an older version). Read as text, with no parse (the student's process reads
    every file of a submission this way; docs/LOADING.md has the cost, session 31): only the unindented
    lines were read, so a file whose classes all sat under `if True:` defined nothing and ran last, after a
    copy."""
    text = source.decode("latin-1")  # every byte one character: the ASCII names and the lines as they are
    inside = string_lines(text)
    found: dict[str, list[tuple[str, int]]] = {}
    line, counted = 1, 0
    for match in _TOP_DEF.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        if line not in inside:
            kind = "class" if match.group().startswith("class") else "function"
            found.setdefault(match.group(1), []).append((kind, line))
    for name, places in nested_defs(text.split("\n"), inside).items():
        found.setdefault(name, []).extend(places)
    return found


# Where a string starts, or a comment (skipped to its line's end: a quote in it opens nothing). Each
# comment is a step of `string_lines`, at most one a line; matched as "a comment holding a quote" it cost a
# scan to the line's end from every `#` of it, quadratic: 16 KiB of `#` after a `"""`, 1.3 s (review of
# review32)
_QUOTES = re.compile(r"#[^\n]*|\"\"\"|'''|\"|'")
_SINGLE = {q: re.compile(rf"(?:[^{q}\\\r\n]|\\.)*{q}?") for q in ('"', "'")}


def string_lines(text: str) -> frozenset[int]:
    """The lines (numbered from 1) that start inside a triple-quoted string: text, however it looks. One pass
    over the file's strings and comments, each found by a regex and skipped to its end (a quote in a comment,
    a `#` in a string, an escaped quote are no ends): a file without triple quotes costs two searches."""
    if '"""' not in text and "'''" not in text:
        return frozenset()
    inside: set[int] = set()
    pos, line, counted = 0, 1, 0
    while (opened := _QUOTES.search(text, pos)) is not None:
        quote = opened.group()
        if quote[0] == "#":
            pos = opened.end()  # the line's end: the comment is over
            continue
        if len(quote) == 1:
            single = _SINGLE[quote].match(text, opened.end())
            pos = single.end() if single is not None else opened.end()
            continue
        end = _closing(text, quote, opened.end())
        line += text.count("\n", counted, opened.start())
        within = text.count("\n", opened.start(), end)
        inside.update(range(line + 1, line + within + 1))
        line, counted, pos = line + within, end, end + 3
    return frozenset(inside)


def _closing(text: str, quote: str, start: int) -> int:
    """Where the triple-quoted string opened before `start` closes (the end of the text if never)."""
    at = text.find(quote, start)
    while at >= 0:
        before = at
        while before > start and text[before - 1] == "\\":
            before -= 1
        if (at - before) % 2 == 0:  # an even run of backslashes escapes nothing
            return at
        at = text.find(quote, at + 1)
    return len(text)


# A top-level line opening a block whose body runs on import; a def, class, for or while line opens one
# whose body does not (or not as module code): definitions inside them are not the module's.
_OPENS = re.compile(r"(?:if|elif|else|try|except|finally|with|match|case)\b")
_CLOSES = re.compile(r"(?:async\s+def|def|class|for|while|async\s+for|async\s+with)\b")
_NESTED_DEF = re.compile(r"(?:class|def|async\s+def)\s+([A-Za-z_][A-Za-z0-9_]*)")
_BRANCH = re.compile(r"(?:elif|else)\b")
# `if False:` / `if 0:`, a block switched off by hand (an older version kept below): Python binds nothing
# in it, and its classes were counted as the file's (s31)
_NEVER_RUNS = re.compile(r"(?:el)?if\s*(?:\(\s*)?(?:False|0|None)\s*(?:\)\s*)?:")


def guard_on_import(line: str) -> bool | None:
    """Whether the block an `if`/`elif` line opens runs on import, as main_guard.on_import reads the test:
    False under `__name__ == "__main__"`, True under `!=` (its `elif`s and `else` never run), None for any
    other test or a line that is not one whole `if` test. Only a line naming both `__name__` and
    `"__main__"` is parsed."""
    if "__main__" not in line or "__name__" not in line:
        return None
    text = line.strip()
    text = text[2:] if text.startswith("elif") else text
    if not text.startswith("if"):
        return None
    try:  # the line as the head of a block of its own (a comment after the colon stays a comment)
        tree = astparse.parse(text + "\n pass\n")
    except (SyntaxError, ValueError, MemoryError, RecursionError):  # a test spread over lines, or no Python
        return None
    head = tree.body[0] if len(tree.body) == 1 else None
    return on_import(head.test) if isinstance(head, ast.If) else None


def nested_defs(lines: Sequence[str], inside: Collection[int] = ()) -> dict[str, list[tuple[str, int]]]:
    """name -> [("class" | "function", line)] of the definitions indented inside top-level if/try/with/match
    blocks (and their elif/else/except/finally/case branches), at any depth of such blocks, read line by line
    by indentation: one pass, each line looked at once, a stack no deeper than the file's indentation. Lines
    of a file with no such block at the top level cost one character test each. `inside`: the lines that
    start inside a triple-quoted string (`string_lines`), skipped: a docstring line `    class X` under a
    top-level `if` counted, and ran the file as one defining X."""
    found: dict[str, list[tuple[str, int]]] = {}
    chain: list[int] = []  # indentation of each open block we are in, outermost first
    shut: int | None = None  # indentation of the def/class/loop/main guard whose body we are in
    # indentations of an `if` chain whose later branches never run on import (after `if __name__ !=
    # "__main__":` its `elif`s and `else`)
    taken: set[int] = set()
    rebound: bool | None = None  # whether the file may rebind its __name__, once a guard needs it
    for number, text in enumerate(lines, start=1):
        if not chain and text[:1] in ("", " ", "\t", "\n", "\r", "#"):
            continue  # the fast path: outside every open block, only a top-level line can open one
        if number in inside:
            continue
        body = text.lstrip(" \t")
        if body[:1] in ("", "\n", "\r", "#"):
            continue
        depth = len(text) - len(body)
        while chain and chain[-1] >= depth:
            chain.pop()
        if shut is not None and depth <= shut:
            shut = None
        if shut is not None or (depth and not chain):
            continue
        if taken:
            branch = _BRANCH.match(body) is not None
            if branch and depth in taken:
                shut = depth  # a branch after one that always runs on import: never runs
                continue
            taken = {d for d in taken if d < depth or (d == depth and branch)}
        runs = guard_on_import(body)
        if runs is not None and rebound is None:  # read once, at the file's first guard (main_guard.py)
            rebound = astparse.text_rebinds("\n".join(line.rstrip("\r\n") for line in lines))
        if rebound:
            runs = None  # a file that may rebind its __name__: its guards decide nothing
        if runs is False or _NEVER_RUNS.match(body):
            shut = depth
        elif runs:
            chain.append(depth)
            taken.add(depth)
        elif _OPENS.match(body):
            chain.append(depth)
        elif depth and (definition := _NESTED_DEF.match(body)):
            kind = "class" if body.startswith("class") else "function"
            found.setdefault(definition.group(1), []).append((kind, number))
            shut = depth
        elif _CLOSES.match(body):
            shut = depth
    return found


def copies(
    files: Mapping[str, bytes], preferred: Sequence[str], required: Iterable[str], optional: Iterable[str]
) -> dict[str, str]:
    """File -> the copy graded instead, for a preferred file name found in several folders: versions of one
    program (a lesson kept quiz by quiz, `1_add/miniflow.py` ... `6_sgd/miniflow.py`), each a program of its
    own. Running them all took each name from the first folder that defines it: the add quiz's Input under
    the last quiz's Linear. The copy graded defines the most required names (of those that tie: the one
    with the fewest stub bodies, `stub_bodies`, then the file the manifest names, `miniflow.py` itself, then
    one not named as an old copy (`old_copy`), then the one with the most of the assignment's names, then the
    shallowest, then the first in path order), read as text
    (unindented `class` / `def`): `_copy_key`. Set aside: every
    other copy whose names (required and optional) the graded one defines too. A copy defining a name the
    graded one lacks still runs, as before, for that name (`ch06/layers.py` with Dropout beside
    `ch07/layers.py` with Convolution: parts of one program), and a file a longer preferred name names is no
    copy (`ch05/two_layer_net.py`, see `candidates`). Computed in the parent, which sends it with the job, so
    that the stage inference and the student's process read the same files."""
    return dict(choose_copies(files, preferred, required, optional).aside)


@dataclass(frozen=True)
class CopyChoice:
    """What `choose_copies` decided: the copies set aside (file -> the copy graded instead), the stub counts
    it compared them on, and for each graded copy whose tie's stubs were counted on first bytes alone
    (`read_short`), the bytes it read of each copy (the choice may differ from the one a full reading would
    make, and the report says so)."""

    aside: Mapping[str, str]
    stubs: Mapping[str, int]
    cut: Mapping[str, int]
    copy_room: int = 0  # what each preferred name's copies could spend to be read (`copy_read_room`)


def choose_copies(
    files: Mapping[str, bytes], preferred: Sequence[str], required: Iterable[str], optional: Iterable[str]
) -> CopyChoice:
    """`copies`, with the stub counts it compared: every tie of the submission first, then the stubs of each
    read within an equal part of `SUBMISSION_STUB_BUDGET` (of ties that need less, the rest is not given to
    the others: a tie's reading never depends on another's size or on the order of the manifest's names)."""
    must = set(required)
    wanted = must | set(optional)
    # the copies of two preferred names never overlap (`_copies_of`: of two names one ends the other)
    found = {want: _copies_of(files, want, preferred) for want in dict.fromkeys(preferred)}
    found = {want: group for want, group in found.items() if len(group) > 1}
    copy_room = _copy_room(len(found))
    groups: list[tuple[str, list[str], dict[str, set[str]], list[str]]] = []
    for want, group in found.items():
        defs = {f: names & wanted for f, names in copy_defs(files, want, preferred, group, copy_room).items()}
        best = max(len(defs[f] & must) for f in group)  # stubs break ties only: count them there alone
        tied = [f for f in group if len(defs[f] & must) == best]
        groups.append((want, group, defs, tied))
    room = SUBMISSION_STUB_BUDGET // max(sum(len(g[3]) > 1 for g in groups), 1)
    aside: dict[str, str] = {}
    counts: dict[str, int] = {}
    cut: dict[str, int] = {}
    for want, group, defs, tied in groups:
        stubs = dict.fromkeys(group, 0)
        stubs |= stub_counts(files, tied, room) if len(tied) > 1 else dict.fromkeys(tied, 0)
        counts |= stubs
        chosen = min(group, key=lambda f: _copy_key(f, defs[f], must, want, stubs[f]))
        if not defs[chosen] & must:
            continue
        distinct = {files.get(f, b"") for f in tied}
        share = stub_share(len(distinct), room)
        if read_short(distinct, share):
            cut[chosen] = share
        for other in group:
            if other != chosen and other not in aside.values() and defs[other] <= defs[chosen]:
                aside[other] = chosen
    return CopyChoice(aside, counts, cut, copy_room)


def _copies_of(files: Iterable[str], want: str, preferred: Sequence[str]) -> list[str]:
    """The copies of the preferred name `want` in path order: a file a longer preferred name names is none."""
    longer = _longer_names(tuple(preferred)).get(want)
    if longer is None:  # a name the manifest does not list: read as before
        longer = tuple(p for p in preferred if p != want and member(p, want))
    return sorted(f for f in files if copy_member(f, want) and not any(copy_member(f, p) for p in longer))


# The manifest's names alone decide which of them name another (`_longer_names`): DeZero's ~100 module names
# compared pairwise for every name, for each submission and each asking (the job, the stage, the program),
# were 6 million `member` calls over the bundled samples. Kept per tuple of names, a few at a time.
_LONGER: dict[tuple[str, ...], dict[str, tuple[str, ...]]] = {}
_KEPT_NAME_LISTS = 8


def _longer_names(preferred: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Each preferred name -> the other preferred names that name it one or more folders down (`member`:
    `ch05/layers.py` names `layers.py`), in the manifest's order."""
    known = _LONGER.get(preferred)
    if known is None:
        known = {w: tuple(p for p in preferred if p != w and member(p, w)) for w in preferred}
        if len(_LONGER) >= _KEPT_NAME_LISTS:
            _LONGER.clear()
        _LONGER[preferred] = known
    return known


# What `module_defs` may spend on one preferred name's distinct copies, in `read_steps`. Measured (review of
# s31-left, 41 KiB files): up to ~5 us a step for hostile text (a top-level `if` of 10-byte lines; thousands
# of `''` ~1 us; long lines ~3 us), honest text ~1.8 us (miniflow's correct.py six times: 3,337 steps), so
# the parent's reading is bounded by ~0.75 s (twice: `copies`, `copy_reason`) where 199 distinct hostile
# copies (the 8 MiB cap) cost +5 s, and an honest lesson reads every copy up to some 1.8 MiB of code.
COPY_READ_BUDGET = 150_000
# What `module_defs` may spend on all the preferred names of one submission together: each name with copies
# an equal part of it, each within `COPY_READ_BUDGET`, so two names are read as before, whatever their
# order. Per name alone (session 34), DeZero's ~100 preferred names let a hostile 30-tie submission cost the
# parent 30 budgets, read again at each of its askings (the job, the stage, the program, the reasons): ~20 s
# of a profiled 93 s run.
SUBMISSION_COPY_READ_BUDGET = 2 * COPY_READ_BUDGET
# Readings already made, by the bytes read (as `_STUB_CACHE`): the parent's later askings for the same
# submission read nothing again. Bounded by the bytes it holds, first in first out.
_DEFS_CACHE: dict[bytes, frozenset[str]] = {}
_UNINDENTED_CACHE: dict[bytes, frozenset[str]] = {}  # the readings of copies past the budget, the same way
_DEFS_CACHE_BYTES = 4 << 20  # each of the two


def read_steps(source: bytes) -> int:
    """What `module_defs` costs on `source`, in steps of its walk: each line (`nested_defs` matches it), each
    quote (`string_lines` stops there), and one for every 32 bytes its regexes scan."""
    return source.count(b"\n") + source.count(b"'") + source.count(b'"') + len(source) // 32


def copy_read_room(files: Iterable[str], preferred: Sequence[str]) -> int:
    """The `read_steps` each preferred name's distinct copies may cost to be read by `module_defs`: an equal
    part of `SUBMISSION_COPY_READ_BUDGET` for each name found in two files or more, at most
    `COPY_READ_BUDGET` (`choose_copies` counts them as it groups them: `CopyChoice.copy_room`)."""
    listed = list(files)
    return _copy_room(sum(len(_copies_of(listed, want, preferred)) > 1 for want in set(preferred)))


def _copy_room(names_with_copies: int) -> int:
    return min(COPY_READ_BUDGET, SUBMISSION_COPY_READ_BUDGET // max(names_with_copies, 1))


def copy_defs(
    files: Mapping[str, bytes], want: str, preferred: Sequence[str], asked: Iterable[str], room: int
) -> dict[str, set[str]]:
    """File -> the names it defines, for the `asked` copies of the preferred name `want`, as `copies` and
    `copy_reason` both read them (so the reason given is the choice's own). Every copy is read the same way,
    so the choice compares like with like and never depends on the copies' paths or order: by `module_defs`
    (identical copies once, and once for all the parent's askings: `_DEFS_CACHE`) when the distinct copies
    of `want` fit in `room` (`copy_read_room`) together, otherwise by the unindented regex alone, the
    reading before session 31. (Review of s31-left: a budget spent in path order read the first copies one
    way and the later ones the other, and a copy whose Sigmoid and MSE were quoted out won over the finished
    one, or lost, as the folders' names fell.)"""
    distinct = {files[f] for f in _copies_of(files, want, preferred)}
    parsed = sum(read_steps(source) for source in distinct) <= room
    read: dict[bytes, set[str]] = {}
    found: dict[str, set[str]] = {}
    for f in asked:
        source = files.get(f, b"")
        if source not in read:
            read[source] = set(_cached(_DEFS_CACHE if parsed else _UNINDENTED_CACHE, source))
        found[f] = read[source]
    return found


def _cached(cache: dict[bytes, frozenset[str]], source: bytes) -> frozenset[str]:
    """The names `source` defines as `cache`'s reading finds them (`_top_level_defs` for `_DEFS_CACHE`,
    `_unindented_defs` for `_UNINDENTED_CACHE`), read once while it stays there."""
    found = cache.get(source)
    if found is None:  # the reading kept here: the parent's other thread may evict it once it is cached
        reading = _top_level_defs if cache is _DEFS_CACHE else _unindented_defs
        found = frozenset(reading(source))
        _make_room(cache, _DEFS_CACHE_BYTES, len(source) + _STUB_ENTRY_BYTES)
        cache[source] = found
    return found


def _unindented_defs(source: bytes) -> set[str]:
    """The names of the unindented `class` / `def` lines: the reading before session 31."""
    return set(_TOP_DEF.findall(source.decode("latin-1")))


# Words that name a file or folder as an old copy of the work: a backup kept before a change (`backup/`,
# `miniflow_old.py`, `miniflow.bak.py`), a copy an editor or a file manager made (`miniflow copy.py` on macOS,
# `miniflow - Copy.py` on Windows, `Copy of miniflow.py` in Google Drive), an archive. Read as whole words of
# a path's parts, in any case: `holdout.py` or `copyright/` is no old copy.
_OLD_WORDS = frozenset(
    {"old", "older", "bak", "backup", "backups", "copy", "orig", "original", "archive", "archived", "prev",
     "previous", "deprecated", "obsolete", "unused", "trash", "legacy"}
)  # fmt: skip
# The same in the languages whose file managers name copies in their own words: Windows' Japanese
# `miniflow - コピー.py`, Chinese `miniflow - 副本.py`, Korean `miniflow - 복사본.py`, and backups by hand.
_OLD_MARKS = ("コピー", "バックアップ", "古い", "副本", "备份", "備份", "복사본", "백업")
_WORD = re.compile(r"[a-z]+")


def old_copy(path: str) -> bool:
    """Whether a folder or the name of `path` says it is an old copy (`backup/miniflow.py`,
    `miniflow_old.py`, `miniflow - Copy.py`): of two files defining as much, the other one is graded.
    Chosen by path order alone, `backup/miniflow.py` (the Sigmoid quiz's buggy version) was graded over
    `lesson/miniflow.py`, the finished lesson (sample submissions/miniflow/repo_backup_folder/)."""
    for part in path.lower().split("/"):
        words = _WORD.findall(part.removesuffix(".py"))
        if _OLD_WORDS.intersection(words) or any(mark in part for mark in _OLD_MARKS):
            return True
    return False


def _copy_key(
    f: str, defs: set[str], must: set[str], want: str, stubs: int
) -> tuple[int, int, bool, bool, int, int, str]:
    """How `copies` ranks a copy, the least first: the most required names; then the fewest stub bodies
    (`stub_bodies`: a starter file defines the names too); then the file at the manifest's own path; then one
    not named as an old copy; then the most of the assignment's names; the shallowest; the first in path
    order."""
    return (-len(defs & must), stubs, f != want, old_copy(f), -len(defs), f.count("/"), f)


# Why a copy was graded over the others: the first part of `_copy_key` where it beats the best of them.
_WHY = (
    "it defines the most of what the assignment grades",
    "the others leave more functions as stubs (pass, raise NotImplementedError), and define no more",
    "it is the file the assignment names, at the top of the submission, and the others define no more",
    "the others are named as old copies or backups, and define no more",
    "it defines the most of the assignment's names",
    "the others define as much, and it is the one nearest the top of the submission",
    "the others define as much: it is the first by name",
)


def copy_reasons() -> tuple[str, ...]:
    """Every reason `copy_reason` may give, the first the usual one (for tests and callers without files)."""
    return _WHY


def copy_reason(
    chosen: str,
    others: Iterable[str],
    files: Mapping[str, bytes],
    preferred: Sequence[str],
    required: Iterable[str],
    optional: Iterable[str],
    made: CopyChoice | None = None,
) -> str:
    """Why `copies` graded `chosen` over `others` (their sources in `files`), in words for the student: on
    the stub counts of the choice `made` (`choose_copies`, as the parent passes it: the reason is the
    choice's own, and says so when the submission's budget cut the stubs' reading short), or without it
    counted for this tie alone (the student's process, given no reason by the parent)."""
    must = set(required)
    wanted = must | set(optional)
    # the preferred name whose group it was: the longest naming it (`common/layers.py` before `layers.py`),
    # in any case as `copies` groups them: compared exactly, `MiniFlow.py` over `old/miniflow.py` was said to
    # be "the file the assignment names" where the other's name as an old copy decided
    want = max((p for p in preferred if copy_member(chosen, p)), key=len, default=chosen.rsplit("/", 1)[-1])

    read = [chosen, *sorted(others)]
    room = made.copy_room if made is not None else copy_read_room(files, preferred)
    defs = copy_defs(files, want, preferred, read, room)
    if made is None:  # stubs counted for the copies tied on the required names alone, as `copies` counts them
        best = max(len(defs[f] & must) for f in read)
        tied = [f for f in read if len(defs[f] & must) == best]
        made = CopyChoice({}, stub_counts(files, tied) if len(tied) > 1 else {}, {}, room)

    def key(f: str) -> tuple[int, int, bool, bool, int, int, str]:
        return _copy_key(f, defs[f] & wanted, must, want, made.stubs.get(f, 0))

    mine, best_other = key(chosen), min(key(o) for o in read[1:])
    where = next((i for i, (a, b) in enumerate(zip(mine, best_other, strict=True)) if a != b), len(_WHY) - 1)
    if chosen not in made.cut or where < _STUBS:  # decided before the stubs were compared
        return _WHY[where]
    return f"{_WHY[where]}; {cut_short(made.cut[chosen])}"


_STUBS = 1  # where `_copy_key` compares stub bodies


def cut_short(share: int) -> str:
    """What a TA is told of a choice whose stubs were counted on each copy's first `share` bytes alone."""
    return (
        f"choice cut short: stubs counted on the first {share:,} bytes of each copy only, the submission "
        "holding more copies of its files, or larger ones, than the grader compares in full; a copy finished "
        "further down may have lost"
    )
