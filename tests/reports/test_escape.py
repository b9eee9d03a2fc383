"""Escaping per writer: terminal, Gradescope markdown, CSV cells, XML text. Each with inputs that must change
and inputs that must stay byte-identical."""

from __future__ import annotations

import csv
import html
import io
import xml.etree.ElementTree as ET

import pytest

from grader.reports.escape import csv_cell, html_text, markdown, markdown_code, terminal, xml_text

ESC = "\x1b"
ORDINARY = [
    "José García",
    "alice_01",
    "Linear",
    "東京 🙂",
    "gradient of W (transposed)",
    "\uff21\uff4e\uff4e \u2015 Lee",
]


# ---------------------------------------------------------------- terminal


def test_terminal_removes_cursor_moves_titles_links_and_fake_lines() -> None:
    """A fake PASS line (CR, erase line, colour), a title, a hyperlink and a newline come out as one inert
    line of text."""
    raw = f"{ESC}[2K\r{ESC}[32mPASS{ESC}[0m 10/10\n{ESC}]0;pwned\x07{ESC}]8;;http://x{ESC}\\link{ESC}]8;;{ESC}\\"
    assert terminal(raw) == " PASS 10/10 link"
    assert terminal("a\u202egnp.py") == "agnp.py"


def test_terminal_multi_line_keeps_newlines_only_when_asked() -> None:
    """one_line=False keeps LF and TAB (and still drops every control)."""
    assert terminal("a\n\tb\x07", one_line=False) == "a\n\tb"


@pytest.mark.parametrize("text", ORDINARY)
def test_terminal_keeps_ordinary_text(text: str) -> None:
    """Negative control: names and messages without controls are unchanged."""
    assert terminal(text) == text


# ---------------------------------------------------------------- markdown


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("[x](javascript:alert(1))", "\\[x\\]\\(javascript:alert\\(1\\)\\)"),
        ("<img src=x onerror=alert(1)>", "&lt;img src\\=x onerror\\=alert\\(1\\)&gt;"),
        ("**bold** _it_ `code`", "\\*\\*bold\\*\\* \\_it\\_ \\`code\\`"),
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("1. item", "1\\. item"),
        ("> quote", "&gt; quote"),
        ("a | b", "a \\| b"),
        ("&amp; &lt;", "&amp;amp; &amp;lt;"),
        ("$x^2$ ~~s~~", "\\$x\\^2\\$ \\~\\~s\\~\\~"),
        ("back\\slash", "back\\\\slash"),
        ("![i](http://x/y.png)", "\\!\\[i\\]\\(http://x/y\\.png\\)"),
    ],
)
def test_markdown_shows_markup_as_text(raw: str, escaped: str) -> None:
    """Links, images, HTML, emphasis, code, headings, lists, quotes, tables, entities, math: all escaped."""
    assert markdown(raw) == escaped


def test_markdown_keeps_lines_and_indentation_without_code_blocks() -> None:
    """Each line ends in a hard break; leading spaces become &nbsp; (4 per tab), so no indented code block."""
    assert markdown("first\n    second\n\tthird") == "first  \n&nbsp;&nbsp;&nbsp;&nbsp;second  \n" + (
        "&nbsp;" * 4 + "third"
    )


def test_markdown_drops_controls() -> None:
    """Escape sequences never reach the renderer."""
    assert markdown(f"{ESC}[31mred{ESC}[0m") == "red"


@pytest.mark.parametrize("text", ["José García", "alice", "東京 🙂", "dW got 3 expected 4"])
def test_markdown_keeps_text_without_markup(text: str) -> None:
    """Negative control: text without markdown or HTML characters is unchanged."""
    assert markdown(text) == text


# ---------------------------------------------------------------- CSV


@pytest.mark.parametrize(
    ("raw", "cell"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\n=1"),
        ("\x00=1+1", "'=1+1"),  # a control character cannot hide the formula
        # Fullwidth and small forms: Excel in an East Asian locale reads them as the ASCII signs.
        ('\uff1dHYPERLINK("http://x")', '\'\uff1dHYPERLINK("http://x")'),
        ("\uff0bcmd|' /C calc'!A0", "'\uff0bcmd|' /C calc'!A0"),
        ("\uff0d2+3", "'\uff0d2+3"),
        ("\uff20SUM(1+1)", "'\uff20SUM(1+1)"),
        ("\ufe66SUM(1)", "'\ufe66SUM(1)"),
        ("\ufe62SUM(1)", "'\ufe62SUM(1)"),
        ("\ufe63SUM(1)", "'\ufe63SUM(1)"),
        ("\ufe6bSUM(1)", "'\ufe6bSUM(1)"),
    ],
)
def test_csv_neutralises_formulas(raw: str, cell: str) -> None:
    """OWASP: a cell starting with = + - @ TAB CR gets a leading single quote."""
    assert csv_cell(raw) == cell


