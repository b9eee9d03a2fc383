"""reference.extension: an ops module is checked, its mistakes qualified, and only plain data leaves it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reference.evaluate import run_case
from reference.extension import REGISTERED, ExtensionError, load_extension

MODULE = """
import numpy as np
from reference.extension import ExtensionOp, LayerBuild, Mistake

def cube(x):
    return x ** 3

def cube_vjp(g, x, *, y):
    return (3.0 * x ** 2 * g,)

def cube_torch(torch, x):
    return x ** 3

OPS = [ExtensionOp(
    name="cube", forward=cube, vjp=cube_vjp, torch_forward=cube_torch,
    classes={"dezero": ("Cube",), "layers": ("CubeLayer", "Cube3")},
    layer=LayerBuild(),
    mistakes=(
        Mistake("cube_missing_three", "Cube.backward forgets the 3.", lambda g, x, *, y: (x ** 2 * g,)),
        Mistake("cube_as_square", "Cube.forward squares.", forward=lambda x: x ** 2),
    ),
)]
"""


def _module(tmp_path: Path, text: str = MODULE, name: str = "ops.py") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_dezero_finds_an_op_as_class_or_helper(tmp_path: Path) -> None:
    """DeZero steps may name the class or its lower-case helper; both reach the op (27 and 27 at x = 3)."""
    ext = load_extension(_module(tmp_path), source="course-a")
    assert ext.classes("dezero") == {"Cube": "cube", "cube": "cube"}
    for op in ("Cube", "cube"):
        steps = [
            {"do": "apply", "op": op, "args": ["x"], "out": "y"},
            {"do": "backward", "of": "y"},
            {"do": "record", "key": "y", "value_of": "y"},
            {"do": "record", "key": "dx", "grad_of": "x"},
        ]
        got = run_case("dezero", {"x": np.array(3.0)}, steps, extension=ext)
        assert (float(got["y"]), float(got["dx"])) == (27.0, 27.0)


def test_mistakes_are_qualified_and_registered_for_the_judge(tmp_path: Path) -> None:
    """Mistake keys carry the assignment id; a forward-only mistake changes the value, a vjp one the grad."""
    ext = load_extension(_module(tmp_path), source="course-b")
    assert sorted(ext.mutations) == ["course-b:cube_as_square", "course-b:cube_missing_three"]
    assert set(ext.mutations) <= set(REGISTERED)
    steps = [
        {"do": "apply", "op": "cube", "args": ["x"], "out": "y"},
        {"do": "backward", "of": "y"},
        {"do": "record", "key": "y", "value_of": "y"},
        {"do": "record", "key": "dx", "grad_of": "x"},
    ]
    x = {"x": np.array(2.0)}
    wrong_grad = run_case("dezero", x, steps, extension=ext, mutation="course-b:cube_missing_three")
    wrong_value = run_case("dezero", x, steps, extension=ext, mutation="course-b:cube_as_square")
    assert (float(wrong_grad["y"]), float(wrong_grad["dx"])) == (8.0, 4.0)
    assert (float(wrong_value["y"]), float(wrong_value["dx"])) == (4.0, 12.0)


def test_sandbox_view_is_names_and_positions(tmp_path: Path) -> None:
    """The adapter's view: accepted names per class (DeZero: helpers too) and the layer's positions."""
    ext = load_extension(_module(tmp_path), source="course-c")
    assert ext.sandbox_view("dezero") == {"aliases": {"Cube": ["Cube"], "cube": ["cube"]}, "layers": {}}
    layers = ext.sandbox_view("layers")
    assert layers["aliases"] == {"CubeLayer": ["CubeLayer", "Cube3"]}
    assert layers["layers"]["CubeLayer"] == {
        "ctor": [],
        "forward": [0],
        "returns": [0],
        "attrs": {},
        "loss": False,
    }
    assert ext.sandbox_view("miniflow") == {"aliases": {}, "layers": {}}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("OPS = [", "OPS = [] and ["), "defines no OPS"),
        (('name="cube"', 'name="mul"'), "'mul' is not a new identifier"),
        (('classes={"dezero"', 'classes={"keras"'), "classes\\['keras'\\]"),
        (("layer=LayerBuild(),", ""), "has a DLFS class but no `layer=LayerBuild"),
        (("import numpy as np", "import numpy as np\nraise RuntimeError('boom')"), "RuntimeError: boom"),
    ],
)
def test_a_broken_module_is_refused_with_what_is_wrong(tmp_path: Path, change: tuple[str, str], message: str):
    """Negative controls: each defect of an ops module is an ExtensionError naming it."""
    text = MODULE.replace(*change)
    assert text != MODULE
    with pytest.raises(ExtensionError, match=message):
        load_extension(_module(tmp_path, text, f"broken_{abs(hash(change))}.py"))


SHARED = """
from reference.extension import ExtensionOp, LayerBuild, Mistake

