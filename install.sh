#!/usr/bin/env bash
# Set-up for a fresh machine: the sandbox (bubblewrap) and the grader with its oracles (torch, CPU build,
# pinned through constraints.txt so pip never picks a multi-gigabyte CUDA build).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v bwrap >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="$(command -v sudo || true)"
    if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; }; then
        echo "install: installing bubblewrap for the sandbox"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq bubblewrap
    else
        echo "install: WARNING: bubblewrap is not installed and cannot be installed here;" \
             "the grader will fall back to isolation 'rlimits' and say so in every report" >&2
    fi
fi
python3 -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
echo "install: done. Try: grader samples"
