"""The HTML of the class report: one self-contained page per class and per student.

No network (a Content-Security-Policy forbids every fetch), no CDN: CSS, JS and the SVG histogram are
inline. Every string that a student controls (ids, file names, messages, flag evidence) goes through
`escape.html_text`; numbers are formatted here. The tables are rendered as HTML, so the page reads without
JavaScript; the script only sorts and filters rows that are already there.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from grader.model import TABLE_ROW
from grader.reports.escape import html_text as h
from grader.reports.gradebook import percent

if TYPE_CHECKING:
    from grader.reports.class_report import ClassData, StudentLine

HISTOGRAM_HEIGHT = 160  # px of the tallest bar
BAR_WIDTH, BAR_GAP = 44, 8
TOP_DIAGNOSES = 8

_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;
background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.15em;margin:28px 0 8px}
.sub{color:#5b6475;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:1.5em}.card span{color:#5b6475;font-size:.9em}
section{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:8px 16px 16px;margin-top:16px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceef2;vertical-align:top}
td.id{overflow-wrap:anywhere}
th{background:#fafbfc}th[data-sort]{cursor:pointer;user-select:none}
th[data-sort]::after{content:" \\2195";color:#9aa3b2}th[aria-sort=ascending]::after{content:" \\25B2"}
th[aria-sort=descending]::after{content:" \\25BC"}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.meter{display:inline-block;width:90px;height:8px;background:#eceef2;border-radius:4px;vertical-align:middle}
.meter i{display:block;height:8px;border-radius:4px;background:#2f8f5b}
.passed{color:#1e7a46}.failed,.load_failed,.error{color:#b3261e}.not_run{color:#8a6d00}
.tag{display:inline-block;border-radius:4px;padding:0 6px;font-size:.85em;background:#eef0f4;margin:1px}
.flag{background:#fff1d6}.msg{white-space:pre-wrap;font-family:ui-monospace,Menlo,Consolas,monospace;
font-size:.9em;margin:4px 0}.rows{white-space:pre}
.controls{display:flex;gap:12px;margin:8px 0}.controls input{flex:1;padding:6px}
svg text{font:12px system-ui,sans-serif;fill:#1d2330}.bar{fill:#4a7bd0}
.muted{color:#5b6475}
"""

_SCRIPT = """
(function(){
  var table=document.getElementById('students');if(!table)return;
  var body=table.tBodies[0];
  function key(row,i,numeric){var c=row.cells[i];var v=c.getAttribute('data-value');
    if(v===null)v=c.textContent;return numeric?(v===''?-Infinity:parseFloat(v)):v.toLowerCase();}
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){
    if(!th.hasAttribute('data-sort'))return;
    th.addEventListener('click',function(){
      var numeric=th.getAttribute('data-sort')==='num';
      var asc=th.getAttribute('aria-sort')!=='ascending';
      Array.prototype.forEach.call(table.tHead.rows[0].cells,function(o){o.removeAttribute('aria-sort');});
      th.setAttribute('aria-sort',asc?'ascending':'descending');
      var rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){var x=key(a,i,numeric),y=key(b,i,numeric);
        return (x<y?-1:x>y?1:0)*(asc?1:-1);});
      rows.forEach(function(r){body.appendChild(r);});
    });
  });
  var box=document.getElementById('filter'),status=document.getElementById('status-filter');
  var shown=document.getElementById('shown');
  function filter(){var q=box.value.trim().toLowerCase(),s=status.value,n=0;
    Array.prototype.forEach.call(body.rows,function(r){
      var ok=(!q||r.textContent.toLowerCase().indexOf(q)>=0)&&(!s||r.getAttribute('data-status')===s);
      r.hidden=!ok;if(ok)n++;});
    shown.textContent=n+' of '+body.rows.length+' shown';}
  box.addEventListener('input',filter);status.addEventListener('change',filter);filter();
})();
"""


def _page(title: str, body: str, *, script: str = "") -> str:
    return "".join(_page_parts(title, [body], script=script))


def _page_parts(title: str, body: Iterable[str], *, script: str = "") -> Iterator[str]:
    yield (
        "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name=viewport content="width=device-width, initial-scale=1">\n'
        '<link rel=icon href="data:,">\n'
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
    )
    yield from body
    yield "\n</main>\n" + (f"<script>{script}</script>\n" if script else "") + "</body>\n</html>\n"


