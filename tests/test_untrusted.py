"""The one normalisation of text from a submission: what is removed, what is kept byte for byte, the caps."""

from __future__ import annotations

import tracemalloc
import unicodedata

import pytest

from grader import untrusted
from grader.untrusted import MESSAGE, NAME, TRUNCATED, TextCap, clean

ESC = "\x1b"


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        (f"{ESC}[2K{ESC}[1G{ESC}[32mPASS{ESC}[0m", "PASS"),  # CSI: erase line, move, colour; all whole
        (f"a{ESC}]0;pwned{ESC}\\b", "ab"),  # OSC window title, ended by ST
        (f"a{ESC}]2;title\x07b", "ab"),  # OSC ended by BEL
        (f"{ESC}]8;;javascript:alert(1){ESC}\\click{ESC}]8;;{ESC}\\", "click"),  # OSC 8 hyperlink
        (f"a{ESC}P1$r0m{ESC}\\b", "ab"),  # DCS
        (f"a{ESC}_apc{ESC}\\b", "ab"),  # APC
        ("a\x9b31mb", "ab"),  # 8-bit CSI (C1)
        ("a\x9d0;t\x9cb", "ab"),  # 8-bit OSC ended by 8-bit ST
        (f"a{ESC}cb{ESC}7c{ESC}(Bd", "abcd"),  # two-byte escapes: reset, save cursor, charset
        (f"a{ESC}]0;unterminated", "a0;unterminated"),  # no terminator: only the introducer ESC ] goes
        ("a\x00b\x07c\x08d\x7fe\x85f", "abcdef"),  # C0, DEL, C1
        ("abc\u202edcba\u2066x\u2069\u202a\u202c", "abcdcbax"),  # bidi overrides and isolates
        ("a\u2028b\u2029c", "abc"),  # Unicode line / paragraph separators
        ("(a\u200fb\u200e).py\u061c", "(ab).py"),  # bidi marks: RLM, LRM, the Arabic letter mark
        ("one\r\ntwo", "one\ntwo"),
        ("10%\r20%\rPASS", "10%\n20%\nPASS"),  # a lone CR would overwrite the line on a terminal
        ("bad \udcff name \ud83d", "bad \ufffd name \ufffd"),  # lone surrogates
    ],
)
def test_removes_sequences_controls_and_bad_unicode(raw: str, cleaned: str) -> None:
    """Escape sequences go whole, other controls and bidi overrides go, CR becomes LF, surrogates U+FFFD."""
    assert clean(raw) == cleaned


def test_invalid_utf8_bytes_become_replacement_characters() -> None:
    """Bytes are decoded as UTF-8 with U+FFFD for what is not UTF-8."""
    assert clean(b"caf\xe9 ok \xff") == "caf\ufffd ok \ufffd"
    assert clean("café".encode()) == "café"


@pytest.mark.parametrize(
    "text",
    [
        "Linear.backward raised ValueError: shapes (2,3) and (2,3) not aligned",
        "José García",
        "Ærøskøbing 東京 Привет 🙂 ﷺ",
        "line one\n\tindented line two\n",
        "dW[0, 1]: got -1.5e-07, expected 2.5",
        "",
    ],
)
def test_ordinary_text_is_kept_byte_for_byte(text: str) -> None:
    """Negative control: normal messages, names with accents, other scripts, emoji, tabs and newlines."""
    assert clean(text) == text
    assert clean(text).encode("utf-8") == text.encode("utf-8")


def test_names_become_one_line() -> None:
    """A name cannot carry a line of its own: LF, TAB and CR are shown by code point (as spaces, `a\nb.py`
    read as another student's `a b.py`), and so is an escape sequence's ESC: nothing reaches a terminal."""
    assert untrusted.name("Linear\nPASS 10/10\tok") == "Linear<U+000A>PASS 10/10<U+0009>ok"
    assert untrusted.name("\x1b[2K\rPASS ") == "<U+001B>[2K<U+000D>PASS"  # no outer spaces
    assert untrusted.name("Linear") == "Linear"


