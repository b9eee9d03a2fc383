"""Where the bundled sample submissions live, per shipped assignment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DIRS: dict[str, Path] = {
    "miniflow": REPO / "submissions" / "miniflow",
    "dezero": REPO / "submissions" / "dezero",
    "dlfs-layers": REPO / "submissions" / "layers",
}


def report_paths(batch_out: Path) -> Iterator[Path]:
    return iter(sorted(batch_out.glob("*/report.json")))
