"""A report's student-facing text names each class as the student spelt it.

The adapters grade a class by any name of its family's alias table (grader/inside/aliases.py: MiniFlow's
`Placeholder` for Input, `Layer` for Node; DLFS's `ReLU` for Relu, `AffineLayer` for Affine), and the judge,
the known mistakes and blame word everything with the table's first name. A student who wrote
`Placeholder.backward` read "Input.backward assigns (=) ..." and "The unit cases of Input fail" about a class
their file does not have. Once a report is judged, every message, label, hint and blame message says the
student's name instead, in the grader's own words only: never inside an exception's text (numpy's "matmul:
Input operand 1", the student's own `raise`), a backtick-quoted line of source, or what the course, lesson or
book writes ("the lesson's MSE.backward", "the course's signature is sgd_update(...)": the student did not
write those; review of s22-real, finding 3). A case's title stays canonical: it is the assignment's, the
same for every student (Gradescope lists tests by it), and so do the structured fields (a case's target, a
check's method, blame's class) that tools, summaries and expected.json read.

Only a spelling of the family's own table is used: `found` comes from the student's process, and a name it
claims must never put words of its choosing into a report.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping

from grader.inside.aliases import BY_FAMILY, COMPOSED, COMPOSED_UNLESS_CLASS
from grader.judge.diagnose import Finding
from grader.judge.results import Blame, CaseResult, Check

Respell = Callable[[str], str]


def spellings(family: str, found: Mapping[str, str], defined: Iterable[str] | None = None) -> dict[str, str]:
    """Required name -> the student's spelling, for each name found under another name of the family's
    alias table (`found`: required name -> "module.Name", as the student process reported it). With
    `defined` (the parent's reading of the program's classes and defs), a composed helper graded for a class
    the program lacks (softmax_simple for Softmax: aliases.COMPOSED) also words that class's methods as the
    helper: "softmax_simple", "the backward of softmax_simple's exp, sum and /"."""
    table = BY_FAMILY.get(family, ({}, {}))[0]
    composed = COMPOSED.get(family, {})
    unless_class = COMPOSED_UNLESS_CLASS.get(family, {})
    has = set(defined) if defined is not None else None
    out: dict[str, str] = {}
    for required, where in found.items():
        canonical = required.rsplit(".", 1)[-1]
        spelt = str(where).rsplit(".", 1)[-1]
        if spelt != canonical and spelt in table.get(required, ()):
            out[canonical] = spelt
        stands_in = composed.get(spelt) if spelt != canonical else unless_class.get(spelt)
        if stands_in is not None and has is not None and stands_in[0] not in has:
            out |= _as_helper(spelt, *stands_in)
    return out


def _as_helper(spelt: str, cls: str, parts: str) -> dict[str, str]:
    return {cls: spelt, f"{cls}.forward": spelt, f"{cls}.backward": f"the backward of {spelt}'s {parts}"}


def beside_namesake(
    family: str, found: Mapping[str, str], defined: Iterable[str] | None
) -> dict[str, dict[str, str]]:
    """Class -> its wording as the helper standing for it, for the cases and blame entries of that class only,
    where the program lacks the class but defines another of its name: step 43's composed `linear` beside
    dezero/layers.py's Linear, a Layer, whose own messages also say Linear.forward, so the whole report
    cannot be reworded (a wrong `linear` was told "Linear.forward", "Linear.backward": review of
    s28-realdz, sample book_step44_composed_linear_bias_sign/)."""
    if defined is None:
        return {}
    has = set(defined)
    out: dict[str, dict[str, str]] = {}
    for required, where in found.items():
        spelt = str(where).rsplit(".", 1)[-1]
        stands_in = COMPOSED_UNLESS_CLASS.get(family, {}).get(spelt) if spelt == required else None
        if stands_in is not None and stands_in[0] in has and stands_in[0] not in found:
            out[stands_in[0]] = _as_helper(spelt, *stands_in)
    return out


def _article(spelt: str) -> Callable[[re.Match[str]], str]:
    def sub(m: re.Match[str]) -> str:
        article = "an" if spelt[:1] in "AEIOU" else "a"
        return f"{article.capitalize() if m.group(1)[0] == 'A' else article} {spelt}"

    return sub


def respeller(names: Mapping[str, str]) -> Respell | None:
    """A text rewriter naming each class of `names` as spelt (None when nothing is spelt otherwise). A name
    is replaced as a whole word, case and all (`Input`, never `input` or `InputLayer`); its article follows
    ("an Input" -> "a Placeholder")."""
    if not names:
        return None
    words = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    with_article = re.compile(rf"\b([Aa]n?) ({words})\b")
    bare = re.compile(rf"\b({words})\b")

    def grader_words(text: str) -> str:
        text = with_article.sub(lambda m: _article(names[m.group(2)])(m), text)
        return bare.sub(lambda m: names[m.group(1)], text)

    def respell(text: str) -> str:
        if not text:
            return text
        out, at = [], 0
        for start, end in _kept(text):
            out += [grader_words(text[at:start]), text[start:end]]
            at = end
        out.append(grader_words(text[at:]))
        return "".join(out)

    return respell


# Text that is not the grader's own words, kept as written: a backtick-quoted line of source; an exception's
# text, from its class name ("ValueError: ") to the harness's "(file.py line N, in ...)" that follows it (or
# to the end of the line: without one, nothing after it is known to be the grader's); what the course,
# lesson or book writes, to the end of its clause. Each pattern is linear (no nested quantifiers).
_QUOTED = re.compile(r"`[^`\n]*`")
_EXCEPTION = re.compile(r"\b[A-Z]\w*(?:Error|Exception|Warning|Exit|Iteration|Interrupt): ")
_WHERE = re.compile(r" \([^\s()]+ line \d+, in |\n")
_THEIRS = re.compile(r"\b[Tt]he (?:course|lesson|book)'s ")
_CLAUSE_END = re.compile(r"[;\n]|[:.] | \(")


def _kept(text: str) -> list[tuple[int, int]]:
    """The spans of `text` to keep as written, in order, not overlapping."""
    spans: list[tuple[int, int]] = []
    at = 0
    ahead: dict[re.Pattern[str], re.Match[str] | None] = {}  # each pattern's next match, searched again
    while at < len(text):  # only once passed: a long message costs one scan per pattern
        for p in (_QUOTED, _EXCEPTION, _THEIRS):
            if p not in ahead or ((seen := ahead[p]) is not None and seen.start() < at):
                ahead[p] = p.search(text, at)
        found = [m for m in ahead.values() if m is not None]
        if not found:
            break
        m = min(found, key=lambda m: m.start())
        if m.re is _QUOTED:
            end = m.end()
        else:
            stop = (_WHERE if m.re is _EXCEPTION else _CLAUSE_END).search(text, m.end())
            end = stop.start() if stop is not None else len(text)
        spans.append((m.start(), end))
        at = max(end, m.start() + 1)
    return spans


def _finding(f: Finding | None, respell: Respell) -> Finding | None:
    return None if f is None else dataclasses.replace(f, hint=respell(f.hint))


def _check(c: Check, respell: Respell) -> Check:
    return dataclasses.replace(
        c, label=respell(c.label), message=respell(c.message), diagnosis=_finding(c.diagnosis, respell)
    )


def case(r: CaseResult, respell: Respell) -> CaseResult:
    return dataclasses.replace(
        r,
        message=respell(r.message),
        checks=tuple(_check(c, respell) for c in r.checks),
        diagnosis=_finding(r.diagnosis, respell),
    )


def blame(b: Blame, respell: Respell) -> Blame:
    return dataclasses.replace(b, message=respell(b.message))


def title_note(names: Mapping[str, str], titles: Iterable[str]) -> str | None:
    """One line telling why the case titles keep names the messages respell ("fc.cleargrads()" for a Layer
    whose method is cleargrad), or None when no title holds one. A title is the assignment's, the same for
    every student: Gradescope and JUnit list tests by it, so it is never respelt."""
    held = sorted(n for n in names if any(re.search(rf"\b{re.escape(n)}\b", t) for t in titles))
    if not held:
        return None
    pairs = ", ".join(f"{n} is your {names[n]}" for n in held)
    return (
        f"the case titles are the assignment's, the same for every student, and keep its names ({pairs}): "
        "the cases ran your code as you named it, and their messages say so"
    )
