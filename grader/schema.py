"""Load JSON files and validate them against the schemas in `grader/schemas/`.

Every loader of configuration (manifests, fixtures, fixture sources, settings) raises `ConfigError`, whose
message names the file, the JSON path of the bad value (`$.cases[3].points`), what was wrong and what would be
valid, so that a course designer can fix the file without reading the schema.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # jsonschema costs ~80 ms to import: only a file not validated before pays for it
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
    from referencing import Registry

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
# The errors listed in one message: enough to fix several typos at once, few enough to read.
MAX_ERRORS_SHOWN = 5


class ConfigError(Exception):
    """A configuration file or value is invalid; the message says where, what, and what would be valid."""


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema `grader/schemas/<name>.schema.json`.

    Not meta-validated here: that costs ~100 ms per process on every `grader check`; the test suite proves
    every shipped schema is a valid draft 2020-12 schema instead (tests/test_schema.py)."""
    path = SCHEMA_DIR / f"{name}.schema.json"
    if not path.is_file():
        valid = sorted(p.name.removesuffix(".schema.json") for p in SCHEMA_DIR.glob("*.schema.json"))
        raise ConfigError(f"no schema named {name!r}; valid names: {', '.join(valid)}")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with each local `{"$ref": "#/$defs/NAME"}` replaced by the definition itself (a definition
    that refers to itself keeps its $ref; `$defs` stays for it). The same verdicts and error paths; jsonschema
    resolves no reference per value then: a DeZero report of 174 cases validated in 0.11 s of CPU for 0.17."""
    defs = schema.get("$defs", {})

    def walk(node: Any, within: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [walk(v, within) for v in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        name = ref.removeprefix("#/$defs/") if isinstance(ref, str) and ref.startswith("#/$defs/") else ""
        if len(node) == 1 and name in defs and name not in within:
            return walk(defs[name], (*within, name))
        return {k: walk(v, within) for k, v in node.items()}

    return dict(walk(schema, ()))


@cache
def _registry() -> Registry:
    """Every shipped schema under its `$id`, so that one schema can refer to another's definitions."""
    from referencing import Registry, Resource

    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        schema = load_schema(path.name.removesuffix(".schema.json"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def json_path(parts: Iterable[Any]) -> str:
    """`$.cases[3].points` from a jsonschema error path."""
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _what_is_valid(err: ValidationError) -> str:
    """A short phrase saying what the schema would accept at the failing place."""
    schema = err.schema if isinstance(err.schema, dict) else {}
    v, arg = err.validator, err.validator_value
    if v == "enum":
        return "one of " + ", ".join(json.dumps(x) for x in arg)
    if v == "const":
        return f"exactly {json.dumps(arg)}"
    if v == "type":
        kinds = arg if isinstance(arg, list) else [arg]
        return "a value of type " + " or ".join(kinds)
    if v == "required":
        return "an object with the properties " + ", ".join(arg)
    if v == "additionalProperties":
        known = sorted(schema.get("properties", {}))
        return "only the properties " + ", ".join(known) if known else "no other properties"
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        words = {
            "minimum": ">=",
            "exclusiveMinimum": ">",
            "maximum": "<=",
            "exclusiveMaximum": "<",
        }
        return f"a number {words[str(v)]} {arg}"
    if v == "pattern":
        return f"a string matching {arg}"
    if v in ("minItems", "maxItems", "minLength", "maxLength"):
        return f"{v} {arg}"
    if v == "uniqueItems":
        return "no duplicates"
    return schema.get("description", "what the schema describes")


def _describe(err: ValidationError) -> str:
    from jsonschema.exceptions import best_match

    # Errors under oneOf/anyOf are vague at the top; the deepest sub-error usually names the real problem.
    best = best_match([err])
    while best.context:
        best = best_match(best.context)
    where = json_path(best.absolute_path)
    message = best.message
    if best.validator == "additionalProperties" and isinstance(best.instance, dict):
        allowed = set(best.schema.get("properties", {})) if isinstance(best.schema, dict) else set()
        extra = sorted(k for k in best.instance if k not in allowed)
        message = "unknown propert" + ("y " if len(extra) == 1 else "ies ") + ", ".join(map(repr, extra))
    return f"{where}: {message}; valid: {_what_is_valid(best)}"


@cache
def _validator(schema_name: str, definition: str | None) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    schema = load_schema(schema_name)
    if definition is not None:
        if definition not in schema.get("$defs", {}):
            raise ConfigError(f"schema {schema_name!r} has no definition {definition!r}")
        schema = {"$ref": f"{schema['$id']}#/$defs/{definition}"}
    return Draft202012Validator(schema, registry=_registry())


def validate(data: Any, schema_name: str, *, source: str | Path, definition: str | None = None) -> None:
    """Validate `data` against a schema (or one of its `$defs`); raise ConfigError naming `source`."""
    validator = _validator(schema_name, definition)
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        return
    lines = [_describe(e) for e in errors[:MAX_ERRORS_SHOWN]]
    more = f"\n  ... and {len(errors) - MAX_ERRORS_SHOWN} more" if len(errors) > MAX_ERRORS_SHOWN else ""
    raise ConfigError(f"{source} is not a valid {schema_name} file:\n  " + "\n  ".join(lines) + more)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except OSError as err:
        raise ConfigError(f"{path}: cannot be read as UTF-8 text ({err})") from None


def _parse(path: Path, raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: cannot be read as UTF-8 text ({err})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(
            f"{path}: invalid JSON at line {err.lineno}, column {err.colno}: {err.msg}; "
            "valid: strict JSON (double quotes, no trailing commas, no comments)"
        ) from None


def load_json(path: str | Path) -> Any:
    """Parse a JSON file; invalid JSON or an unreadable file is a ConfigError with line and column."""
    path = Path(path)
    return _parse(path, _read_bytes(path))


# ---------------------------------------------------------------- files validated before
# Validation is a pure function of the file's bytes and the schemas. A file that passed once is remembered by
# the sha256 of (schemas, schema name, definition, bytes) as an empty marker file in the user's cache, so a
# student's next `grader check` skips validating the unchanged shipped fixtures and importing jsonschema
# (together ~0.15 s of a 0.5 s check). Any change to the file or to a schema changes the key. An unwritable
# cache only costs the time; GRADER_NO_VALIDATION_CACHE=1 turns it off.
NO_CACHE_ENV = "GRADER_NO_VALIDATION_CACHE"


def validation_cache_dir() -> Path | None:
    if os.environ.get(NO_CACHE_ENV):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "backprop-grader" / "validated"


@cache
def _schemas_digest() -> bytes:
    # hashlib imported here: loading OpenSSL's libcrypto (~3 ms) is for validation, not for every command
    # that reads ConfigError (the CLI, before a `grader check` starts its sandbox worker)
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def _cache_key(raw: bytes, schema_name: str, definition: str | None) -> str:
    import hashlib  # imported by _schemas_digest above: a lookup

    head = _schemas_digest() + f"\0{schema_name}\0{definition or ''}\0".encode()
    return hashlib.sha256(head + raw).hexdigest()


def _validated_before(key: str) -> bool:
    folder = validation_cache_dir()
    try:
        return folder is not None and (folder / key).is_file()
    except OSError:  # a cache this user may not enter (HOME left at /root by `runuser -u ta`): not used
        # Python 3.11's is_file() raises for it: every command said "internal error, please report it"
        return False


def _remember(key: str) -> None:
    folder = validation_cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / key).touch()
    except OSError:
        pass


def load_validated(path: str | Path, schema_name: str, *, definition: str | None = None) -> Any:
    """Load a JSON file and validate it; every problem is a ConfigError naming the file."""
    path = Path(path)
    raw = _read_bytes(path)
    data = _parse(path, raw)
    key = _cache_key(raw, schema_name, definition)
    if not _validated_before(key):
        validate(data, schema_name, source=path, definition=definition)
        _remember(key)
    return data
