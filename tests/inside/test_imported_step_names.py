"""A step set aside that the graded step imports lends the names the graded step binds none of."""

from __future__ import annotations

from inside_helpers import job, run_inside

# step13.py as a student keeps it, and step14.py reaching its classes through the module (`step13.Function`)
STEP13 = (
    "import numpy as np\n\n\n"
    "class Variable:\n    def __init__(self, data):\n        self.data = data\n        self.grad = None\n"
    "        self.creator = None\n\n\n"
    "class Function:\n    def __call__(self, *inputs):\n        return inputs[0]\n\n\n"
    "class Square(Function):\n    pass\n"
)
STEP14 = (
    "import step13\nfrom step13 import Square\n\n\n"
    "class Variable(step13.Variable):\n    def cleargrad(self):\n        self.grad = None\n\n\n"
    "class Add(step13.Function):\n    pass\n"
)
STEPS = {"step14.py": STEP14, "step13.py": STEP13}
STEP_GROUP = [["step14.py", "step13.py"]]
REQUIRED = ["Variable", "Function", "Add"]


def _loaded(files: dict[str, str]) -> dict:
    ran = run_inside(files, job("dezero", [], required=REQUIRED, one_of=STEP_GROUP))
    return ran.loaded


def test_a_name_only_the_imported_step_binds_is_found_there() -> None:
    """step14.py runs step13.py (`import step13`) and subclasses step13.Function without binding the name:
    Function is the step-13 class, not "missing: Function" (session 37 review: the stage line said "your code
    defines Variable, Function, Add" and Function's own case passed under that missing line). The names
    step14.py binds stay its own (its Variable, not step 13's), and step13.py is a module the load names."""
    loaded = _loaded(STEPS)
    assert loaded["missing"] == []
    found = {"Variable": "step14.Variable", "Function": "step13.Function", "Add": "step14.Add"}
    assert loaded["found"] == found
    assert loaded["modules"] == {"step14": "step14.py", "step13": "step13.py"}
    assert not any("not run" in w for w in loaded["warnings"]), loaded["warnings"]


def test_a_step_set_aside_and_never_imported_lends_no_name() -> None:
    """Control: the same step13.py, which step14.py does not import, is another step's program: never run,
    its Function no name of the graded one ("missing: Function"), and said so."""
    alone = STEP14.replace("import step13\nfrom step13 import Square\n", "")
    alone = alone.replace("(step13.Variable)", "").replace("(step13.Function)", "")
    loaded = _loaded({"step14.py": alone, "step13.py": STEP13})
    assert loaded["missing"] == ["Function"]
    assert loaded["modules"] == {"step14": "step14.py"}
    assert any("step13.py" in w and "not run" in w for w in loaded["warnings"]), loaded["warnings"]


def test_an_imported_step_the_code_replaced_in_sys_modules_lends_nothing_and_stops_nothing() -> None:
    """step14.py puts an object of its own at sys.modules["step13"] whose namespace raises on every name but
    __file__: the lookup passes over it (the student's object may be anything), and Function is missing."""
    hostile = STEP14.replace("from step13 import Square\n", "") + (
        "import sys\n\n\nclass _Space(dict):\n    def get(self, key, default=None):\n"
        "        if key == '__file__':\n            return dict.get(self, key, default)\n"
        "        raise RuntimeError('no')\n\n\nclass _Module:\n    pass\n\n\n"
        "_m = _Module()\n_m.__dict__ = _Space(__file__=step13.__file__)\nsys.modules['step13'] = _m\n"
    )
    loaded = _loaded({"step14.py": hostile, "step13.py": STEP13})
    assert loaded["missing"] == ["Function"]
    assert loaded["found"] == {"Variable": "step14.Variable", "Add": "step14.Add"}
