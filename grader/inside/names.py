"""The harness's view of the names a submission defines, asked of the student's process once per name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .failures import StudentFailure, clean_text
from .missing import missing_failure, nested_reason
from .remote import Ref, Session

_MAX_SOURCES_NAMED = 3


class StudentNames:
    """Looks names up (by their aliases) in the student's loaded modules; builds the "missing" messages."""

    def __init__(
        self,
        session: Session,
        loaded: Mapping[str, Any],
        known: Mapping[str, Any] = {},
        prefetched: Mapping[str, Ref] = {},
    ) -> None:
        """`loaded`: the student process's account of its load; `known`: the parent's own reading of the
        submission (`defined`: its public names, `sources`: its Python files), which wins wherever the two
        could differ: a message quotes what the parent read, never names a student process made up;
        `prefetched`: lookups queued with the load (`prefetch`)."""
        self.session = session
        modules = loaded.get("modules")
        self.modules = [str(m) for m in modules.values()] if isinstance(modules, dict) else []
        sources = known.get("sources")
        if isinstance(sources, list):
            files = [str(f) for f in sources]
            # Only files the parent saw; none left (a process that lied about them): the parent's own list.
            self.modules = [m for m in self.modules if m in set(files)] or files[:_MAX_SOURCES_NAMED]
        shown = known.get("shown")  # the parent's names for its own files (a notebook's module: its .ipynb)
        if isinstance(shown, dict):
            self.modules = [clean_text(shown.get(m, m), 200) for m in self.modules]
        off = known.get("defaults_off")  # names the code sets False itself (grader/defined.py)
        self.defaults_off = frozenset(str(n) for n in off) if isinstance(off, list) else frozenset()
        # DeZero's ordering attribute the parent read by its role under another name (`depth`): at most a few
        ordering = known.get("ordering")
        self.ordering = tuple(str(n) for n in ordering[:4]) if isinstance(ordering, list) else ()
        defined = known.get("defined", loaded.get("defined"))
        self.defined = [str(d) for d in defined] if isinstance(defined, list) else []
        blocked = loaded.get("blocked")  # rebuilt strictly by Session.load
        self.blocked = blocked if isinstance(blocked, StudentFailure) else None
        reasons = loaded.get("reasons")
        self.reasons = (
            {str(k): clean_text(v, 600) for k, v in list(reasons.items())[:64] if isinstance(v, str)}
            if isinstance(reasons, dict)
            else {}
        )
        # What the assignment asks for: never offered as "did you mean" for another of them.
        self.wanted = frozenset(str(n) for n in (*known.get("required", ()), *known.get("optional", ())))
        # The parent's reading of classes defined in a class or a function ("Network.Sigmoid"): where a
        # missing class is, when the load gave no other reason
        methods = known.get("methods")
        self.nested = [str(m) for m in methods] if isinstance(methods, list) else []
        found = loaded.get("found")  # required name -> "module.Spelling", the student process's claim
        self.found = {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}
        self._refs: dict[str, Ref] = dict(prefetched)

    def prefetch(self, names: Sequence[str]) -> None:
        """Queue the lookups of names a family always asks for, and the descriptions of those that are
        classes: answered with the first round trip."""
        self._refs.update(prefetch(self.session, [n for n in names if n not in self._refs]))

    def ask(self, names: Sequence[str]) -> None:
        """Queue the lookups of `names` (no description): the next `get` of any of them answers them all in
        one round trip (DeZero's candidate holders of its switch: Config, CONFIG, ...)."""
        for name in names:
            if name not in self._refs:
                self._refs[name] = self.session.lookup(name)

    def get(self, name: str) -> Ref | None:
        ref = self._refs.get(name)
        if ref is not None and not ref.answered:
            self.session.sync()  # still queued: sent now, as reading it would
            if not ref.answered:
                # Its batch stopped at an earlier operation the student's code failed (a class of theirs
                # that raises when the prefetch describes it): the lookup never ran, and the later cases
                # that read it failed in the harness ("not your code's fault"). Asked again.
                ref = None
        if ref is None:
            ref = self._refs[name] = self.session.lookup(name)
        return None if ref.missing else ref

    def require(self, name: str) -> Ref:
        ref = self.get(name)
        if ref is None:
            raise self.missing_failure(name)
        return ref

    def missing_failure(self, name: str) -> StudentFailure:
        reason = self.reasons.get(name) or nested_reason(name, self.nested)
        return missing_failure(name, self.modules, self.defined, self.blocked, reason, self.wanted)


def prefetch(session: Session, names: Sequence[str]) -> dict[str, Ref]:
    """Queue the lookups of `names` and the descriptions of those that are classes (before the load's
    answer is read: harness._load sends them in the load's batch)."""
    refs = {}
    for name in names:
        refs[name] = session.lookup(name)
        session.ask_classinfo(refs[name])
    return refs
