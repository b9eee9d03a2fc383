"""The class report in a real browser (headless Chromium): it loads with no console error, the histogram's
bars have the heights a known class implies, sorting and filtering work, student links open, and a hostile
file name shows as text. Screenshots of each page are kept as test artifacts (chromium_session.artifacts).

The class is graded by the real command line: three copies of the course's correct MiniFlow file (full
marks by construction, FACTS.md section 1) and two files that cannot load (0 points): so 3 students in the
top tenth, 2 in the bottom one, and nothing between.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from batch.students import MINIFLOW_BROKEN, MINIFLOW_CORRECT, grader, write_class
from chromium_session import artifacts, browser, console_errors, missing_reason

from grader.reports.html_pages import HISTOGRAM_HEIGHT
from grader.sample_share import share_folder

pytestmark = pytest.mark.skipif(missing_reason() is not None, reason=str(missing_reason()))

HOSTILE = "<img src=x onerror=alert(1)>&amp;"
CLASS = {
    "ann": MINIFLOW_CORRECT,
    "bob": MINIFLOW_BROKEN["syntax_error"],
    "cy": MINIFLOW_CORRECT,
    "dee": MINIFLOW_BROKEN["missing_import"],
    HOSTILE: MINIFLOW_CORRECT,
}
SAMPLES = Path(__file__).resolve().parents[2] / "submissions" / "dezero"
# a share of the samples: a real class's page at a sixth of the grading (see the test)
DEZERO_SHARE = 60


@pytest.fixture(scope="module")
def class_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("class")
    directory = write_class(root / "class", CLASS)
    out = root / "out"
    done = grader("batch", "miniflow", str(directory), "--out", str(out), "--jobs", "2", "--seed", "3")
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with browser(tmp_path_factory.mktemp("chromium-profile")) as session:
        yield session


def _open(driver: Any, page: Path, shot: str) -> None:
    driver.get(page.as_uri())
    assert driver.execute_script("return document.readyState") == "complete"
    driver.save_screenshot(str(artifacts() / shot))


def _column(driver: Any, index: int) -> list[str]:
    script = (
        "return Array.from(document.querySelectorAll('#students tbody tr'))"
        f".filter(r => !r.hidden).map(r => r.cells[{index}].textContent)"
    )
    values: list[str] = driver.execute_script(script)
    return values


def test_the_page_loads_with_no_console_error(driver: Any, class_out: Path) -> None:
    """index.html loads from disk with no SEVERE console message (no blocked fetch, no script error)."""
    console_errors(driver)  # drop what an earlier page logged
    _open(driver, class_out / "index.html", "class-report.png")
    assert console_errors(driver) == []
    assert driver.find_element("css selector", "h1").text == "Class report: miniflow"


def test_a_console_error_is_seen(driver: Any, tmp_path: Path) -> None:
    """Negative control for the console check: a page with a throwing script does log a SEVERE message."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><script>throw new Error('boom')</script>", encoding="utf-8")
    console_errors(driver)
    driver.get(page.as_uri())
    assert any("boom" in m for m in console_errors(driver))


def test_histogram_bars_have_the_heights_of_the_known_class(driver: Any, class_out: Path) -> None:
    """3 students at full marks and 2 at 0: the last bar is the tallest (HISTOGRAM_HEIGHT px), the first is
    2/3 of it, every other bar is 0 px high; the rendered boxes say so, not just the attributes."""
    _open(driver, class_out / "index.html", "class-report.png")
    bars = driver.execute_script(
        "return Array.from(document.querySelectorAll('#histogram rect.bar'))"
        ".map(r => r.getBoundingClientRect().height)"
    )
    assert len(bars) == 10
    assert bars[9] == pytest.approx(HISTOGRAM_HEIGHT, abs=0.5)
    assert bars[0] == pytest.approx(HISTOGRAM_HEIGHT * 2 / 3, abs=0.5)
    assert bars[1:9] == [0] * 8