def _num(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{round(float(x), digits):g}"


def _meter(share: float) -> str:
    width = max(0.0, min(100.0, 100 * share))
    return f'<span class=meter aria-hidden=true><i style="width:{width:.1f}%"></i></span>'


def student_href(student: str) -> str:
    return quote(student, safe="") + "/report.html"


# ---------------------------------------------------------------- class page


def histogram_svg(bins: Sequence[Mapping[str, Any]]) -> str:
    """One bar per tenth of full marks; a bar's height is its count over the largest count (the tallest
    bar is HISTOGRAM_HEIGHT px), with the count above it and the range below."""
    top = max((int(b["count"]) for b in bins), default=0) or 1
    step = BAR_WIDTH + BAR_GAP
    width, base = step * len(bins) + BAR_GAP, HISTOGRAM_HEIGHT + 24
    parts = [
        f'<svg id=histogram role=img width={width} height={base + 36} viewBox="0 0 {width} {base + 36}" '
        'aria-label="number of students per score band">'
    ]
    for i, b in enumerate(bins):
        count = int(b["count"])
        height = HISTOGRAM_HEIGHT * count / top
        x = BAR_GAP + i * step
        low, high = round(100 * float(b["from"])), round(100 * float(b["to"]))
        band = f"{low}–{high}%"
        parts.append(
            f'<rect class=bar data-count={count} data-band="{band}" x={x} y={base - height:.2f} '
            f"width={BAR_WIDTH} height={height:.2f}><title>{count} students scored {band}</title></rect>"
            f"<text x={x + BAR_WIDTH / 2} y={base - height - 4:.2f} text-anchor=middle>{count}</text>"
            f"<text x={x + BAR_WIDTH / 2} y={base + 16} text-anchor=middle>{low}–{high}</text>"
        )
    caption = "score, % of full marks"
    parts.append(f"<text x={width / 2} y={base + 32} text-anchor=middle class=muted>{caption}</text></svg>")
    return "".join(parts)


def _headline(data: ClassData) -> str:
    s, meta = data.summary, data.meta
    students = int(s["students"])
    # The stage's full marks (batch.json): the highest max_score of the rows was 0 in a class with no rows
    # ("- / 0"), and at a stage whose optional classes carry points, less than the LMS imports' full marks
    # when nobody defined them all. Batches from before it was recorded: the rows'.
    recorded = meta.get("full_marks")
    full = data.full_marks
    if isinstance(recorded, (int, float)) and recorded > 0:
        top = float(recorded)  # each score counted against it, as the LMS imports count it
        shares = data.shares
        mean = round(top * statistics.fmean(shares), 2) if shares else None
        median = round(top * statistics.median(shares), 2) if shares else None
    else:
        top, mean, median = data.top_score, s["score"]["mean"], s["score"]["median"]
    cards = [
        (str(students), "students graded"),
        (
            f"{_num(mean)} / {_num(top)}",
            f"mean score ({_num(percent(mean, top) if mean is not None else None, 0)}%)",
        ),
        (f"{_num(median)}", "median score"),
        (str(full), "full marks"),
        (str(s["load_failures"]["count"]), "did not load"),
        (str(s["flags"]["flagged"]), "flagged for staff review"),
    ]
    card_html = "".join(f"<div class=card><b>{v}</b><span>{h(label)}</span></div>" for v, label in cards)
    title = f" ({h(meta['title'])})" if meta.get("title") else ""
    # The stage graded: its points are the figures' full marks (a class at step47 read "163.18 / 241" with
    # nothing saying which stage 241 is).
    stage = f", stage {h(meta['stage'])}," if meta.get("stage") else ""
    return (
        f"<h1>Class report: {h(meta.get('assignment', ''))}</h1>\n"
        f"<p class=sub>{students} submissions graded against {h(meta.get('assignment', ''))}{title}{stage} "
        f"with seed {h(meta.get('seed'))}. "
        "Scores, what went wrong most often, and every student below; click a student for their page.</p>\n"
        f"<div class=cards>{card_html}</div>"
    )


def _diagnoses(data: ClassData) -> str:
    items = sorted(data.diagnoses.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_DIAGNOSES]
    load = data.summary["load_failures"]["codes"]
    if not items and not load:
        return "<p>No diagnosed mistakes and no load failures.</p>"
    rows = [
        f"<tr><td><span class=tag>{h(code)}</span></td><td class=num>{n}</td>"
        f"<td><div class=msg>{h(data.examples.get(code, ''))}</div></td></tr>"
        for code, n in items
    ]
    rows += [
        f"<tr><td><span class=tag>did not load: {h(code)}</span></td><td class=num>{n}</td>"
        f"<td><div class=msg>{h(data.load_examples.get(code, ''))}</div></td></tr>"
        for code, n in sorted(load.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return (
        "<table id=diagnoses><thead><tr><th>mistake</th><th class=num>students</th><th>example message"
        f"</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _pass_rates(summary: Mapping[str, Any]) -> str:
    cases = summary["cases"]
    by_class: dict[str, list[int]] = {}
    case_rows = []
    for cid, c in cases.items():
        tally = by_class.setdefault(c["class"], [0, 0])
        tally[0] += int(c["passed"])
        tally[1] += int(c["graded"])
        case_rows.append(
            f"<tr><td>{h(cid)}</td><td>{h(c['class'])}</td><td class=num data-value={c['pass_rate']}>"
            f"{c['passed']}/{c['graded']} {_meter(float(c['pass_rate']))}</td></tr>"
        )
    class_rows = [
        f"<tr><td>{h(cls)}</td><td class=num>{p}/{g} ({_num(100 * p / g, 0)}%) {_meter(p / g)}</td></tr>"
        for cls, (p, g) in sorted(by_class.items())
        if g
    ]
    return (
        "<h2>Pass rate per class</h2><table id=classes><thead><tr><th>class</th><th class=num>cases passed"
        f"</th></tr></thead><tbody>{''.join(class_rows)}</tbody></table>"
        "<h2>Pass rate per case</h2><table id=cases><thead><tr><th>case</th><th>class</th><th class=num>"
        f"students passing</th></tr></thead><tbody>{''.join(case_rows)}</tbody></table>"
    )


def _flags(summary: Mapping[str, Any], has_page: set[str]) -> str:
    codes = summary["flags"]["codes"]
    if not codes:
        return "<p>No submission was flagged.</p>"
    rows = []
    for code, entry in codes.items():
        names = ", ".join(_student_link(s, has_page) for s in entry["students"])
        rows.append(f"<tr><td><span class='tag flag'>{h(code)}</span></td><td class=num>{entry['count']}</td>"
                    f"<td>{names}</td></tr>")  # fmt: skip
    return (
        "<p class=muted>Prompts for a human to look at the code (from a static scan), not verdicts.</p>"
        "<table id=flags><thead><tr><th>flag</th><th class=num>students</th><th>who</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _absent(meta: Mapping[str, Any]) -> str:
    """The roster's students with no submission (batch.json's `absent`): no row, no grade, but named, so
    that the page does not pass for the whole class."""
    absent = meta.get("absent")
    if not isinstance(absent, list) or not absent:
        return ""
    names = ", ".join(h(str(name)) for name in absent)
    return (
        f"<p id=absent><strong>In the roster with no submission ({len(absent)}):</strong> {names}. They "
        "have no row here, in gradebook.csv or in the LMS imports.</p>"
    )


def _student_link(student: str, has_page: set[str]) -> str:
    return _link(student, student in has_page)


def _link(student: str, has_page: bool) -> str:
    if not has_page:
        return h(student)
    return f'<a href="{h(student_href(student))}">{h(student)}</a>'


def student_row(line: StudentLine, has_page: bool) -> str:
    """One student's row of the class page's table."""
    share = percent(line.score, line.max_score)
    flags = " ".join(f"<span class='tag flag'>{h(f)}</span>" for f in line.flags)
    return (
        # an id or file name may break anywhere: an LMS download's are long and have no space
        # (`ortizben_12021_900382_miniflow.py+run.py`), and pushed the table past the page's edge
        f"<tr data-status='{h(line.status)}'><td class=id>{_link(line.student, has_page)}</td>"
        f"<td class=id>{h(line.file)}</td>"
        f"<td class=num data-value={line.score}>{_num(line.score)} / {_num(line.max_score)}</td>"
        f"<td class=num data-value={'' if share is None else share}>{_num(share, 1)}%</td>"
        f"<td class='{h(line.status)}'>{h(line.status)}</td><td class=num>{line.failing}</td>"
        f"<td>{h(line.codes)}</td><td>{flags}</td></tr>"
    )


def _students(data: ClassData) -> Iterator[str]:
    options = "".join(f"<option value='{h(s)}'>{h(s)}</option>" for s in sorted(data.statuses))
    yield (
        "<div class=controls><input id=filter type=search placeholder='filter: name, file, mistake, flag' "
        f"aria-label='filter students'><select id=status-filter aria-label='status'><option value=''>"
        f"every status</option>{options}</select><span id=shown class=muted></span></div>"
        "<table id=students><thead><tr><th data-sort=text>student</th><th data-sort=text>file</th>"
        "<th data-sort=num class=num>score</th><th data-sort=num class=num>%</th><th data-sort=text>status"
        "</th><th data-sort=num class=num>failing cases</th><th data-sort=text>mistakes</th>"
        "<th data-sort=text>flags</th></tr></thead><tbody>"
    )
    yield from data.student_rows
    yield "</tbody></table>"


def class_page(data: ClassData) -> Iterator[str]:
    """The class page, in parts (written one after the other: never held as one string)."""
    head = "\n".join(
        [
            _headline(data),
            "<section><h2>Score distribution</h2>"
            "<p class=muted>Students per tenth of full marks.</p>"
            f"{histogram_svg(data.summary['score']['histogram'])}</section>",
            f"<section><h2>Most frequent mistakes</h2>{_diagnoses(data)}</section>",
            f"<section>{_pass_rates(data.summary)}</section>",
            f"<section><h2>Flags for staff</h2>{_flags(data.summary, data.has_page)}</section>",
            "<section><h2>Students</h2>",
        ]
    )
    body = [head, *_students(data), _absent(data.meta), "</section>"]
    return _page_parts(f"Class report: {h(data.meta.get('assignment', ''))}", body, script=_SCRIPT)


# ---------------------------------------------------------------- student page


def _message(text: object, *, rows: bool = True) -> str:
    """A check's message: its got/expected table (compare.py's rows, indented by TABLE_ROW) in a block
    whose lines never wrap (class rows), the rest wrapping as text. In the page's narrow "what went wrong"
    column each row broke across lines, `index | got |` on one and `expected` on the next. `rows=False`: an
    error's message, which holds no table but may hold the student's own text indented by four spaces
    (an exception's message, a quoted source line): all of it wraps as text (it was drawn as a table)."""
    if not rows:
        return f"<div class=msg>{h(str(text))}</div>"
    parts: list[str] = []
    lines = str(text).split("\n")
    start = 0
    for i in range(1, len(lines) + 1):
        if i == len(lines) or lines[i].startswith(TABLE_ROW) != lines[start].startswith(TABLE_ROW):
            block = h("\n".join(lines[start:i]))
            parts.append(f"<div class=rows>{block}</div>" if lines[start].startswith(TABLE_ROW) else block)
            start = i
    return f"<div class=msg>{''.join(parts)}</div>"


def _checks(case: Mapping[str, Any]) -> str:
    items = []
    for check in case.get("checks", []):
        verdict = "passed" if check.get("passed") else "failed"
        hint = (check.get("diagnosis") or {}).get("hint")
        items.append(
            f"<li><span class={verdict}>{verdict}</span> {h(check.get('label', check.get('key', '')))}"
            f"{_message(check.get('message', ''))}"
            + (f"<div class=msg>Hint: {h(hint)}</div>" if hint else "")
            + "</li>"
        )
    return f"<ul>{''.join(items)}</ul>" if items else ""


def _case_rows(cases: Iterable[Mapping[str, Any]], *, details: bool = True) -> str:
    rows = []
    for c in cases:
        visible = c.get("visibility") == "visible"
        detail = ""
        if details and c.get("status") != "passed":
            if visible:
                hint = (c.get("diagnosis") or {}).get("hint")
                detail = _checks(c) or _message(c.get("message", ""), rows=c.get("status") != "error")
                if hint and not c.get("checks"):
                    detail += f"<div class=msg>Hint: {h(hint)}</div>"
            else:
                detail = (
                    f"<span class=muted>{h(c.get('visibility'))} case: see report.json for details</span>"
                )
        rows.append(
            f"<tr><td>{h(c.get('id'))}</td><td>{h(c.get('name'))}</td><td>{h(c.get('class'))}</td>"
            f"<td><span class=tag>{h(c.get('visibility'))}</span></td>"
            f"<td class='{h(c.get('status'))}'>{h(c.get('status'))}</td>"
            f"<td class=num>{_num(c.get('points'))} / {_num(c.get('max_points'))}</td><td>{detail}</td></tr>"
        )
    return "".join(rows)


def _staff(doc: Mapping[str, Any]) -> str:
    staff = doc.get("staff") or {}
    parts = []
    flags = staff.get("flags") or []
    if flags:
        items = "".join(
            f"<li><span class='tag flag'>{h(f.get('code'))}</span> {h(f.get('file'))}:{h(f.get('line'))} "
            f"{h(f.get('summary'))}<div class=msg>{h(f.get('evidence'))}</div></li>"
            for f in flags
        )
        parts.append(f"<h2>Flags for staff</h2><ul id=student-flags>{items}</ul>")
    for title, text in (("Captured stdout", staff.get("stdout")), ("Captured stderr", staff.get("stderr"))):
        if text:
            parts.append(f"<details><summary>{title}</summary><div class=msg>{h(text)}</div></details>")
    for case_id, tb in (staff.get("tracebacks") or {}).items():
        parts.append(
            f"<details><summary>Traceback: {h(case_id)}</summary><div class=msg>{h(tb)}</div></details>"
        )
    return f"<section>{''.join(parts)}</section>" if parts else ""


def _stage_graded(doc: Mapping[str, Any]) -> str:
    """` · stage NAME`, and the stage the code looks like when it is another (a lone TwoLayerNet graded at
    dlfs-layers' default stage scores 0 of 62: the page said neither)."""
    stage = doc.get("stage") or {}
    if not isinstance(stage, Mapping) or not stage.get("name"):
        return ""
    name, looks = str(stage["name"]), stage.get("looks_like")
    other = f" (the code looks like stage {h(looks)})" if looks and str(looks) != name else ""
    return f" · stage {h(name)}{other}"


def student_page(doc: Mapping[str, Any], row: Mapping[str, Any]) -> str:
    """A student's cases with got vs expected and hints for the visible ones; staff-only detail last."""
    student = str(row["student"])
    share = percent(doc.get("score", 0), doc.get("max_score", 0))
    load = doc.get("load") or {}
    missing = load.get("missing") or []
    warnings = doc.get("warnings") or []
    notes = "".join(f"<li>{h(w)}</li>" for w in warnings)
    # A submission that did not load fails every case for one reason: said once, above the cases.
    unloaded = doc.get("status") == "load_failed"
    first: Mapping[str, Any] = next(iter(doc.get("cases", [])), {})
    why = f"<p><b>Did not load:</b></p><div class=msg id=load-failure>{h(first.get('message', ''))}</div>"
    body = (
        "<p><a href='../index.html'>&larr; class report</a></p>"
        f"<h1>{h(student)}</h1><p class=sub>file {h(row.get('file', ''))} · assignment "
        f"{h((doc.get('assignment') or {}).get('id'))}{_stage_graded(doc)} · seed {h(doc.get('seed'))}</p>"
        f"<div class=cards><div class=card><b>{_num(doc.get('score'))} / {_num(doc.get('max_score'))}</b>"
        f"<span>score ({_num(share, 1)}%)</span></div><div class=card><b class='{h(doc.get('status'))}'>"
        f"{h(doc.get('status'))}</b><span>status</span></div></div>"
        + (f"<p>Missing names: {h(', '.join(map(str, missing)))}</p>" if missing else "")
        + (f"<ul>{notes}</ul>" if notes else "")
        + (why if unloaded else "")
        + "<section><h2>Cases</h2><table id=cases><thead><tr><th>case</th><th>name</th><th>class</th>"
        "<th>visibility</th><th>status</th><th class=num>points</th><th>what went wrong</th></tr></thead>"
        f"<tbody>{_case_rows(doc.get('cases', []), details=not unloaded)}</tbody></table></section>"
        + _staff(doc)
    )
    return _page(f"{h(student)}: {_num(doc.get('score'))} / {_num(doc.get('max_score'))}", body)
