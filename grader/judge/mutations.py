"""The judge's only window on `reference.mutations`: a known mistake's diagnosis code and hint.

`Case.known_mistakes` is keyed by diagnosis code (CASES.md); a key that is a mutation name is accepted too.
The reference registry is imported lazily and defensively, so the judge still diagnoses (with its own
fallback hints) when the registry is absent or shaped differently.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any


def _entries() -> Iterator[tuple[str, Any]]:
    try:
        from reference.mutations import MUTATIONS
    except ImportError:
        return
    items = (
        MUTATIONS.items()
        if isinstance(MUTATIONS, Mapping)
        else ((getattr(m, "name", ""), m) for m in MUTATIONS)
    )
    for name, m in items:
        yield str(name), m
    try:  # an assignment's own mistakes (reference/extension.py), registered when its ops module loads
        from reference.extension import REGISTERED
    except ImportError:
        return
    yield from REGISTERED.items()


def _get(m: Any, attr: str) -> str | None:
    value = m.get(attr) if isinstance(m, Mapping) else getattr(m, attr, None)
    return value if isinstance(value, str) and value else None


def mutation_parts(key: str) -> frozenset[str] | None:
    """The code a known mistake (a mutation name) replaces: its ops' backward, graph backward and forward, or
    None when it changes more than ops (an engine's semantics), is keyed by a code, or is unknown.
    `Evidence.best_known` prefers, of two mistakes that give a record the same value, the one whose changes
    the other's contain: the record says nothing of the others' (arith_no_sum_to's Sub and Div, where only
    Mul's sum_to is missing)."""
    return _parts(key) if ":" in key else _cached_parts(key)


@cache
def _cached_parts(key: str) -> frozenset[str] | None:
    return _parts(key)


def _parts(key: str) -> frozenset[str] | None:
    for name, m in _entries():
        if name != key:
            continue
        semantics = getattr(m, "semantics", None)
        try:
            if semantics is None or semantics != type(semantics)():
                return None
            kinds = (("vjp", "vjps"), ("graph", "graph_vjps"), ("forward", "forwards"))
            return frozenset(f"{tag}:{op}" for tag, attr in kinds for op in getattr(m, attr, None) or ())
        except Exception:  # a registry shaped otherwise: no preference, support and order decide
            return None
    return None


def mutation_info(key: str) -> tuple[str, str | None]:
    """(diagnosis code, the mutation's hint or None) for a `known_mistakes` key (a code or mutation name)."""
    # Extension keys ("<assignment>:<name>") appear once their module is loaded: not cached before that.
    return _lookup(key) if ":" in key else _cached(key)


@cache
def _cached(key: str) -> tuple[str, str | None]:
    return _lookup(key)


def _lookup(key: str) -> tuple[str, str | None]:
    by_code: list[str | None] = []
    for name, m in _entries():
        code = _get(m, "code")
        if name == key:
            return code or key, _get(m, "hint")
        if code == key:
            by_code.append(_get(m, "hint"))
    # Several mutations share a code (wrong_derivative): their hints differ, so none is right for all.
    return key, by_code[0] if len(by_code) == 1 else None