def test_sorting_by_score_and_by_student(driver: Any, class_out: Path) -> None:
    """Clicking `score` sorts ascending (the two zeros first), clicking again descending; `student` sorts
    by name."""
    _open(driver, class_out / "index.html", "class-report.png")
    header = driver.find_elements("css selector", "#students thead th")
    header[2].click()
    scores = [float(s.split("/")[0]) for s in _column(driver, 2)]
    assert scores == sorted(scores) and scores[0] == 0 and scores[-1] > 0
    header[2].click()
    assert [float(s.split("/")[0]) for s in _column(driver, 2)] == sorted(scores, reverse=True)
    header[0].click()
    names = _column(driver, 0)
    assert names == sorted(names, key=str.lower) and len(names) == 5
    header[0].click()
    assert _column(driver, 0) == names[::-1]


def test_filtering_by_text_and_by_status(driver: Any, class_out: Path) -> None:
    """Typing `dee` leaves dee alone; the status `load_failed` leaves bob and dee; clearing shows all 5."""
    _open(driver, class_out / "index.html", "class-report.png")
    box = driver.find_element("id", "filter")
    box.send_keys("dee")
    assert _column(driver, 0) == ["dee"]
    assert driver.find_element("id", "shown").text == "1 of 5 shown"
    box.clear()
    box.send_keys(" ")  # an input event with an empty query
    driver.execute_script(
        "var s=document.getElementById('status-filter');s.value='load_failed';"
        "s.dispatchEvent(new Event('change'))"
    )
    assert sorted(_column(driver, 0)) == ["bob", "dee"]
    driver.execute_script(
        "var s=document.getElementById('status-filter');s.value='';s.dispatchEvent(new Event('change'))"
    )
    assert len(_column(driver, 0)) == 5


def test_a_student_link_opens_their_page(driver: Any, class_out: Path) -> None:
    """Clicking `dee` opens dee/report.html: their cases, why it did not load, and a way back."""
    _open(driver, class_out / "index.html", "class-report.png")
    console_errors(driver)
    driver.find_element("link text", "dee").click()
    assert driver.current_url.endswith("/dee/report.html")
    assert driver.find_element("css selector", "h1").text == "dee"
    assert "mnist_loader_from_my_laptop" in driver.find_element("id", "load-failure").text
    assert "mnist_loader_from_my_laptop" not in driver.find_element("id", "cases").text  # said once
    driver.save_screenshot(str(artifacts() / "student-page.png"))
    assert console_errors(driver) == []
    driver.find_element("partial link text", "class report").click()
    assert driver.current_url.endswith("/index.html")


def test_a_hostile_file_name_shows_as_text(driver: Any, class_out: Path) -> None:
    """A submission named `<img src=x onerror=alert(1)>&amp;.py` appears as exactly those characters in the
    file column and on its own page; no img element is created and no alert opens."""
    _open(driver, class_out / "index.html", "class-report.png")
    assert f"{HOSTILE}.py" in _column(driver, 1)
    assert driver.find_elements("css selector", "#students img") == []
    link = next(a for a in driver.find_elements("css selector", "#students a") if "img" in a.text)
    link.click()
    assert driver.find_element("css selector", ".sub").text.startswith(f"file {HOSTILE}.py")
    assert driver.find_elements("css selector", "main img") == []
    assert console_errors(driver) == []


