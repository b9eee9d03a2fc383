"""An assignment's own ops module (manifest `ops_module`, docs/EXTENDING.md), loaded for the parent.

The module is the instructor's code, trusted like the manifest: it runs in the parent (expected values,
known mistakes, fixtures), never in the sandbox. Only `Extension.sandbox_view()` (class names and how a
layer is called) travels to the adapter.
"""

from __future__ import annotations

from typing import Any

from grader.assignments import Assignment
from grader.schema import ConfigError


def extension_of(assignment: Assignment) -> Any:
    """The assignment's `reference.extension.Extension`, or None when it has no ops module."""
    if assignment.ops_module is None:
        return None
    from reference.extension import ExtensionError, load_extension

    try:
        return load_extension(assignment.root / assignment.ops_module, source=assignment.id)
    except ExtensionError as err:
        raise ConfigError(f"{assignment.manifest_path}: $.ops_module: {err}") from err


def sandbox_ops(assignment: Assignment) -> dict[str, Any]:
    """The plain-data view the family adapter needs (empty when the assignment has no ops module)."""
    ext = extension_of(assignment)
    return {} if ext is None else dict(ext.sandbox_view(assignment.family))
