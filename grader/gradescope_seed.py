"""A per-student seed on Gradescope: the same generated cases on every regrade, different ones per student.

A regrade re-runs the autograder on the same submission; with a fresh random seed its generated cases, and
so the score, could change. The seed is instead HMAC-SHA256(course secret, key), where the key names the
submission's users and its assignment, read from /autograder/submission_metadata.json (Gradescope's
documented fields: `users`, a list of objects with an `id`, and `assignment.id`). Those ids stay the same on
every regrade and every resubmission and differ between students (a group shares one seed); the course
secret, shipped in the kit and readable by root only (setup.sh), keeps the seed from being worked out from
the ids, which are not secret. Neither the secret nor the seed reaches the student's process (the seed
only picks the inputs, which are sent per phase), and the student view does not show a seed derived here
(`Report.seed_private`): with it, the grader's public code would replay the student's hidden cases.

Metadata that is missing, unreadable, not JSON or without those ids falls back to a random seed, with a
warning for staff in the log: the submission is graded, only not regrade-stable.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.schema import ConfigError

SECRET_FILE = "seed_secret"  # inside the kit, next to the scripts (/autograder/source/seed_secret)
MIN_SECRET_CHARS = 16
_MAX_SECRET_BYTES = 4096
# The metadata holds every previous submission's results: large for a busy student, but bounded.
_MAX_METADATA_BYTES = 64 * 2**20
_DOMAIN = b"backprop-grader per-student seed v1\0"  # a hash of this secret for any other use differs


@dataclass(frozen=True)
class StudentSeed:
    """The derived seed, or None (fall back to a random one); `source` says which, for staff."""

    seed: int | None
    source: str


def read_secret(path: Path) -> bytes:
    """The course secret: the file's text without surrounding whitespace, at least MIN_SECRET_CHARS long."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(_MAX_SECRET_BYTES + 1)
    except OSError as err:
        raise ConfigError(f"seed secret {path} cannot be read: {err.strerror or err}") from None
    secret = raw.strip()
    if len(raw) > _MAX_SECRET_BYTES or len(secret) < MIN_SECRET_CHARS:
        raise ConfigError(
            f"seed secret {path} must hold {MIN_SECRET_CHARS} to {_MAX_SECRET_BYTES} characters "
            "(e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`)"
        )
    return secret


def _id(value: Any) -> str | None:
    """A Gradescope id: an integer, or a non-empty printable string without separators (bool is no id; a
    lone surrogate, which JSON's \\udcff makes and no UTF-8 holds, is none either)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip() and value.isprintable() and not any(c in value for c in ",;"):
        return value.strip()
    return None


def student_key(metadata: Any) -> str | None:
    """`assignment=<id>;users=<id>,<id>` (ids sorted: a group's order does not matter), None when the
    metadata lacks the assignment id or any user's id."""
    if not isinstance(metadata, dict):
        return None
    assignment = metadata.get("assignment")
    assignment_id = _id(assignment.get("id")) if isinstance(assignment, dict) else None
    users = metadata.get("users")
    if assignment_id is None or not isinstance(users, list) or not users:
        return None
    ids = [_id(u.get("id")) if isinstance(u, dict) else None for u in users]
    if any(i is None for i in ids):
        return None
    return f"assignment={assignment_id};users={','.join(sorted({str(i) for i in ids}))}"


def derive(secret: bytes, key: str) -> int:
    """The seed of `key` under `secret`: 63 bits of HMAC-SHA256, in the range every seed setting accepts."""
    digest = hmac.new(secret, _DOMAIN + key.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def student_seed(metadata_path: Path, secret: bytes) -> StudentSeed:
    """The seed for the submission described by `metadata_path`, or the reason to fall back."""
    try:
        with open(metadata_path, "rb") as fh:
            raw = fh.read(_MAX_METADATA_BYTES + 1)
    except OSError as err:
        return StudentSeed(None, f"{metadata_path} cannot be read ({err.strerror or err})")
    if len(raw) > _MAX_METADATA_BYTES:
        return StudentSeed(None, f"{metadata_path} is over {_MAX_METADATA_BYTES // 2**20} MiB")
    try:
        metadata = json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return StudentSeed(None, f"{metadata_path} is not JSON")
    key = student_key(metadata)
    if key is None:
        return StudentSeed(None, f"{metadata_path} has no assignment id or users with ids")
    return StudentSeed(derive(secret, key), f"per student, from {key} and the course secret")
