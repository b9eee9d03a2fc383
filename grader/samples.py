"""Where the bundled sample submissions live, per shipped assignment."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DIRS: dict[str, Path] = {
    "miniflow": REPO / "submissions" / "miniflow",
    "dezero": REPO / "submissions" / "dezero",
    "dlfs-layers": REPO / "submissions" / "layers",
    "dlfs-advanced": REPO / "submissions" / "dlfs-advanced",
}
