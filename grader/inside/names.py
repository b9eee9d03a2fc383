"""The harness's view of the names a submission defines, asked of the student's process once per name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .failures import StudentFailure, clean_text
from .remote import Ref, Session
from .student import missing_failure


class StudentNames:
    """Looks names up (by their aliases) in the student's loaded modules; builds the "missing" messages."""

    def __init__(self, session: Session, loaded: Mapping[str, Any]) -> None:
        self.session = session
        modules = loaded.get("modules")
        self.modules = [str(m) for m in modules.values()] if isinstance(modules, dict) else []
        defined = loaded.get("defined")
        self.defined = [str(d) for d in defined] if isinstance(defined, list) else []
        self.blocked = StudentFailure.from_dict(loaded.get("blocked"))
        reasons = loaded.get("reasons")
        self.reasons = (
            {str(k): clean_text(v, 600) for k, v in list(reasons.items())[:64] if isinstance(v, str)}
            if isinstance(reasons, dict)
            else {}
        )
        self._refs: dict[str, Ref] = {}

    def prefetch(self, names: Sequence[str]) -> None:
        """Queue the lookups of names a family always asks for: answered with the first round trip."""
        for name in names:
            if name not in self._refs:
                self._refs[name] = self.session.lookup(name)

    def get(self, name: str) -> Ref | None:
        if name not in self._refs:
            self._refs[name] = self.session.lookup(name)
        ref = self._refs[name]
        return None if ref.missing else ref

    def require(self, name: str) -> Ref:
        ref = self.get(name)
        if ref is None:
            raise self.missing_failure(name)
        return ref

    def missing_failure(self, name: str) -> StudentFailure:
        return missing_failure(name, self.modules, self.defined, self.blocked, self.reasons.get(name))
