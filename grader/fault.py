"""Who is at fault, in the grader's words: said by the parent only, from codes it trusts, never from text.

"Not your code's fault" tells a student to stop looking for a bug. It is said only where the parent knows it
is true: a failure it decided itself (its judge crashed, a sandbox it could not set up or lost), or the
`grader_error` code, which only the harness sets, for its own bugs, and which no student process can claim
(grader/inside/failures.py). Any other message from the sandbox may carry the student's text (an exception's
message, a file name), so the grader's wording of fault is taken out of it before it is shown: a student's
message never reads as the grader's.
"""

from __future__ import annotations

import re
import unicodedata

from grader import untrusted

GRADER_ERROR = "grader_error"  # grader/inside/failures.py sets it; grader/model.py lists it

GRADER_FAILED = "The grader itself failed on this submission (not your code's fault); staff have the details."
GRADER_FAILED_CASE = "The grader itself failed on this case (not your code's fault); staff have the details."

REMOVED = "[wording only the grader uses, removed]"

# The grader's ways of saying the fault is its own, however they are spelled, spaced or capitalised. Its `i`
# also matches `l`: the skeleton reads a capital I (drawn as l in a sans-serif font) as l (`_LOOKALIKES`).
_WORDING = (
    r"not\W*(?:(?:your|ur|you)\W*)(?:(?:code|submission|program)\W*(?:s\W*)?)?(?:own\W*)?fault"
    r"|no\W*fault\W*of\W*(?:yours|your\W*own|your\W*code)"
    r"|(?:auto)?grader\W*(?:itself\W*)?(?:has\W*)?(?:failed|crashed|stopped)"
    r"|grader'?s?\W*(?:own\W*)?(?:sandbox|fault|bug|error)"
    r"|staff\W*have\W*the\W*details"
)
# No two runs of separators may meet with nothing required between them (`\W*s?\W*` was two, around an
# optional s): a run that the rest of the text then fails to continue is split between them every way, n * n
# steps for a run of n. Student text reaches this in the parent with no sandbox in the way: a numpy alias of
# 20,000 underscores after `not_your_code` (`import numpy as not_your_code___..._np` and a removed `.float`,
# quoted by the note on removed NumPy names) cost the parent 7 s of CPU before the sandbox ran, 100,000 about
# 3 minutes (sample hostile/text_fault_wording_separators.py). `\W*(?:s\W*)?` reads them in one pass.
# `\W` does not match `_`: a file or id spelt with underscores (`not_your_fault.py`, the batch's student id
# `the_grader_failed-745968`) or an exception's `not_your_code's_fault` reads as the wording and was shown as
# the student's text ("syntax error in not_your_fault.py ..."). An underscore separates words here as a blank.
#
# A plural s is part of the wording (review of session 22): "(not your code's faults); staff have the
# details." read "faults" as a name going on past "fault", kept it whole, and showed "(not your code's
# faults); [wording only the grader uses, removed]." An s followed by a letter still makes a name
# (`grader_errors_ok.py`).
_FAULT_WORDING = re.compile(
    "(?:" + _WORDING.replace("i", "[il]").replace(r"\W", r"[\W_]") + ")s?", re.IGNORECASE
)


def _comparable(text: str) -> str:
    """Lookalike forms folded (NFKC: fullwidth letters, ligatures) and invisible format characters (zero-width
    spaces, joiners) dropped, so that the wording cannot hide behind them. First, what untrusted.visible
    takes out of every message after this check (escape sequences, control characters): read with them, "fau
    BEL lt" was no wording here, then shown as "fault" once the parent's records dropped the BEL."""
    folded = unicodedata.normalize("NFKC", untrusted.visible(text))
    return "".join(c for c in folded if unicodedata.category(c) != "Cf")


# Letters of other scripts drawn like Latin ones (Unicode's confusables that Cyrillic, Greek and a few Latin
# extensions put on a keyboard): NFKC keeps them apart, and "nоt yоur cоde's fаult" with Cyrillic о and а
# passed as the student's own text, reading as the grader's (sample forged_grader_failure_lookalikes.py).
# Fillers drawn as a blank (Hangul's, braille's) read as a space; both are folded one character for one.
# ASCII too: a capital I, a 1 or a bar is drawn as l, and 0 as O, in the fonts reports are read in ("not
# your code's fauIt" passed): every letter drawn as a bar reads as l, and the wording's `i` matches l
# (`_FAULT_WORDING`). Lisu and Cherokee have whole alphabets of Latin capitals; small capitals and a few
# single letters (ϲ, whose NFKC is ς; ǀ, a click drawn as l) read as Latin ones too. (Unicode's confusables
# list has thousands: these are for the letters of the wording's words.)
_LOOKALIKES = str.maketrans(
    "аеорсухіјѕһԁԛԝӏАВЕКМНОРСТХУІЈЅԜ"  # Cyrillic
    "αορνυικτΑΒΕΖΗΙΚΜΝΟΡΤΥΧς"  # Greek
    "ıɑɡօսհոǀɩꬵ"  # Latin extensions and Armenian
    "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ"  # small capitals
    "ꓐꓑꓓꓔꓖꓗꓙꓚꓜꓝꓟꓠꓡꓢꓣꓦꓧꓪꓫꓬꓮꓰꓲꓳꓴ"  # Lisu
    "ᎪᏴᏟᎠᎬᏀᎻᎫᏦᏞᎷᏢᎡᏚᎢᏙᎳᏃᎽᎥꭺᏼꮯꭰꭼꮐꮋꭻꮶꮮꮇꮲꭱꮪꭲꮩꮃꮓꮍꭵ"  # Cherokee, capital and small
    "I1|0"  # ASCII
    "\u115f\u1160\u3164\uffa0\u2800",  # blank fillers
    "aeopcyxijshdqwlABEKMHOPCTXYlJSWaopvuiktABEZHlKMNOPTYXc"
    "iagouhnlif"
    "ABCDEFGHlJKLMNOPRSTUVWYZ"
    "BPDTGKJCZFMNLSRVHWXYAElOU"
    "ABCDEGHJKLMPRSTVWZyiABCDEGHJKLMPRSTVWZyi"
    "lllO"
    "     ",
)
# Combining marks, passed over when matching: an invisible one (the grapheme joiner U+034F, a variation
# selector) between two letters of the wording left it whole on the screen and unmatched.
_MARKS = frozenset({"Mn", "Me"})


