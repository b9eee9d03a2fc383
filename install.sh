#!/usr/bin/env bash
# Set-up on Debian/Ubuntu (or any Linux with Python 3.11+): the sandbox (bubblewrap, where it can be
# installed) and the grader, into the active virtual environment or, when none is active, into ./.venv.
# A stock Debian/Ubuntu python3 is "externally managed" (PEP 668) and refuses pip installs outside a venv.
#
#   ./install.sh [--dev] [COMMAND [ARG...]]
#
#   --dev      also install the developer extras (pytest, hypothesis, torch, ruff, mypy, tox)
#   COMMAND    run it afterwards inside that environment, e.g. `./install.sh grader samples`
#   PYTHON=... the interpreter that creates .venv (default: python3)
#
# By default only the runtime is installed: numpy and jsonschema. torch (the `oracles` extra, part of --dev)
# is pinned to 2.13.0 by constraints.txt; the pin does not choose the build: on the public index it is the
# CUDA build (several GB). For the CPU build, add PyTorch's CPU index:
#   PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu ./install.sh --dev
set -euo pipefail
cd "$(dirname "$0")"

say() { echo "install: $*"; }
warn() { echo "install: WARNING: $*" >&2; }
die() {
    echo "install: ERROR: $*" >&2
    exit 1
}
usage() { sed -n '2,15s/^# \{0,1\}//p' "$0"; }

extras=""
case "${1:-}" in
    -h | --help) usage; exit 0 ;;
    --dev) extras="[dev]"; shift ;;
    -*) die "unknown option $1 (valid: --dev, --help; then a command to run, e.g. grader samples)" ;;
esac

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo "$@"
    fi
}
can_apt() { command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null 2>&1; }; }
apt_updated=""
apt_install() {
    if [ -z "$apt_updated" ]; then
        as_root apt-get update -qq || return 1
        apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# 1. The sandbox. Without bubblewrap the grader still runs (isolation "rlimits") and says so in every report.
# The grader runs /usr/bin/bwrap, never a bwrap found on PATH (grader/sandbox/bwrap.py: a PATH entry must not
# choose the sandbox), so that is the one looked for: by PATH, a bwrap elsewhere was "installed" here while
# the grader fell back, and one left off PATH sent a root install to apt-get for a package it had.
bwrap=/usr/bin/bwrap
elsewhere="$(command -v bwrap 2>/dev/null || true)"
[ "$elsewhere" = "$bwrap" ] && elsewhere=""
if [ -x "$bwrap" ]; then
    say "bubblewrap (the sandbox) is installed: $bwrap"
elif can_apt; then
    say "installing bubblewrap (the sandbox) with apt-get${elsewhere:+ (the grader runs $bwrap, not $elsewhere)}"
    apt_install bubblewrap || warn "apt-get could not install bubblewrap; the grader will fall back to" \
        "isolation 'rlimits' and say so in every report"
elif [ -n "$elsewhere" ]; then
    warn "bubblewrap is at $elsewhere, but the grader runs $bwrap only (never a bwrap found on PATH);" \
        "install it there (your distribution's bubblewrap package), or the grader will fall back to" \
        "isolation 'rlimits' and say so in every report"
else
    warn "bubblewrap is not installed and cannot be installed here (no apt-get, or neither root nor sudo);" \
        "the grader will fall back to isolation 'rlimits' and say so in every report"
fi

# 2. The Python environment: the active one, else ./.venv.
python="${PYTHON:-python3}"
command -v "$python" >/dev/null 2>&1 || die "$python not found: install Python 3.11 or newer" \
    "(Debian/Ubuntu: apt-get install python3 python3-venv)"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    die "$("$python" -V 2>&1) is too old: the grader needs Python 3.11 or newer"
if [ "$("$python" -c 'import sys; print(sys.prefix != sys.base_prefix)')" = True ]; then
    py="$(command -v "$python")"
    env_dir="$("$py" -c 'import sys; print(sys.prefix)')"
    made_venv=""
    say "using the active virtual environment $env_dir"
else
    env_dir="$PWD/.venv"
    made_venv=1
    if [ -e .venv ] && [ ! -d .venv ]; then
        die ".venv exists and is not a folder (a PEP 832 redirect file written by an older tox run?):" \
            "remove it, then run ./install.sh again"
    fi
    if [ -x .venv/bin/python ]; then
        say "using the existing virtual environment .venv ($(.venv/bin/python -V 2>&1))"
    else
        if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
            version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
            can_apt || die "$python cannot create a virtual environment (Debian/Ubuntu ship that part" \
                "separately): run 'sudo apt-get install python3-venv', or activate a virtual environment of" \
                "your own, then run ./install.sh again"
            say "installing python$version-venv with apt-get (Debian/Ubuntu ship venv separately)"
            apt_install "python$version-venv" || apt_install python3-venv ||
                die "apt-get could not install python3-venv; install it, then run ./install.sh again"
        fi
        say "creating the virtual environment .venv with $("$python" -V 2>&1) ($(command -v "$python"))"
        "$python" -m venv .venv
    fi
    py="$PWD/.venv/bin/python"
fi

# 3. The grader: editable, so `grader samples` finds submissions/ and `grader fixtures build` writes here.
if [ -n "$extras" ]; then
    say "installing backprop-grader with the developer extras into $env_dir (torch==2.13.0 from your pip" \
        "index; see the top of install.sh for the CPU build)"
else
    say "installing backprop-grader and its runtime (numpy, jsonschema) into $env_dir"
fi
"$py" -m pip install -q --disable-pip-version-check -c constraints.txt -e ".$extras"
# An editable install compiles nothing, and the sandbox's worker runs `python -B` from a read-only mount, so
# the modules only it imports (grader/inside/) would be compiled again by every worker of every run: 0.3 to
# 0.6 s of CPU a `grader check` (docs/BENCHMARKS.md, session 21). A wheel install compiles them itself.
"$py" -m compileall -q grader >/dev/null ||
    warn "could not compile the grader's modules to bytecode; every sandbox will compile them again"
bindir="$("$py" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
say "installed $("$bindir/grader" --version) ($bindir/grader)"
"$py" -c 'from grader.sandbox import probe_bwrap; r = probe_bwrap()
print("install: sandbox: " + ("bubblewrap works" if r.usable else "bubblewrap unusable here (" + r.reason
      + "); the grader will fall back to isolation rlimits and say so"))' ||
    warn "could not probe the sandbox; 'grader check' will say which isolation it uses"

if [ -n "$made_venv" ]; then
    say "grader is on PATH only inside .venv: activate it with '. .venv/bin/activate' (or run .venv/bin/grader)"
fi
if [ "$#" -gt 0 ]; then
    say "running: $*"
    export PATH="$bindir:$PATH" VIRTUAL_ENV="$env_dir"
    exec "$@"
fi
say "done. Next: grader samples (or, without activating anything: ./install.sh grader samples)"
