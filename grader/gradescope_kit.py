"""`grader gradescope-kit`: the autograder.zip an instructor uploads to Gradescope.

The zip holds, at its root (where Gradescope looks): `setup.sh` (run once, as root, from /autograder/source
when Gradescope builds the image: a Python >= 3.11 venv in /autograder/grader-venv holding the shipped
wheel, whose only dependencies, numpy and jsonschema, come from the package registry), `run_autograder`
(copied by Gradescope to /autograder/run_autograder and run as root per submission: `grader grade` on
/autograder/submission into /autograder/results with `--format gradescope`), the grader's wheel with the
shipped fixtures, and, for an assignment given as a manifest path, that assignment's folder.

The zip also holds `seed_secret`, the course secret each student's seed is made from (grader/
gradescope_seed.py): setup.sh makes it readable by root only, and run_autograder passes it with
/autograder/submission_metadata.json to `grader grade`, so a regrade draws the same generated cases. The
secret is kept next to the zip (autograder.zip -> autograder.seed-secret) and reused when the kit is built
again there, so a rebuilt autograder regrades with the same cases.

Isolation is left to `auto`: Gradescope's image has no bubblewrap (and its containers allow no user
namespaces), so the hardened rlimits fallback runs, as root dropping to an unprivileged uid
(docs/SANDBOX.md). Both scripts find their folders from their own location, so the kit runs the same in a
folder laid out like /autograder (the tests do exactly that).
"""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from grader.assignments import SHIPPED, load_assignment
from grader.gradescope_seed import SECRET_FILE, read_secret
from grader.schema import ConfigError

REPO = Path(__file__).resolve().parent.parent
# Left out of the copy the wheel is built from: pip builds inside its source folder (build/, *.egg-info),
# and the checkout must stay as it was.
_NOT_SOURCE: tuple[str, ...] = (".git", ".tox", ".venv", "out", "grader-out", "build", "dist", "*.egg-info")
_NOT_SOURCE += ("__pycache__", ".*cache", ".hypothesis", ".benchmarks", "submissions", "tests", "bench")
WHEEL_GLOB = "backprop_grader-*.whl"
ASSIGNMENT_DIR = "assignment"  # a manifest-path assignment's folder, inside /autograder/source
_EXECUTABLE = 0o100755 << 16  # zip external attributes: a regular file, rwxr-xr-x
_REGULAR = 0o100644 << 16
_PRIVATE = 0o100600 << 16  # the course secret: setup.sh makes sure of it, whatever unzip kept
SECRET_SUFFIX = ".seed-secret"

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, from /autograder/source, when it builds the autograder image.
# It installs backprop-grader from the wheel shipped next to it into /autograder/grader-venv; pip fetches
# only the wheel's dependencies (numpy, jsonschema) from the package registry.
set -euo pipefail
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$SOURCE")"
VENV="$ROOT/grader-venv"

python_ok() {  # Python >= 3.11 with venv and ensurepip (Debian/Ubuntu split them into python3.X-venv)
    "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1
}
pick_python() {
    for py in python3.13 python3.12 python3.11 python3; do
        if command -v "$py" >/dev/null 2>&1 && python_ok "$(command -v "$py")"; then
            command -v "$py"
            return 0
        fi
    done
    return 1
}
if ! PY="$(pick_python)"; then
    # Gradescope's Ubuntu 22.04 image has Python 3.10: its python3.11 packages are in the archive.
    echo "setup.sh: no Python >= 3.11 with venv; installing python3.11 python3.11-venv"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11 python3.11-venv
    PY="$(pick_python)"
fi
echo "setup.sh: using $PY ($("$PY" --version 2>&1))"
# The course secret the per-student seeds are made from: root's alone (student code runs unprivileged).
chmod 600 "$SOURCE/seed_secret"
test -s "$SOURCE/seed_secret"
rm -rf "$VENV"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "$SOURCE"/backprop_grader-*.whl
"$VENV/bin/grader" --version
"$VENV/bin/grader" assignments
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope copies this to /autograder/run_autograder and runs it as root for every submission: the
# student's files are in /autograder/submission, and Gradescope reads /autograder/results/results.json.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ "$(basename "$ROOT")" = source ] && ROOT="$(dirname "$ROOT")"  # also when run from source/
ASSIGNMENT=@ASSIGNMENT@
STAGE=@STAGE@
RESULTS="$ROOT/results"
mkdir -p "$RESULTS"
# The grader reads ./grader.toml: run it where none of the student's files can be.
cd "$ROOT" || exit 1

SECRET="$ROOT/source/seed_secret"
chmod 600 "$SECRET" 2>/dev/null  # root's alone, as setup.sh left it
# --staff-view: this log is the autograder's stdout, which Gradescope shows to staff only (results.json says
# stdout_visibility hidden); anywhere a student reads the log, leave it out (the student view).
args=(grade "$ASSIGNMENT" "$ROOT/submission" --format gradescope --out "$RESULTS" --staff-view)
# The same generated cases on every regrade: a seed per student, from the ids in the metadata and the
# course secret (a random one, with a warning in the log, when the metadata says no ids).
args+=(--seed-secret "$SECRET" --submission-metadata "$ROOT/submission_metadata.json")
if [ -n "$STAGE" ]; then
    args+=(--stage "$STAGE")
