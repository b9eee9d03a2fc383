"""The names each family's adapter accepts for a required one (`Node`: `Layer`, `Neuron`), as plain data.

The adapters (grader/inside/adapters/) grade with these tables, and the parent's stage inference
(grader/stage_scan.py) reads the same ones here without importing the adapters and the student-side code they
pull in: that import was a tenth of what a student waits for in `grader check`. `BY_FAMILY` has one entry per
name of `ADAPTERS` (tests/inside/test_aliases.py holds them equal).
"""

from __future__ import annotations

from collections.abc import Mapping

Table = Mapping[str, tuple[str, ...]]

MINIFLOW: Table = {
    "Node": ("Node", "Layer", "Neuron"),
    "Input": ("Input", "Placeholder"),  # "MiniFlow with tensors" forks name Input after TensorFlow 1
    "Linear": ("Linear",),
    "Sigmoid": ("Sigmoid",),
    "MSE": ("MSE", "Mse", "MeanSquaredError"),
    "Add": ("Add",),  # the first lesson's quiz: optional classes of the forward stage (docs/STAGES.md)
    "Mul": ("Mul",),
    "topological_sort": ("topological_sort", "topologicalSort", "topo_sort"),
    "forward_and_backward": ("forward_and_backward", "forward_backward"),
    "forward_pass": ("forward_pass",),
    "backward_pass": ("backward_pass",),
    # An optimizer class (SGD(trainables, learning_rate).update()) stands for sgd_update (adapter's `sgd`).
    "sgd_update": ("sgd_update", "SGD"),
}
# For stage inference only: the forward_pass/backward_pass pair stands for forward_and_backward (see the
# adapter's `_forward_and_backward`), so code with backward_pass has a backward stage.
MINIFLOW_INFERENCE: Table = {"forward_and_backward": ("backward_pass",)}
# Where a MiniFlow node keeps its partials (a dict keyed by inbound node), in order of preference, and where
# it lists its consumers (`outputs` last: a common renaming, tried only when no course name is there). The
# adapter reads them in the student's process; the parent's source readers (grader/recreated_gradients.py).
MINIFLOW_GRADIENT_ATTRS = ("gradients", "dvalues")
MINIFLOW_OUTBOUND_ATTRS = ("outbound_nodes", "outbound_layers", "outbound_neurons", "output_nodes", "outputs")

