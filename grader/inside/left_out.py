"""A course package the student writes, imported by a file handed in without it (the book's
dezero/functions.py alone: `import dezero`): what was left out, said where the import fails.

"no module named 'dezero' in the submission or the standard library; only numpy, the standard library ...
are available" read as a package the grader lacks; the student's own dezero/ folder is what is missing."""

from __future__ import annotations

import posixpath

# The packages the student writes, by their import name, with the modules the book puts in them
# (koki0702/dezero, steps 23 to 60).
PACKAGES: dict[str, frozenset[str]] = {
    "dezero": frozenset(
        {
            "__init__",
            "core",
            "core_simple",
            "functions",
            "functions_conv",
            "layers",
            "models",
            "optimizers",
            "utils",
            "cuda",
            "datasets",
            "dataloaders",
            "transforms",
        }
    ),
}


def package_hint(module: str, importer: str) -> str | None:
    """What to hand in when `importer` (a path in the submission) imports `module` of a course package the
    submission does not hold; None for any other module."""
    root = module.split(".")[0]
    modules = PACKAGES.get(root)
    if modules is None:
        return None
    stem = posixpath.splitext(posixpath.basename(importer.replace("\\", "/")))[0]
    if stem in modules:
        return (
            f"{importer} is a module of the book's {root}/ package, which imports the package by name: "
            f"hand in the whole {root}/ folder (its __init__.py and every module), not {importer} alone"
        )
    return (
        f"{importer} uses the {root}/ package, which you write in the book from step 23 on: hand in "
        f"your {root}/ folder with it"
    )