@pytest.mark.slow
def test_the_bundled_dezero_samples_report_is_screenshot(driver: Any, tmp_path: Path) -> None:
    """The class report of the bundled DeZero samples loads cleanly in the browser (its screenshot is the
    artifact docs/INSTRUCTORS.md describes), lists every sample graded, and each student link resolves. A
    share of them (DEZERO_SHARE, spread over the folder as `grader samples --per-assignment` takes it, with
    a refused load and flagged code among them): grading all 330 was nearly all of this test's 92 s, and
    tests/samples/test_expected.py's `grader samples dezero --validate` grades and validates every one."""
    share, _total = share_folder(SAMPLES, DEZERO_SHARE, tmp_path / "share")
    expected = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))["samples"]
    graded = sorted(p.name for p in share.iterdir())
    assert len(graded) == DEZERO_SHARE
    assert any(expected[n].get("load", "ok") != "ok" for n in graded)
    assert any(expected[n].get("flags") for n in graded)
    out = tmp_path / "out"
    done = grader("batch", "dezero", str(share), "--out", str(out), "--jobs", "2", "--seed", "0")
    assert done.returncode == 0, done.stderr
    console_errors(driver)
    _open(driver, out / "index.html", "dezero-samples-class-report.png")
    assert console_errors(driver) == []
    assert len(_column(driver, 0)) == len(graded)
    hrefs = driver.execute_script(
        "return Array.from(document.querySelectorAll('#students a')).map(a => a.href)"
    )
    assert len(hrefs) == len(graded)
    assert all((out / Path(h.rsplit("/out/", 1)[1])).is_file() for h in hrefs)


def test_long_lms_ids_wrap_inside_the_page(driver: Any, tmp_path: Path) -> None:
    """A Canvas download's ids and file names are long and hold no space (`namekey_LATE_uid_att_file`):
    in a 1280-pixel window the students' table ran 140 pixels past the page's edge, the mistakes and
    flags columns behind a horizontal scroll. They wrap in their cells now; the status and the numbers
    keep whole. Control: the status cell of a load failure is one line (`load_failed` is not broken)."""
    final = "two_layer_net_final_version_really_final"
    students = {
        f"smith-jonesjane_LATE_1234567_98765432_{final}": MINIFLOW_CORRECT,
        f"garciajose_7654321_98765433_{final}": MINIFLOW_BROKEN["syntax_error"],
    }
    directory = write_class(tmp_path / "class", students)
    out = tmp_path / "out"
    done = grader("batch", "miniflow", str(directory), "--out", str(out), "--jobs", "1", "--seed", "3")
    assert done.returncode == 0, done.stderr
    _open(driver, out / "index.html", "class-report-long-ids.png")
    table, main, page, window = driver.execute_script(
        "return [document.getElementById('students').getBoundingClientRect().right,"
        " document.querySelector('main').getBoundingClientRect().right,"
        " document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert table <= main and page <= window, (table, main, page, window)
    cell = driver.find_element("css selector", "#students td.load_failed")
    lines = driver.execute_script(
        "var r = document.createRange(); r.selectNodeContents(arguments[0]);"
        " return r.getClientRects().length",
        cell,
    )
    assert cell.text == "load_failed" and lines == 1


def test_a_checks_got_expected_table_keeps_each_row_on_one_line(driver: Any, tmp_path: Path) -> None:
    """A student's page shows a failing check's got/expected rows (compare.py's table) in the narrow "what
    went wrong" column: each row broke across lines (`index | got |`, then `expected` below), the columns
    lost. The rows keep one line each now. The MSE sign flip (FACTS.md section 4) fails MSE's gradients
    with such a table; control: the message's text above the table does wrap (longer than the column)."""
    directory = write_class(tmp_path / "class", {"flip": MINIFLOW_BROKEN["mse_sign_flipped"]})
    out = tmp_path / "out"
    done = grader("batch", "miniflow", str(directory), "--out", str(out), "--jobs", "1", "--seed", "3")
    assert done.returncode == 0, done.stderr
    _open(driver, out / "flip" / "report.html", "student-page-table.png")
    script = (
        "return Array.from(document.querySelectorAll(arguments[0])).map(function (e) {"
        " var r = document.createRange(); r.selectNodeContents(e);"
        " var tops = new Set(Array.from(r.getClientRects()).map(function (x) { return Math.round(x.top); }));"
        " return [e.textContent.split('\\n').length, tops.size]; })"
    )
    tables = driver.execute_script(script, ".msg .rows")
    assert tables and all(lines == shown and lines > 1 for lines, shown in tables), tables
    texts = driver.execute_script(script, "td .msg")
    assert any(shown > lines for lines, shown in texts), texts  # text wraps in the column
