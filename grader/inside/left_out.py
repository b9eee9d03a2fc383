"""A course package the student writes, imported by a file handed in without it (the book's
dezero/functions.py alone: `import dezero`): what was left out, said where the import fails.

"no module named 'dezero' in the submission or the standard library; only numpy, the standard library ...
are available" read as a package the grader lacks; the student's own dezero/ folder is what is missing."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

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


def package_hint(module: str, importer: str, known: Iterable[str]) -> str | None:
    """What to hand in when `importer` (a path in the submission) imports `module` of a course package
    that cannot be imported, `known` being the submission's other modules (loading.module_names); None
    for any other module. Where the package's folder is there, the text names the missing module alone,
    never the importer: one missing file, one grouped line (LOADING.md)."""
    root = module.split(".")[0]
    modules = PACKAGES.get(root)
    if modules is None:
        return None
    names = set(known)
    if module != root and any(name.startswith(root + ".") for name in names):
        return f"{module.replace('.', '/')}.py is not in your {root}/ folder"
    path = importer.replace("\\", "/")
    stem = posixpath.splitext(posixpath.basename(path))[0]
    if "/" not in path:
        names.add(stem)
    if "__init__" in names and len(names & modules) > 1:
        return (
            f"these files are the inside of the book's {root}/ folder, which imports itself by name as "
            f"{root}: check the folder that holds {root}/"
        )
    if stem in modules:
        return (
            f"{importer} is a module of the book's {root}/ package, which imports the package by name: "
            f"hand in the whole {root}/ folder (its __init__.py and every module), not {importer} alone"
        )
    return (
        f"{importer} uses the {root}/ package, which you write in the book from step 23 on: hand in "
        f"your {root}/ folder with it"
    )