def test_a_name_shows_its_escape_sequences_never_runs_nor_removes_them() -> None:
    """An escape sequence in a name is shown by its ESC's code point: removed whole (as 022afcf did),
    `jo\x1b[mn.py` was `jon.py` in the gradebook, beside the real `jon.py` (review, session 22)."""
    assert untrusted.name("jo\x1b[mn.py") == "jo<U+001B>[mn.py" != untrusted.name("jon.py")
    assert untrusted.name("jon\x1b]2;title\x07.py") == "jon<U+001B>]2;title<U+0007>.py"
    assert untrusted.name("ali\x1bce.py") == "ali<U+001B>ce.py"
    assert "\x1b" not in untrusted.name("\x9b31mjon") and untrusted.name("\x9b31mjon") == "<U+009B>31mjon"


def test_a_path_shows_its_controls_by_code_point() -> None:
    """A path is never rewritten into another file's path: with its BEL removed, `cls/jo\x07n.py`'s report
    named `cls/jon.py`, the other student's file (review of session 22, finding 3). Its zero-width joiner
    is kept raw as before (negative control: only controls are shown)."""
    assert untrusted.path("cls/jo\x07n.py") == "cls/jo<U+0007>n.py" != untrusted.path("cls/jon.py")
    assert untrusted.path("cls/jo\x1b[mn.py") == "cls/jo<U+001B>[mn.py"
    assert untrusted.path("cls/jo\u200dn.py") == "cls/jo\u200dn.py"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("jo\u200dn", "jo<U+200D>n"),
        ("jo\u200bn", "jo<U+200B>n"),
        ("j\u200con", "j<U+200C>on"),
        ("jon\u2060", "jon<U+2060>"),
        ("\ufeffjon", "<U+FEFF>jon"),
        ("j\u2062on", "j<U+2062>on"),
        ("jo\u180en", "jo<U+180E>n"),
        ("jo\u00adn", "jo<U+00AD>n"),  # soft hyphen
        ("jo\u200fn", "jo<U+200F>n"),  # right-to-left mark
        ("jo\u202en", "jo<U+202E>n"),  # right-to-left override
        ("jo\u00a0n", "jo<U+00A0>n"),  # no-break space, seen as a space
        ("jo\u2028n", "jo<U+2028>n"),  # line separator
        ("jo\x07n", "jo<U+0007>n"),  # BEL: removed until session 22, `jon` itself
        ("jo\x00n", "jo<U+0000>n"),
        ("jo\x7fn", "jo<U+007F>n"),  # DEL
        ("jo\x85n", "jo<U+0085>n"),  # C1 next line
    ],
)
def test_names_show_invisible_characters_by_code_point(raw: str, shown: str) -> None:
    """A name or path shown to a TA holds no character they cannot see, and two names differing only in one
    stay two: `jo<U+200D>n.py` read as a second `jon.py` in gradebook.csv; once the joiner was removed
    (review of s21-repo, finding 6) it became `jon.py`, the other student's file, in the report's path. Each
    such character is written as its code point, never removed."""
    assert untrusted.name(raw) == shown
    assert untrusted.name(f"{raw}.py") == f"{shown}.py"
    assert untrusted.name(raw) != untrusted.name("jon") and untrusted.name(shown) == shown  # idempotent


@pytest.mark.parametrize("raw", ["jo\u200dn", "jo\u200bn", "\ufeffjon", "jo\u00a0n", "jo\u00adn"])
def test_a_path_keeps_its_invisible_characters(raw: str) -> None:
    """A path is never rewritten: with the joiner removed, the report of `jo<U+200D>n.py` named `.../jon.py`,
    another student's file (review of s21-repo, finding 6). Its invisible characters stay as they are."""
    assert untrusted.path(f"/class/{raw}.py") == f"/class/{raw}.py"