DEZERO: Table = {
    "Variable": ("Variable",),
    "Function": ("Function",),
    "Square": ("Square",),
    "Exp": ("Exp",),
    "Add": ("Add",),
    "Mul": ("Mul",),
    "Neg": ("Neg",),  # steps 22 onwards
    "Sub": ("Sub",),
    "Div": ("Div",),
    "Pow": ("Pow",),
    "square": ("square",),
    "exp": ("exp",),
    "add": ("add",),
    "mul": ("mul",),
    "neg": ("neg",),
    "sub": ("sub",),
    "div": ("div",),
    "pow": ("pow",),
    "Sin": ("Sin",),  # steps 27 and 34 (dezero/functions.py)
    "Cos": ("Cos",),
    "Tanh": ("Tanh",),  # step 35
    "sin": ("sin",),
    "cos": ("cos",),
    "tanh": ("tanh",),
    # steps 37 to 41 (dezero/functions.py): tensors
    **{name: (name,) for name in ("Reshape", "Transpose", "Sum", "BroadcastTo", "SumTo", "MatMul")},
    **{name: (name,) for name in ("reshape", "transpose", "sum", "broadcast_to", "sum_to", "matmul")},
    "MeanSquaredError": ("MeanSquaredError",),  # step 42
    "mean_squared_error": ("mean_squared_error",),
    # step 43 (dezero/functions.py): the Linear and Sigmoid functions, classes and helpers; the book writes
    # linear_simple and sigmoid_simple first, and a student who stopped there is graded on them (as for
    # softmax_simple at step 47)
    **{name: (name,) for name in ("Linear", "Sigmoid")},
    "linear": ("linear", "linear_simple"),
    "sigmoid": ("sigmoid", "sigmoid_simple"),
    # step 44 (dezero/core.py, dezero/layers.py): the Layer named Linear, told from the function Linear by
    # its base class Layer (student.QUALIFIERS)
    **{name: (name,) for name in ("Parameter", "Layer")},
    "layers.Linear": ("Linear",),
    # steps 59 and 60 (dezero/layers.py): the recurrent Layers
    **{name: (name,) for name in ("RNN", "LSTM")},
    # step 45 (dezero/models.py): Model, a Layer with plot, and MLP, a Model of Linear layers
    **{name: (name,) for name in ("Model", "MLP")},
    # step 46 (dezero/optimizers.py); its SGD is looked up by name when a case uses it, never listed: a
    # name DeZero grades is no longer one of the book's ungraded helpers, and the DLFS book's
    # common/optimizer.py alone (SGD) was told "which dezero grades" instead of "nothing to check here"
    **{name: (name,) for name in ("Optimizer", "MomentumSGD")},
    # step 47 (dezero/functions.py): get_item, softmax and softmax_cross_entropy, classes and helpers; the
    # book writes the _simple helpers first, and a student who stopped there is graded on them (softmax_simple
    # has no max shift: the large-logits case says its exp overflows)
    **{name: (name,) for name in ("GetItem", "Softmax", "SoftmaxCrossEntropy")},
    # the book's Variable.__getitem__ may build GetItem(slices)(x) itself, with no get_item helper: the
    # class is then graded as the book builds it (review of s23-dz47, finding 5: "missing: get_item" above
    # full marks; sample book_step47_getitem_class_only/)
    "get_item": ("get_item", "GetItem"),
    "softmax": ("softmax", "softmax_simple"),
    "softmax_cross_entropy": ("softmax_cross_entropy", "softmax_cross_entropy_simple"),
    # step 50 (dezero/functions.py): the helper alone, the book has no class Accuracy
    "accuracy": ("accuracy",),
    # step 54: the helper alone (no class Dropout in the book's DeZero)
    "dropout": ("dropout",),
    # steps 55 to 57 (dezero/functions_conv.py): the helpers alone, the book's step-57 text writing
    # conv2d_simple and pooling_simple first. No class: the book's Conv2d is also the Layer of
    # dezero/layers.py, which is no function to call as one
    "im2col": ("im2col",),
    "conv2d": ("conv2d", "conv2d_simple"),
    "pooling": ("pooling", "pooling_simple"),
    "as_array": ("as_array",),
    "no_grad": ("no_grad",),
    "using_config": ("using_config",),
    "Config": ("Config",),
}
# Spellings of a helper that are never called as the helper when its class exists: the book's first, composed
# versions of step 47 (softmax_simple is exp, sum and /), and the class itself standing for get_item. A
# Softmax or SoftmaxCrossEntropy class defined beside the _simple helpers is the student's own and is graded
# (built as the book builds it, Softmax()(x)); graded through the _simple helper, a wrong class went unseen:
# full marks (review of s23-dz47, finding 2; samples book_step47_sce_class_wrong_no_helper/,
# book_step47_softmax_class_wrong_no_helper/). GetItem is built GetItem(slices)(x), never called as
# get_item(x, slices).
# The book's step-47 helpers composed of other functions: the class each stands for and what it is built from.
# Graded for a class the code does not define, a message about that class's forward or backward names the
# helper instead (grader/judge/spelling.py): "Softmax.backward" told a student with only softmax_simple to
# re-derive a method they never wrote (review of s23-dz47, finding 4).
# Step 43's first versions too: linear_simple is matmul and +, sigmoid_simple 1 / (1 + exp(-x)); a step-43
# file with only them was "missing: Linear, Sigmoid" and every step-43 case an error (sample
# book_step43_simple_only/).
DEZERO_COMPOSED: Mapping[str, tuple[str, str]] = {
    "softmax_simple": ("Softmax", "exp, sum and /"),
    "softmax_cross_entropy_simple": ("SoftmaxCrossEntropy", "softmax, clip, log, indexing and sum"),
    "linear_simple": ("Linear", "matmul and +"),
    "sigmoid_simple": ("Sigmoid", "exp, + and /"),
    **{
        "conv2d_simple": ("Conv2d", "im2col, linear, reshape and transpose"),  # step 57
        "pooling_simple": ("Pooling", "im2col, reshape and max"),
    },
}
# Step 57's _simple helpers stand for the helpers conv2d and pooling, no class: they are called even beside
# a class of the name they stand for (the book's Conv2d of dezero/layers.py is a Layer, and built as the
# function Conv2d(stride, pad)(x, W, b) it is no conv2d), and inference reads no class Conv2d or Pooling
# into them (a DLFS Pooling layer importing dezero was told "dezero grades Pooling").
_STEP57_SIMPLE = frozenset({"conv2d_simple", "pooling_simple"})
DEZERO_BEHIND_CLASS = frozenset({*DEZERO_COMPOSED, "GetItem"} - _STEP57_SIMPLE)
# Step 43's composed versions under the final names, `linear` and `sigmoid` with no class Linear or Sigmoid
# (a student who renamed linear_simple): they stand for the class only where the code lacks it, so they are
# not DEZERO_COMPOSED, whose helpers are never called beside their class. Such a file was inferred step 42,
# "missing: Linear, Sigmoid" at step43, and its messages named Sigmoid.backward, a method it never wrote
# (sample book_step43_composed_final_names/).
DEZERO_COMPOSED_UNLESS_CLASS: Mapping[str, tuple[str, str]] = {
    "linear": DEZERO_COMPOSED["linear_simple"],
    "sigmoid": DEZERO_COMPOSED["sigmoid_simple"],
}
# For stage inference and the load's list of missing names: a class the code lacks is no missing name when
# its composed first version stands for it (step 43 requires Linear and Sigmoid, step 47 no Softmax class).
_DEZERO_STANDING_IN = (*DEZERO_COMPOSED.items(), *DEZERO_COMPOSED_UNLESS_CLASS.items())
DEZERO_INFERENCE: Table = {
    cls: tuple(h for h, (c, _) in _DEZERO_STANDING_IN if c == cls)
    for helper, (cls, _) in DEZERO_COMPOSED.items()
    if helper not in _STEP57_SIMPLE
}


