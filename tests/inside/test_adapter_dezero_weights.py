"""DeZero step 53's save_load step (grader/inside/adapters/dezero_weights.py) on the book's step-53 package
and its variants: a fresh Linear loading what the case's Linear saved. Expected values: the case's own
inputs (what the fresh layer must hold), never the code under test."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from inside_helpers import case, job, run_inside

BOOK = Path(__file__).resolve().parents[2] / "submissions" / "dezero" / "book_step53"
FIELDS = {
    "modules": ["steps/step53.py"],
    "required": ["Variable", "Function", "Parameter", "Layer", "layers.Linear"],
}
INPUTS = {
    "x": [[1.0, 2.0], [0.5, -1.0]],
    "W": [[0.2, -0.4, 0.6], [1.0, 0.3, -0.5]],
    "b": [0.1, -0.2, 0.05],
}
ROUND_TRIP = [
    {"do": "apply", "op": "Linear", "args": ["x", "W", "b"], "out": "y", "layer": "fc"},
    {"do": "save_load", "op": "Linear", "args": ["x", "W", "b"], "out": "loaded", "layer": "fc"},
]
SAVE = "    def save_weights(self, path):\n"
# the book's step-52 Layer.to_cpu, which save_weights calls first (dezero/layers.py)
LAYER_TO_CPU = "    def to_cpu(self):\n        for param in self.params():\n            param.to_cpu()\n\n"
# the book's step-52 Variable.to_cpu, reading a dezero.cuda module this package does not have
VARIABLE_TO_CPU = (
    "    def to_cpu(self):\n"
    "        if self.data is not None:\n"
    "            self.data = dezero.cuda.as_numpy(self.data)\n\n"
)


def _book(layers_edit: tuple[str, str] | None = None, core_edit: tuple[str, str] | None = None) -> dict:
    files = {str(p.relative_to(BOOK)): p.read_text() for p in BOOK.rglob("*.py")}
    for rel, edit in (("dezero/layers.py", layers_edit), ("dezero/core.py", core_edit)):
        if edit is not None:
            assert edit[0] in files[rel], edit[0]
            files[rel] = files[rel].replace(edit[0], edit[1], 1)
    return files


def _run(files: dict) -> dict:
    return run_inside(files, job("dezero", [case("rt", INPUTS, ROUND_TRIP)], **FIELDS)).case("rt")


def test_the_books_round_trip_loads_the_cases_arrays() -> None:
    """The book's save_weights and load_weights: the fresh Linear holds the case's W and b."""
    ran = run_inside(_book(), job("dezero", [case("rt", INPUTS, ROUND_TRIP)], **FIELDS))
    np.testing.assert_allclose(ran.record("loaded_W", "rt"), INPUTS["W"], rtol=1e-6)
    np.testing.assert_allclose(ran.record("loaded_b", "rt"), INPUTS["b"], rtol=1e-6)


def test_save_weights_calling_a_to_cpu_no_class_has_is_told_to_leave_it_out() -> None:
    """save_weights calling self.to_cpu() with no to_cpu anywhere: the Layer lacks it (the control)."""
    failure = _run(_book((SAVE, SAVE + "        self.to_cpu()\n")))["failure"]
    assert "'Linear' object has no attribute 'to_cpu'" in failure["message"], failure
    assert "or define to_cpu on Layer" in failure["message"], failure


def test_the_books_layer_to_cpu_without_variable_to_cpu_names_variable_to_cpu() -> None:
    """The book's step-53 layers.py (Layer.to_cpu calling param.to_cpu()) over a core.py without step 52's
    Variable.to_cpu: the message names Variable.to_cpu, not "define to_cpu on Layer", which the package
    does (s34 review of s33-dzsave)."""
    edit = (SAVE, LAYER_TO_CPU + SAVE + "        self.to_cpu()\n")
    message = _run(_book(edit))["failure"]["message"]
    assert "'Parameter' object has no attribute 'to_cpu'" in message, message
    assert "define to_cpu on Layer" not in message, message
    assert "Variable.to_cpu" in message, message


def test_an_error_inside_a_defined_to_cpu_is_not_said_undefined() -> None:
    """A Variable.to_cpu that is there but fails (dezero.cuda, step 52's module, missing): Python's error
    alone, never "which the package does not define" (the error's place names to_cpu, which was enough)."""
    layers = (SAVE, LAYER_TO_CPU + SAVE + "        self.to_cpu()\n")
    core = ("    def cleargrad(self):\n", VARIABLE_TO_CPU + "    def cleargrad(self):\n")
    message = _run(_book(layers, core))["failure"]["message"]
    assert "Variable.to_cpu" in message, message
    assert "does not define" not in message, message


def test_parameters_saved_in_place_of_their_data_are_told_so() -> None:
    """save_weights writing {key: param} (the Parameter, not param.data): np.savez fails to pickle it,
    said with the fix (param.data), where Python's words named neither (s34 review of s33-dzsave)."""
    edit = ("array_dict = {key: param.data for", "array_dict = {key: param for")
    message = _run(_book(edit))["failure"]["message"]
    assert "cannot pickle" in message, message
    assert "{key: param.data for key, param in params_dict.items()}" in message, message


def test_a_layer_pickled_whole_is_not_told_it_handed_np_savez_objects() -> None:
    """The control: save_weights pickling the layer itself (pickle.dump(self, f)) fails on the same weak
    references, but calls no np.savez: Python's words alone, not the np.savez advice."""
    edit = (
        "        try:\n            np.savez_compressed(path, **array_dict)",
        "        try:\n            import pickle\n            pickle.dump(self, open(path, 'wb'))",
    )
    message = _run(_book(edit))["failure"]["message"]
    assert "cannot pickle" in message, message
    assert "np.savez" not in message, message


def test_a_file_of_objects_refused_by_np_load_is_told_what_save_weights_wrote() -> None:
    """A Parameter that pickles (np.savez wrote it) is refused by np.load (allow_pickle=False): the message
    says the file holds objects, save_weights' mistake, not load_weights' (Python's words alone before)."""
    edit = ("array_dict = {key: param.data for", "array_dict = {key: _Held(param.data) for")
    held = "class _Held:\n    def __init__(self, data):\n        self.data = data\n\n\n"
    files = _book(edit)
    files["dezero/layers.py"] = held + files["dezero/layers.py"]
    message = _run(files)["failure"]["message"]
    assert "allow_pickle=False" in message, message
    assert "save_weights handed np.savez objects, not arrays" in message, message


def test_a_key_save_weights_did_not_write_is_said_as_keys_flattened_otherwise() -> None:
    """save_weights writing 'W' as 'fc.W' (its own key scheme) while load_weights reads _flatten_params's
    'W': np.load's KeyError, said as keys flattened otherwise by the two methods (s34 review)."""
    edit = ("array_dict = {key: param.data", "array_dict = {'fc.' + key: param.data")
    message = _run(_book(edit))["failure"]["message"]
    assert "is not a file in the archive" in message, message
    # 'W' or 'b': whichever the Layer's set of names yields first
    assert re.search(r"load_weights asked the file for '[Wb]', a key save_weights did not write", message), (
        message
    )