def test_messages_keep_invisible_characters() -> None:
    """Negative control: a message or captured output keeps them (a quoted line of code may hold an emoji's
    joiner, a Persian word its non-joiner); only names lose them."""
    for text in ("print('\U0001f469\u200d\U0001f4bb')", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"):
        assert untrusted.message(text) == text
        assert untrusted.output(text) == text


def test_length_cap_marks_the_cut() -> None:
    """Over its cap a text is cut to exactly the cap and ends with the visible marker."""
    out = clean("x" * 10_000, MESSAGE)
    assert len(out) == MESSAGE.chars and out.endswith(" " + TRUNCATED)
    assert clean("x" * MESSAGE.chars, MESSAGE) == "x" * MESSAGE.chars  # at the cap: untouched


def test_line_cap_marks_the_cut() -> None:
    """110,000 lines become MESSAGE.lines lines, the last one the marker."""
    out = clean("line\n" * 110_000, MESSAGE)
    lines = out.split("\n")
    assert len(lines) == MESSAGE.lines and lines[-1] == TRUNCATED and lines[0] == "line"


def test_text_made_only_of_sequences_still_says_it_was_cut() -> None:
    """A flood of escape sequences beyond the work budget is not silently dropped: the marker shows."""
    assert clean(f"{ESC}[0m" * 10_000 + "tail", TextCap(chars=100, lines=5)) == " " + TRUNCATED


def test_clean_is_idempotent() -> None:
    """Normalising twice changes nothing (records built from records stay the same)."""
    samples = ["x" * 9000, "a\n" * 500, f"{ESC}[31mred\r\n", "José", "\udcff" * 300]
    for cap in (NAME, MESSAGE, untrusted.OUTPUT, untrusted.DETAIL):
        for s in samples:
            once = clean(s, cap)
            assert clean(once, cap) == once


def test_str_subclass_and_non_text() -> None:
    """A str subclass is read as plain text (its __str__ is never called); other objects become repr."""

    class Sneaky(str):
        def __str__(self) -> str:
            raise AssertionError("never called")

    assert clean(Sneaky("plain")) == "plain" and type(clean(Sneaky("plain"))) is str
    assert clean(42) == "42" and clean(None) == "None"


def test_cost_is_bounded_by_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 60 MB string is cleaned by looking at only a few times the cap, and the cut is marked: every pass
    over the text (the scan for controls, the line and character cuts) is given at most _WORK_FACTOR times
    the cap, and the memory taken stays under 1 MB (a copy of the whole string would be 60 MB)."""
    seen: list[int] = []
    for stage in ("visible", "_cut_lines", "_cut_chars"):
        original = getattr(untrusted, stage)

        def counted(text: str, *args: object, _original=original, **kwargs: object) -> str:  # type: ignore[no-untyped-def]
            seen.append(len(text))
            return _original(text, *args, **kwargs)

        monkeypatch.setattr(untrusted, stage, counted)
    huge = "a\x1b[31m" * 10_000_000
    tracemalloc.start()
    out = untrusted.message(huge)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(seen) == 3 and max(seen) <= untrusted._WORK_FACTOR * MESSAGE.chars + 64, seen
    assert peak < 1 << 20, peak
    assert len(out) <= MESSAGE.chars and out.endswith(" " + TRUNCATED) and out.startswith("aaa")


def test_a_string_control_with_another_introducer_inside_loses_both() -> None:
    """A string control's body stops at the next introducer: the first of two is unterminated, only it goes,
    and the second's control is removed whole. Its body ran past other introducers, so each of n unterminated
    ones (`print("\\x9d" * n)`) was scanned to the end of the text, n * n steps: 40,000 took 17 s of the
    parent's CPU, a 256 KiB captured stream minutes (sample hostile/text_c1_string_controls.py)."""
    assert clean("a\x9dkept\x9d0;title\x07b") == "akeptb"
    assert clean(f"a{ESC}]kept\x9d0;title{ESC}\\b") == "akeptb"


def test_items_caps_the_count_and_says_how_many_were_dropped() -> None:
    """Over MAX_ITEMS, the last kept item names the number dropped; under it, items are only cleaned."""
    out = untrusted.items(f"n{i}" for i in range(untrusted.MAX_ITEMS + 10))
    assert len(out) == untrusted.MAX_ITEMS
    assert out[-1] == f"{TRUNCATED} 11 more" and out[0] == "n0"
    assert untrusted.items(["a\x00b", "c"]) == ("a<U+0000>b", "c")


def test_mapping_caps_entries_and_cleans_keys_and_values() -> None:
    """Over the limit, one entry says how many were dropped; keys and values are cleaned."""
    out = untrusted.mapping({f"k{i}": f"v{i}" for i in range(50)}, untrusted.name, limit=5)
    assert list(out) == ["k0", "k1", "k2", "k3", f"{TRUNCATED} 46 more"]
    assert untrusted.mapping({"a\x1b[1mb": "c\nd"}, untrusted.name) == {"a<U+001B>[1mb": "c<U+000A>d"}


@pytest.mark.parametrize("cap", [MESSAGE, untrusted.DETAIL, untrusted.OUTPUT], ids=lambda c: str(c.chars))
def test_an_objects_address_is_the_same_in_every_run(cap: TextCap) -> None:
    """A default repr carries the object's address, new in every run: report.json held "KeyError:
    <add_quiz_sort_one_level.Add object at 0x7fbe...>" in one run and "0x7fdd..." in the next (review of
    s24-fixmut). Two runs' text normalise equal; a hex number that is not an address is kept."""
    first = clean("KeyError: <hw.Add object at 0x7fbe12ab34c0>", cap)
    second = clean("KeyError: <hw.Add object at 0x7FDD0099EEF0>", cap)
    assert first == second == "KeyError: <hw.Add object at 0x...>"
    assert clean(first, cap) == first
    assert clean("mask 0x7fbe12ab34c0 at 0x10", cap) == "mask 0x7fbe12ab34c0 at 0x10"
    # a file name is never rewritten: two files would share one name
    assert untrusted.name("a at 0x1>.py") != untrusted.name("a at 0x2>.py")


# two combining marks (Mn) and an enclosing one (Me)
ACUTE, GRAVE, CYRILLIC_MILLIONS = "\u0301", "\u0300", "\u0489"


def _longest_stack(text: str) -> int:
    """The most combining marks (Mn, Me) on one character of `text` (an invisible joiner ends a run here)."""
    longest = run = 0
    for ch in text:
        run = run + 1 if unicodedata.category(ch) in ("Mn", "Me") else 0
        longest = max(longest, run)
    return longest


def test_a_stack_of_combining_marks_keeps_its_first_eight() -> None:
    """Sixty acute accents on one letter (a stroke 200 px tall across the class report's other rows): a
    message keeps the letter and its first eight marks; the text after the stack is kept whole."""
    raw = "o" + ACUTE * 60 + "k " + CYRILLIC_MILLIONS * 40 + "done"
    assert clean(raw) == "o" + ACUTE * 8 + "k " + CYRILLIC_MILLIONS * 8 + "done"
    assert untrusted.MAX_STACKED_MARKS == 8
    assert _longest_stack(untrusted.visible(raw)) == 8 and _longest_stack(clean(raw * 50)) == 8


def test_a_stack_of_nine_is_cut_wherever_it_starts() -> None:
    """The cut finds a stack of 9 to 40 marks after 0 to 20 other non-ASCII letters (its scan reads every
    ninth character of a run first)."""
    for lead in range(21):
        for marks in (9, 10, 17, 18, 19, 40):
            stack = (ACUTE + GRAVE) * (marks // 2) + ACUTE * (marks % 2)
            raw = "x" + "\uac00" * lead + "e" + stack + "\uac00"
            assert _longest_stack(clean(raw)) == 8, (lead, marks)


def _marks_per_letter(text: str) -> list[int]:
    """The marks drawn on each letter of `text`: a format character (ZWJ, word joiner) is drawn as nothing
    and does not end a letter's grapheme cluster (UAX #29 GB9: ZWJ is Extend), so marks after it stack on."""
    counts = [0]
    for ch in text:
        kind = unicodedata.category(ch)
        if kind in ("Mn", "Me"):
            counts[-1] += 1
        elif kind != "Cf":
            counts.append(0)
    return counts


@pytest.mark.parametrize("joiner", ["\u200d", "\u2060", "\u200c\u200d"])
def test_a_stack_split_by_invisible_joiners_is_one_stack(joiner: str) -> None:
    """Eight accents then a zero-width joiner, fifty times on one letter: every accent lands on the `o`
    (400 drawn while the count restarted after each joiner); messages and output keep its first eight."""
    raw = "o" + (ACUTE * 8 + joiner) * 50 + "k"
    for cap in (MESSAGE, untrusted.OUTPUT):
        assert max(_marks_per_letter(clean(raw, cap))) == 8, cap
    assert max(_marks_per_letter(untrusted.visible(raw))) == 8
    assert clean("o" + ACUTE * 8 + "\u200d" + "\U0001f469", MESSAGE) == "o" + ACUTE * 8 + "\u200d\U0001f469"
    assert max(_marks_per_letter(raw)) == 400  # the oracle itself sees the tower


def test_names_and_paths_show_the_marks_past_eight_by_code_point() -> None:
    """A file name's marks past the eighth are written as code points, never dropped: `lee` with 20 acute
    accents is not the same name as `lee` with 19."""
    twenty, nineteen = "lee" + ACUTE * 20 + ".py", "lee" + ACUTE * 19 + ".py"
    assert untrusted.name(twenty) == "lee" + ACUTE * 8 + "<U+0301>" * 12 + ".py"
    assert untrusted.name(twenty) != untrusted.name(nineteen)
    assert untrusted.path("hw/" + twenty) == "hw/lee" + ACUTE * 8 + "<U+0301>" * 12 + ".py"
    for cap in (NAME, untrusted.PATH, MESSAGE):
        assert clean(clean(twenty, cap), cap) == clean(twenty, cap)


@pytest.mark.parametrize(
    "text",
    [
        "Vi\u1ec7t Nam, ti\u1ebfng Vi\u00ea\u0323t",  # Vietnamese, precomposed and with a combining dot below
        "\u05e9\u05c1\u05bc\u05b8\u0591\u05dc\u05d5\u05b9\u05dd",  # Hebrew: shin dot, dagesh, qamats, etnahta
        "\u0f56\u0f66\u0f92\u0fb2\u0f74\u0f56\u0f66",  # Tibetan: subjoined ga and ra, vowel u
        "\u0928\u092e\u0938\u094d\u0924\u0947",  # Devanagari: virama, vowel sign
        "1\ufe0f\u20e3 \U0001f44d\U0001f3fd \U0001f468\u200d\U0001f469\u200d\U0001f467",  # keycap, skin
        "\uc548\ub155\ud558\uc138\uc694 " * 40,  # Korean: long runs of non-ASCII letters, no mark
        "\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22 \u0e19\u0e49\u0e33\u0e41\u0e02\u0e47\u0e07",  # Thai
        "\u0628\u0650\u0633\u0652\u0645\u0650 \u0671\u0644\u0644\u0651\u064e\u0670\u0647\u0650",  # Arabic
        "\u1100\u1161\u11a8\u1102\u1162\u11ab " * 20,  # Hangul conjoining jamo (Lo, never stacked)
    ],
)
def test_the_marks_of_real_scripts_are_kept(text: str) -> None:
    """No script stacks more than eight marks: text in these is kept character for character."""
    assert clean(text, untrusted.OUTPUT) == text


@pytest.mark.parametrize(
    "raw",
    [
        "miniflow.Linear",
        f"jo{ESC}[mn.py",
        "jo\u200dn.py",
        "lee" + "\u0301" * 12,
        "  spaced\tname\n",
        "x" * 128,
    ],
)
def test_a_short_names_kept_normal_form_is_cleans(raw: str) -> None:
    """A name of up to 128 characters is normalised once and kept: asked again (a batch's names repeat from
    job to job) it is the same text `clean` gives under NAME, worked out afresh by the test."""
    untrusted._short_name.cache_clear()
    first = untrusted.name(raw)
    assert first == clean(raw, NAME)
    assert untrusted.name(raw) == first
    assert untrusted._short_name.cache_info().hits == 1


def test_a_long_name_or_a_str_subclass_is_normalised_each_time_never_kept() -> None:
    """Past 128 characters (up to a frame's cap: 1,024 of those would be megabytes) or not exactly a str, a
    name goes to `clean` and nothing is kept."""

    class Odd(str):
        pass

    untrusted._short_name.cache_clear()
    long = "y" * 128 + "\x07"
    assert untrusted.name(long) == clean(long, NAME)
    assert untrusted.name(Odd("Linear")) == "Linear"
    assert untrusted.name(3) == "3"
    assert untrusted._short_name.cache_info().currsize == 0


def _widest_name(i: int) -> str:
    """128 characters whose normal form is as large as a name's can be: an emoji (every character of the
    text then takes 4 bytes) and 127 invisible astral code points, each shown as `<U+10XXXX>`, cut at 200."""
    return chr(0x1F600) + "".join(chr(0x100000 + (i * 127 + j) % 65_000) for j in range(127))


def test_the_kept_names_hold_under_1_7_mb_whatever_they_are() -> None:
    """1,024 names of 128 characters, each with the widest normal form, held by the memo once the job that
    sent them is gone: under 1.7 MB (1.58 MB measured; untrusted.py's comment and docs/BENCHMARKS.md session
    28 said "under 1.5 MB", which only the strings themselves were)."""
    untrusted._short_name.cache_clear()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(1024):
            untrusted.name(_widest_name(i))
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        info = untrusted._short_name.cache_info()
        untrusted._short_name.cache_clear()
    assert info.currsize == 1024 and info.hits == 0
    assert len(untrusted.name(_widest_name(0))) == NAME.chars
    assert held < 1_700_000, held