def _or_layer(*spellings: str) -> tuple[str, ...]:
    """Each spelling, then each with the suffix `Layer` that MulLayer and AddLayer have: course forks name
    every layer so (`AffineLayer`, `SoftmaxWithLossLayer`), and code that did got 2 of 32, every case
    `missing_name` (sample submissions/layers/layer_suffix_names.py)."""
    return (*spellings, *(f"{s}Layer" for s in spellings))


LAYERS: Table = {
    "MulLayer": ("MulLayer", "MultiplyLayer", "MulLayers"),
    "AddLayer": ("AddLayer", "AddLayers"),
    "Relu": (*_or_layer("Relu", "ReLU", "ReLu", "RELU"), "Relu_Layer"),
    "Sigmoid": _or_layer("Sigmoid"),
    "Affine": _or_layer("Affine"),
    "SoftmaxWithLoss": (*_or_layer("SoftmaxWithLoss", "SoftMaxWithLoss"), "SoftmaxWithLoss_Layer"),
    "TwoLayerNet": ("TwoLayerNet",),
    # chapters 6 and 7 (dlfs-advanced), with PyTorch's and Keras's names. Kept here, not in dlfs-advanced's
    # ops module, so that inference reads them without importing it (which assignment a file is for looks
    # at every assignment: importing the ops cost a cold `grader check` 0.2 s); a file of Conv2d and MaxPool
    # alone was "no assignment grades any of them" while grading found both (ops' spellings; sample
    # dlfs-advanced/maxpool_conv2d_names.py), and a MaxPool class was "no class Pooling", not even near it.
    "Dropout": _or_layer("Dropout"),
    "BatchNormalization": _or_layer("BatchNormalization", "BatchNorm", "BatchNormalisation"),
    "Convolution": _or_layer("Convolution", "Conv", "Conv2D", "Conv2d", "Convolution2D"),
    "Pooling": _or_layer(
        "Pooling", "MaxPooling", "Pool", "MaxPool", "MaxPool2D", "MaxPool2d", "MaxPooling2D"
    ),
    # chapter 6's optimizers (common/optimizer.py) as torch.optim and Keras spell two of them: the parent
    # found AdaGrad "as Adagrad", the sandbox did not (-4 points), and a wrong RMSProp was never run, "your
    # code does not define it" (review of s21-adv, finding 5; sample optimizer_torch_spellings.py)
    "AdaGrad": ("AdaGrad", "Adagrad"),
    "RMSprop": ("RMSprop", "RMSProp"),
}