def first(x1, x2, gamma, beta):
    return 0.1 * x1.mean(axis=0)

def later(x1, x2, x3, gamma, beta):
    return x3 - 0.1 * x1.mean(axis=0)

def none(g, *xs, y):
    return tuple(None for _ in xs)

def torch_first(torch, x1, x2, gamma, beta):
    return 0.1 * x1.mean(dim=0)

def torch_later(torch, x1, x2, x3, gamma, beta):
    return x3 - 0.1 * x1.mean(dim=0)

OPS = [
    ExtensionOp(
        name="stat", forward=first, vjp=none, torch_forward=torch_first,
        classes={"layers": ("Norm.stat",)}, layer=LayerBuild(ctor=(2, 3), warmup=(0, 1), read="stat"),
        mistakes=(Mistake("stat_kept", "HINT", code="wrong_forward", forward=lambda x1, x2, g, b: 0 * x2),),
    ),
    ExtensionOp(
        name="after", forward=later, vjp=none, torch_forward=torch_later,
        classes={"layers": ("Norm.after",)},
        layer=LayerBuild(ctor=(3, 4), forward=(2,), warmup=(0, 1), warmup_settings={"train_flg": True}),
        mistakes=(Mistake("stat_kept", "HINT", code="wrong_forward", forward=lambda x1, x2, x3, g, b: x3),),
    ),
]
"""


def test_one_mistake_named_in_two_ops_replaces_both_forwards(tmp_path: Path) -> None:
    """A mistake given (same name, code, hint) in two ops is one mutation that replaces both forwards."""
    ext = load_extension(_module(tmp_path, SHARED, "shared.py"), source="course-d")
    (mistake,) = ext.mutations.values()
    assert mistake.name == "course-d:stat_kept" and sorted(mistake.forwards) == ["after", "stat"]
    inputs = {"x1": np.array([[1.0, 3.0]]), "x2": np.zeros((1, 2)), "x3": np.array([[5.0, 5.0]])}
    inputs.update(gamma=np.ones(2), beta=np.zeros(2))
    steps = [
        {"do": "apply", "op": "Norm.stat", "args": ["x1", "x2", "gamma", "beta"], "out": "s"},
        {"do": "apply", "op": "Norm.after", "args": ["x1", "x2", "x3", "gamma", "beta"], "out": "a"},
        {"do": "record", "key": "s", "value_of": "s"},
        {"do": "record", "key": "a", "value_of": "a"},
    ]
    right = run_case("layers", inputs, steps, extension=ext)
    wrong = run_case("layers", inputs, steps, extension=ext, mutation="course-d:stat_kept")
    np.testing.assert_allclose(right["s"], [0.1, 0.3])  # 0.1 * the mean of x1, by hand
    np.testing.assert_allclose(right["a"], [[4.9, 4.7]])
    np.testing.assert_array_equal(wrong["s"], [[0.0, 0.0]])  # 0 * x2
    np.testing.assert_array_equal(wrong["a"], [[5.0, 5.0]])


def test_a_dotted_step_sends_no_alias_but_its_warmup_and_read(tmp_path: Path) -> None:
    """A step "Norm.stat" drives the class Norm: no alias for the dotted name; the spec says what to do."""
    ext = load_extension(_module(tmp_path, SHARED, "shared_view.py"), source="course-e")
    view = ext.sandbox_view("layers")
    assert view["aliases"] == {}
    assert view["layers"]["Norm.stat"]["warmup"] == [0, 1] and view["layers"]["Norm.stat"]["read"] == "stat"
    assert view["layers"]["Norm.after"]["warmup_settings"] == {"train_flg": True}
    assert "read" not in view["layers"]["Norm.after"]


def test_the_same_mistake_name_with_another_hint_is_refused(tmp_path: Path) -> None:
    """Negative control: two ops may share a mistake only with the same code and hint."""
    text = SHARED.replace(
        'Mistake("stat_kept", "HINT", code="wrong_forward", forward=lambda x1, x2, x3',
        ('Mistake("stat_kept", "OTHER", code="wrong_forward", forward=lambda x1, x2, x3'),
    )
    assert text != SHARED
    with pytest.raises(ExtensionError, match="stat_kept"):
        load_extension(_module(tmp_path, text, "shared_clash.py"))
