"""Headless Chromium for the class report's browser tests: Debian's `chromium` driven by Selenium through
Debian's `chromium-driver`, both found on PATH (or GRADER_CHROMIUM / GRADER_CHROMEDRIVER). Nothing is
downloaded at run time: the driver and the browser are given by path, so Selenium Manager never runs.

Screenshots are test artifacts: written to $GRADER_ARTIFACTS, default out/test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BROWSERS = ("chromium", "chromium-browser")


def chromium() -> str | None:
    """The Chromium executable, or None when none is installed."""
    named = os.environ.get("GRADER_CHROMIUM")
    if named:
        return named
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def chromedriver() -> str | None:
    return os.environ.get("GRADER_CHROMEDRIVER") or shutil.which("chromedriver")


def missing_reason() -> str | None:
    """Why the browser tests cannot run here (None when they can): the only reason to skip them."""
    if chromium() is None:
        return "no Chromium installed: `apt-get install chromium chromium-driver` (.ci/run does it in CI)"
    if chromedriver() is None:
        return "Chromium is installed but not chromedriver: `apt-get install chromium-driver`"
    return None


def artifacts() -> Path:
    where = Path(os.environ.get("GRADER_ARTIFACTS") or REPO / "out" / "test-artifacts")
    where.mkdir(parents=True, exist_ok=True)
    return where


@contextmanager
def browser(profile: Path) -> Iterator[Any]:
    """A headless Chromium session that records the console (read with `console_errors`)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium())
    # --no-sandbox: CI runs as root, where Chromium refuses its own sandbox; the page is our own file.
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1600"):
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(chromedriver())))
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver: Any) -> list[str]:
    """Console messages of level SEVERE since the last call (a failed load, a script error, a CSP block)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