# DeZero's helper function of each Function class the cases apply (`add` for Add, `sum_to` for SumTo): the
# class name in lower case but for these. The adapter calls the helper where the code defines one, and the
# parent reads the helpers' parameters (grader/helper_args.py).
DEZERO_HELPERS: Mapping[str, str] = {
    "BroadcastTo": "broadcast_to",
    "SumTo": "sum_to",
    "MatMul": "matmul",
    "MeanSquaredError": "mean_squared_error",  # step 42
    "GetItem": "get_item",  # step 47
    "SoftmaxCrossEntropy": "softmax_cross_entropy",
}
_DEZERO_CLASSES = {helper: cls for cls, helper in DEZERO_HELPERS.items()}


def dezero_class(op: str) -> str:
    """The Function class a case's op names (`sum_to` -> SumTo, `Add` -> Add)."""
    return _DEZERO_CLASSES.get(op) or op[:1].upper() + op[1:]


def dezero_helper(cls_name: str) -> str:
    """The helper function of a Function class (Add -> add, MatMul -> matmul)."""
    return DEZERO_HELPERS.get(cls_name) or cls_name.lower()


# family name -> composed helper -> (the class it stands for, what it is built from)
COMPOSED: Mapping[str, Mapping[str, tuple[str, str]]] = {"dezero": DEZERO_COMPOSED}
# family name -> helper of a class's own name -> (that class, what it is built from) where the code lacks
# the class
COMPOSED_UNLESS_CLASS: Mapping[str, Mapping[str, tuple[str, str]]] = {"dezero": DEZERO_COMPOSED_UNLESS_CLASS}

# family name -> (what grading accepts, what inference accepts besides)
BY_FAMILY: Mapping[str, tuple[Table, Table]] = {
    "miniflow": (MINIFLOW, MINIFLOW_INFERENCE),
    "dezero": (DEZERO, DEZERO_INFERENCE),
    "layers": (LAYERS, {}),
    "dlfs-layers": (LAYERS, {}),
    "dlfs": (LAYERS, {}),
}

# DeZero's ordering attribute as students name it: the book's, a stored revision's (FACTS.md), and its short
# form (the manifest's step16 and step17 detect the first two: a bare `gen` is as often a random generator).
# The adapter reads these on any code; another name (`depth`) the parent reads by its role
# (grader/ordering_attribute.py) and sends with the job.
GENERATION_NAMES = ("generation", "priority", "gen")


def for_inference(family: str) -> dict[str, tuple[str, ...]]:
    """Every name stage inference accepts for each required one ({} for a family of no built-in adapter)."""
    grading, extra = BY_FAMILY.get(family, ({}, {}))
    return {name: (*names, *extra.get(name, ())) for name, names in grading.items()}


def composed_for(family: str, cls: str) -> tuple[str, ...]:
    """The composed first versions that stand for class `cls` where the code lacks it (linear_simple for
    Linear), none for a family without them."""
    tables = (COMPOSED.get(family, {}), COMPOSED_UNLESS_CLASS.get(family, {}))
    return tuple(h for table in tables for h, (c, _) in table.items() if c == cls)