@pytest.mark.parametrize("number", ["-1", "-1.5", "+2", "3", "0.25", "-2.5e-07", "34"])
def test_csv_numbers_stay_numbers(number: str) -> None:
    """Negative control: a signed number is not a formula and keeps its value."""
    assert csv_cell(number) == number


@pytest.mark.parametrize("text", ORDINARY)
def test_csv_keeps_ordinary_cells(text: str) -> None:
    """Negative control: names and ids are unchanged."""
    assert csv_cell(text) == text


def test_csv_cells_survive_the_csv_module() -> None:
    """A neutralised cell with quotes and commas round-trips through csv as one cell, still neutralised."""
    buf = io.StringIO()
    csv.writer(buf).writerow([csv_cell('=HYPERLINK("a,b")'), "2"])
    assert next(csv.reader(io.StringIO(buf.getvalue()))) == ['\'=HYPERLINK("a,b")', "2"]


# ---------------------------------------------------------------- XML


def test_xml_text_removes_what_xml_and_terminals_must_not_see() -> None:
    """NUL, ESC sequences, C1, lone surrogates (as U+FFFD) and bidi overrides go; the XML stays parseable."""
    raw = f"a\x00b{ESC}[31mc\x85d\udcffe\u202ef\ufffeg"
    cleaned = xml_text(raw)
    assert cleaned == "abcd\ufffdefg"
    el = ET.Element("t", message=cleaned)
    el.text = cleaned + " <&>"
    assert ET.fromstring(ET.tostring(el, encoding="unicode")).text == "abcd\ufffdefg <&>"


def _xml_char(c: str) -> bool:
    """XML 1.0's Char production, as the recommendation writes it (section 2.2): the oracle."""
    n = ord(c)
    return n in (0x9, 0xA, 0xD) or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or 0x10000 <= n <= 0x10FFFF


def test_the_xml_pattern_removes_exactly_what_xml_cannot_carry() -> None:
    """Every code point: escape._NOT_XML (written as the list of what is left out, for its compile cost)
    matches exactly the characters outside XML 1.0's Char production. Control: the oracle rejects some."""
    from grader.reports.escape import _NOT_XML

    every = "".join(map(chr, range(0x110000)))
    assert _NOT_XML.sub("", every) == "".join(c for c in every if _xml_char(c))
    assert not _xml_char("\x0b") and not _xml_char("\ufffe") and _xml_char("\U0010ffff")


@pytest.mark.parametrize("text", [*ORDINARY, "Affine.backward raised <boom> & ]]>"])
def test_xml_text_keeps_ordinary_text(text: str) -> None:
    """Negative control: markup characters are ElementTree's to escape, not removed."""
    assert xml_text(text) == text


def test_html_text_escapes_markup_and_drops_controls():
    """`<img onerror>`, quotes and `&` become entities (text and attribute safe); an escape sequence goes."""
    assert html_text("<img src=x onerror='a'>&\"") == "&lt;img src=x onerror=&#x27;a&#x27;&gt;&amp;&quot;"
    assert html_text("\x1b[2Kok") == "ok"
    assert html_text("plain José") == "plain José"  # control: ordinary text is unchanged


# ---------------------------------------------------------------- markdown code blocks, rendered

_HOSTILE_ROWS = [
    "index | got | expected",
    "```",
    "``````",
    "~~~",
    "</code></pre><script>alert(1)</script>",
    "[x](javascript:alert(1)) **bold** &lt; &amp;",
    "    indented | `tick` | $x$",
]


def _rendered(text: str) -> str:
    markdown_it = pytest.importorskip("markdown_it")
    return markdown_it.MarkdownIt("commonmark", {"html": True}).render(text)


def test_markdown_code_is_one_block_showing_every_line_as_written() -> None:
    """Rendered by a CommonMark renderer with HTML on (as Gradescope's markdown is): one <pre><code> block
    whose text is exactly the lines given, whatever they hold (fences of any length, a closing tag, a
    script, a link, an entity); no tag of theirs reaches the page."""
    page = _rendered(markdown_code(_HOSTILE_ROWS) + "\n\nafter")
    assert page.count("<pre><code>") == 1 and page.count("</code></pre>") == 1
    block = page[page.index("<pre><code>") + len("<pre><code>") : page.index("</code></pre>")]
    assert html.unescape(block) == "\n".join(_HOSTILE_ROWS) + "\n"
    assert "<script>" not in page and "<a " not in page and "<strong>" not in page
    assert page.endswith("<p>after</p>\n")


def test_markdown_code_control_text_escaped_as_a_paragraph_loses_its_columns() -> None:
    """Negative control of why tables go in a code block: escaped as text, the same row renders with its
    runs of spaces in a paragraph, which HTML collapses (the columns of a got/expected table drift)."""
    row = "(1, 1) |  791.993 | -0.0001"
    page = _rendered(markdown(row))
    assert page.startswith("<p>") and "<pre>" not in page
    assert "<pre><code>" in _rendered(markdown_code([row]))
