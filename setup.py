"""Package layout: everything else is in pyproject.toml.

The assignments' fixtures live at the repository root (`fixtures/`, where `grader fixtures build` writes them
and where course designers edit them); a built wheel carries them as package data at `grader/fixtures/`, so
an installed grader finds its assignments with no variable set (`grader.assignments.locate_fixtures`).
pyproject.toml cannot map a folder outside `grader/` into the package while also discovering packages, so the
mapping is here.
"""

from setuptools import find_packages, setup

PACKAGED_FIXTURES = "grader.fixtures"

setup(
    packages=[*find_packages(include=["grader*", "reference*"]), PACKAGED_FIXTURES],
    package_dir={PACKAGED_FIXTURES: "fixtures"},
    package_data={
        # the full stand-in of the book's common/layers.py: read by the parent (grader/served_standins.py),
        # never part of the sandbox's runtime (grader/inside), so no package of its own
        "grader": ["schemas/*.json", "standin_book/common/layers.py"],
        PACKAGED_FIXTURES: [
            "*/manifest.json",
            "*/sources.json",
            "*/sources/*.json",
            "*/cases/*.json",
            "*/support/**/*",
            "*/*.py",  # an assignment's own ops module (docs/EXTENDING.md)
        ],
    },
    exclude_package_data={PACKAGED_FIXTURES: ["**/__pycache__/*", "**/*.pyc"]},
)