def _skeleton(comparable: str) -> tuple[str, list[int], str]:
    """`comparable` as it reads: lookalike letters as the Latin ones, combining marks left out; where each
    of its characters is in `comparable` (a match is removed from there, marks inside it included); and the
    same characters before the lookalikes were folded (`|`: an l inside a word, a bar after one)."""
    if comparable.isascii():
        return comparable.translate(_LOOKALIKES), list(range(len(comparable))), comparable
    where = [i for i, c in enumerate(comparable) if unicodedata.category(c) not in _MARKS]
    plain = "".join(comparable[i] for i in where)
    return plain.translate(_LOOKALIKES), where, plain


def _wording(skeleton: str, plain: str) -> list[re.Match[str]]:
    """The grader's wording of fault in `skeleton`, but where it only begins a longer name of the student's:
    a match at the start of a name that goes on (`grader_errors_ok.py`, `grader_bug_notes.py`) is that name,
    and was cut ("syntax error in [wording ...]s_ok.py"). Inside a name (`the_grader_failed-7459`), or as the
    whole of one (`not_your_fault.py`), it is still the wording."""
    return [
        m
        for m in _FAULT_WORDING.finditer(skeleton)
        if not _begins_a_name(skeleton, plain, m.start(), m.end())
    ]


def _begins_a_name(text: str, plain: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    goes_on = _goes_on(plain, end) or (text[end : end + 1] == "_" and _goes_on(plain, end + 1))
    return goes_on and not (before.isalnum() or before == "_")


# ASCII letters and digits drawn as a bar in the fonts reports are read in (`_LOOKALIKES` reads them as l).
_BARS = "Il1"


def _goes_on(plain: str, at: int) -> bool:
    """Whether a name goes on at `at`: with an ASCII letter or digit that reads as one, after any run of
    letters drawn as a bar. Any `isalnum` character kept the whole sentence with a letter drawn as
    punctuation, "The grader itself failed\u01c3 (not your code's fault\ua4f9 staff have the details\ua4f8",
    read as "failed! (... fault, ... details." (U+01C3 is a click letter drawn as `!`, Lisu's tone letters are
    drawn as `,` `.` `:`): only ASCII goes on (`plain` is after NFKC, so a fullwidth or Roman-numeral I is
    I), and a name in another script right after the wording loses the wording, the safe side. A bar alone
    is no name either (review of session 22): `failedI (not your code's faultl staff have the details1`,
    with I, l or 1 read as `|`, kept the whole sentence. A bar followed by another letter is a name going on
    (`grader_error_log.py`). Linear: no alternative of the wording begins with l, so a run of bars scanned
    here is never scanned again for the next match."""
    while at < len(plain) and plain[at] in _BARS:
        at += 1
    drawn = plain[at : at + 1]
    return drawn.isascii() and drawn.isalnum()


def claims_grader_fault(text: str) -> bool:
    skeleton, _, plain = _skeleton(_comparable(text))
    return bool(_wording(skeleton, plain))


def disown(text: str) -> str:
    """A message that may carry the student's text, with the grader's wording of fault taken out (the rest
    is kept: the student still reads their own exception, in its own letters)."""
    comparable = _comparable(text)
    skeleton, where, plain = _skeleton(comparable)
    matches = _wording(skeleton, plain)
    if not matches:
        return text
    kept, last = [], 0
    for match in matches:  # never empty: every alternative of the wording spells at least a word
        kept += [comparable[last : where[match.start()]], REMOVED]
        last = where[match.end() - 1] + 1
    return "".join([*kept, comparable[last:]])


# Rounds of cutting and disowning before `disowned` gives up on the student's words: an honest message takes
# one, a forged one two; more only for text built to expose a name's start at every cut.
_ROUNDS = 4


def disowned(text: str, cap: untrusted.TextCap = untrusted.MESSAGE) -> str:
    """`text` cleaned under `cap` (untrusted.clean) with the grader's wording taken out, in a form that
    neither a later cut to the cap nor `disown` changes again. Disowned first and cut after, the cut could
    expose the wording (review of session 22): a kept name `not your code's faultsy` cut after `fault` by
    the 4,000-character cap of a message read "(not your code's fault [... truncated]"; and a removal,
    longer than what it removes, can push a message past its cap. So: cut, disown, and again until neither
    changes the text. Should that not settle, what is kept is the part before the first match of the
    wording, names included (no wording can match in a prefix of text in which the first match begins at
    its end)."""
    shown = untrusted.clean(text, cap)
    for _ in range(_ROUNDS):
        again = disown(shown)
        if again == shown:
            return shown
        shown = untrusted.clean(again, cap)
    comparable = _comparable(shown)
    skeleton, where, _ = _skeleton(comparable)
    first = _FAULT_WORDING.search(skeleton)
    before = comparable if first is None else comparable[: where[first.start()]]
    return untrusted.clean(f"{before[: cap.chars - len(untrusted.TRUNCATED) - 1]} {untrusted.TRUNCATED}", cap)
