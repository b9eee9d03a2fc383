"""Fixtures for the benchmark smoke tests: run a benchmark as its documented command and read its JSON.

bench/ is a top-level folder of the repository, not an installed package: commands run with the repository on
PYTHONPATH, and `bench_module` imports a bench module by path for the few tests that call it directly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_bench(module: str, *args: str, json_path: Path, timeout: float = 600) -> tuple[str, dict[str, Any]]:
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    )
    proc = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *args, "--json", str(json_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout, json.loads(json_path.read_text(encoding="utf-8"))


def figure(payload: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The figure named `prefix`, else the one figure whose name starts with it."""
    exact = [f for f in payload["figures"] if f["name"] == prefix]
    found = exact or [f for f in payload["figures"] if f["name"].startswith(prefix)]
    assert len(found) == 1, [f["name"] for f in payload["figures"]]
    return found[0]


def assert_well_formed(stdout: str, payload: dict[str, Any]) -> None:
    """Every figure is printed on its own line, with its target and verdict when it has a target."""
    assert payload["machine"]["cpus"] >= 1
    for f in payload["figures"]:
        line = next(line for line in stdout.splitlines() if line.startswith(f["name"]))
        if f["target"] is None:
            assert f["met"] is None and "target" not in line
        else:
            assert isinstance(f["met"], bool)
            assert ("MET" if f["met"] else "MISSED") in line.split()
            assert f"{f['target']['op']} {f['target']['bound']:g}" in line


def load_bench_module(name: str) -> ModuleType:
    """bench.<name>, imported with the repository briefly on sys.path (it imports its sibling modules)."""
    import importlib

    sys.path.insert(0, str(REPO))
    try:
        return importlib.import_module(f"bench.{name}")
    finally:
        sys.path.remove(str(REPO))


@pytest.fixture(scope="session")
def bench_tools() -> SimpleNamespace:
    return SimpleNamespace(
        run=run_bench, figure=figure, assert_well_formed=assert_well_formed, module=load_bench_module
    )