fi
# Isolation: auto (bubblewrap where it works, else the rlimits fallback, which is what Gradescope gets).
"$ROOT/grader-venv/bin/grader" "${args[@]}" >"$RESULTS/grader.log" 2>&1
status=$?
cat "$RESULTS/grader.log"  # the autograder's stdout: shown to staff only (Gradescope's default)

if [ "$status" -ne 0 ] || [ ! -s "$RESULTS/results.json" ]; then
    # The grader itself failed: the student still gets a result saying so, never a blank page.
    "$ROOT/grader-venv/bin/python" - "$RESULTS/results.json" "$status" <<'EOF'
import json, sys
path, status = sys.argv[1], sys.argv[2]
message = (
    f"The autograder could not grade this submission (grader exit {status}). This is not a verdict on "
    "your code: please tell your course staff, who can see the log of this run."
)
with open(path, "w", encoding="utf-8") as fh:
    # the log (stdout) is staff's, as the message says: hidden whatever the assignment's Gradescope setting
    results = {"score": 0, "output": message, "output_format": "text", "stdout_visibility": "hidden"}
    results["tests"] = []
    json.dump(results, fh)
EOF
fi
exit 0
"""


@dataclass(frozen=True)
class Kit:
    path: Path
    assignment: str
    stage: str | None
    wheel: str
    secret: Path  # the course secret shipped in the kit
    secret_created: bool  # made now (next to the zip) rather than reused or given


def run_autograder_script(assignment: str | None, stage: str | None) -> str:
    """run_autograder grading `assignment` (a shipped id; None: the manifest shipped in source/assignment/)
    at `stage`, both shell-quoted."""
    ref = shlex.quote(assignment) if assignment else f'"$ROOT/source/{ASSIGNMENT_DIR}/manifest.json"'
    return RUN_AUTOGRADER.replace("@ASSIGNMENT@", ref).replace("@STAGE@", shlex.quote(stage or ""))


def build_wheel(into: Path) -> Path:
    """The grader's wheel (with its fixtures) built with pip from a copy of this source checkout, offline:
    the build uses the setuptools already installed (no isolated build environment to download)."""
    if not (REPO / "pyproject.toml").is_file() or not (REPO / "fixtures").is_dir():
        raise ConfigError(
            "this grader is installed from a package, with no source checkout to build its wheel from: pass "
            "--wheel FILE (a backprop_grader-*.whl, e.g. from `pip download --no-deps backprop-grader`)"
        )
    source = into / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*_NOT_SOURCE), symlinks=True)
    argv = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(into)]
    done = subprocess.run([*argv, str(source)], capture_output=True, text=True, check=False, timeout=600)
    built = sorted(into.glob(WHEEL_GLOB))
    if done.returncode != 0 or len(built) != 1:
        raise ConfigError(f"building the grader's wheel failed (pip exit {done.returncode}):\n{done.stderr}")
    return built[0]


def kit_secret(out: Path, given: Path | None) -> tuple[Path, bool]:
    """The course secret's file: `given`, else the one next to the zip, made (mode 0600) when missing."""
    if given is not None:
        return given, False
    path = out.with_name(out.stem + SECRET_SUFFIX)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path, False  # reused: regrades after a rebuild keep their cases
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    return path, True


def _add(
    zf: zipfile.ZipFile, name: str, data: bytes, *, executable: bool = False, private: bool = False
) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # fixed: the same kit zips the same
    info.external_attr = _PRIVATE if private else _EXECUTABLE if executable else _REGULAR
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def build_kit(
    assignment_ref: str,
    out: Path,
    *,
    stage: str | None = None,
    wheel: Path | None = None,
    secret: Path | None = None,
) -> Kit:
    """Write autograder.zip to `out`. A shipped assignment goes by id (it is inside the wheel); one given as
    a manifest path is shipped as a folder next to the scripts and graded by that path. `secret`: the course
    secret's file (default: kit_secret's, next to the zip)."""
    assignment = load_assignment(assignment_ref)  # refuses an unknown id or a broken manifest now
    if wheel is not None and not (wheel.is_file() and wheel.name.startswith("backprop_grader-")):
        raise ConfigError(f"--wheel {wheel} is not a backprop_grader-*.whl file")
    if secret is not None:
        read_secret(secret)  # a missing or short secret is refused before anything is written
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    secret_path, created = kit_secret(out, secret)
    secret_bytes = read_secret(secret_path)
    with tempfile.TemporaryDirectory(prefix="grader-kit-") as tmp:
        wheel_path = wheel or build_wheel(Path(tmp))
        shipped = assignment_ref in SHIPPED
        partial = out.with_name(f".{out.name}.partial")
        with zipfile.ZipFile(partial, "w") as zf:
            _add(zf, "setup.sh", SETUP_SH.encode(), executable=True)
            script = run_autograder_script(assignment.id if shipped else None, stage)
            _add(zf, "run_autograder", script.encode(), executable=True)
            _add(zf, wheel_path.name, wheel_path.read_bytes())
            _add(zf, SECRET_FILE, secret_bytes + b"\n", private=True)
            if not shipped:
                folder = Path(assignment_ref).resolve().parent
                files = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
                for path in files:
                    _add(zf, f"{ASSIGNMENT_DIR}/{path.relative_to(folder).as_posix()}", path.read_bytes())
        shutil.move(partial, out)
    return Kit(out, assignment.id, stage, wheel_path.name, secret_path, created)
