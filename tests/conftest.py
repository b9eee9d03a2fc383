"""How the suite runs on pytest-xdist's workers (`pytest -n 2`, tox.ini): what must share one worker.

A session fixture is made once a worker: the install tests' wheel and venv (a minute of pip each) and the
hostile tests' pools, bait and honest-twin scores stay on one worker (xdist's `loadgroup`). The sample sweeps,
the longest tests, go first, so that no worker is left running one while the other is idle.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ONE_WORKER = ("install", "hostile")  # folders of tests/ whose session fixtures are made once
FIRST = ("samples/test_expected.py",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        rel = Path(str(item.path)).resolve().relative_to(HERE).as_posix()
        top = rel.split("/", 1)[0]
        if top in ONE_WORKER:
            item.add_marker(pytest.mark.xdist_group(top))
    items.sort(key=lambda item: not Path(str(item.path)).as_posix().endswith(FIRST))
