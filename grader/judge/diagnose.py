"""Why a record is wrong: a registry of diagnoses (code -> detector + fallback hint), tried in order.

The order is part of the contract (codes are stable; samples' expected.json refer to them):

1. `nan_or_inf`       the student's array holds NaN or inf
2. `zero_or_missing`  None, never produced, or all zeros where the answer is not
3. `not_reduced`      one extra leading (batch) axis whose sum over axis 0 is right
                      (one row where the batch has several is keepdims=True: wrong_shape says so)
   `over_reduced`     a MiniFlow or DLFS bias gradient that is one number where the answer has several:
                      the sum of every element of the answer (`np.sum(dout)` without axis=0 in Linear /
                      Affine.backward; as a scalar, or broadcast into every element by `+=` into the zeros
                      MiniFlow starts from). Never for a sum near zero, a constant answer (`scaled` says
                      it), or a scalar in another gradient's shape (two gradients swapped)
4. `transposed`       the transpose is right (a transposed shape, or transposed values of a square matrix)
5. `wrong_shape`      any other shape mismatch (a gradient that is exactly another gradient of the case,
                      `grads['b2'] = self.layers['Affine1'].db`, is told which: `Evidence.copied_from`);
                      also a record of the right shape whose values a known wrong_shape mistake gives: the
                      wrong shape came back to the right one later (`_shape_mistake_upstream`)
6. `missing_accumulation`, `missing_input_gradient`, `stale_gradient`, `missing_retain_grad`, `order`,
   `wrong_derivative`, `ignores_upstream`, `wrong_forward`, `reflected_operator`, `wrong_update`,
   `config_not_restored`
                      equal (within tolerance) to what a known mistake, a reference mutation, produces
                      for this case; checked before the generic factors because they are case-specific.
                      When several known mistakes fit, the first in `Evidence.known` order wins (by
                      support over the submission, then registry order: grader/judge/support.py)
7. `wrong_mask`       both zero some elements and agree wherever both keep one, but keep different ones
                      (Dropout drawn from another generator, a mask taken from the wrong array)
8. `sign_flipped`     exactly -1 times the answer
9. `scaled`           one constant factor c, |c| != 1, everywhere ("by the batch size N", "by 2"); a factor
                      that is no simple fraction (nor its inverse: p/q, q <= 12, p <= 1000) is worded as a
                      wrong formula whose error is the same for every element of these inputs
10. `precision`       within 1e-5 of the answer's largest value (1e-4 when every value is a float32 number),
                      outside the tolerance: float32 somewhere, not a wrong formula; or, whatever the gap,
                      what a known mistake of this code gives (finite differences where backpropagation
                      belongs: `net_gradient_numerical`), told as that mistake
11. `unknown`         nothing above fits
`input_mutated` is a case-level finding (the sandbox reports which input arrays changed), see
`input_mutated()`.

Every hint names the class and method, the gradient, and the likely mistake.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np

from grader.inside.book_gradients import book_gradient, gradient_advice
from grader.judge.compare import MISSING, fmt, fmt_shape, subject, values_match
from grader.judge.mutations import mutation_info, mutation_parts
from grader.judge.wording import WHOLE_PASS
from grader.model import RecordValue, Tolerance

# the grader's own walk of a DLFS graph's layers: no gradients dict there, each layer returns and keeps its
# own
_LAYERS_PASS = WHOLE_PASS["layers"][0]


@dataclass(frozen=True)
class Finding:
    """A diagnosis of one record or case: a stable code and a student-facing hint."""

    code: str
    hint: str
    # The method a known mistake's hint names ("Add.backward"), when the hint is that mistake's: blame names
    # it for graph cases the unit cases cannot explain. Not reported: the hint already says it.
    blames: str | None = field(default=None, compare=False)
    # The known mistake's name (a `known_mistakes` key) when the hint is that mistake's: blame reads which
    # kind of mistake explains a graph case (DeZero's backward on .data, `blame.ON_DATA`). Not reported.
    mistake: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "hint": self.hint}


@dataclass(frozen=True)
class Evidence:
    """Everything a detector may look at for one failing record."""

    key: str
    got: Any  # RecordValue or MISSING
    expected: RecordValue
    tol: Tolerance
    label: str
    method: str
    batch_size: int | None = None
    # known_mistakes key -> this record's value under that mistake (keys lacking this record are left out),
    # in order of preference: the first that reproduces the record names the mistake.
    known: Mapping[str, RecordValue] = field(default_factory=dict)
    forward: bool = False  # a forward value (value_of), not a gradient: no gradient advice
    # the case's other gradients, "gradient of b2 (db2)" -> expected value: a gradient stored under the wrong
    # key (the book's grads['b3'] = self.layers['Affine1'].db) is one of them exactly
    siblings: Mapping[str, RecordValue] = field(default_factory=dict)
    # the value of the input this record is the gradient of (name, value): a gradients dict holding the
    # parameter itself (grads['W1'] = self.layers['Affine1'].W, the .d forgotten) is that value exactly
    of_value: tuple[str, RecordValue] | None = None
    family: str = ""  # the assignment's family (miniflow, layers, dezero): family-specific advice
    # the graded class whose backward made this gradient, as the case says: the one it hands the input to
    # (Convolution for SimpleConvNet's b1), or a unit case's own; "" when it does not (a network built whole)
    receiver: str = ""
    # the `known` keys some record of the submission contradicts (grader/judge/support.py, `contradicted`)
    contradicted: frozenset[str] = frozenset()
    # the `known` keys that predict a value for another record of this case which is None (`none_against`)
    none_against: frozenset[str] = frozenset()

    @property
    def subject(self) -> str:
        return subject(self.label, self.method, self.key)

    @cached_property
    def copied_from(self) -> str | None:
        """The subject of another record of the case whose expected value this one holds (an array of two
        elements or more: a lone number can match another by chance)."""
        pair = self.arrays()
        if self.forward or pair is None or pair[0].size < 2:
            return None
        for other, value in self.siblings.items():
            if value is None or isinstance(value, bool) or value is MISSING:
                continue
            if np.shape(value) == pair[0].shape and values_match(self.got, value, self.tol):
                return other
        return None

    def copied_hint(self) -> str | None:
        other = self.copied_from
        if other is None:
            return self._value_not_gradient()
        if self.family == "layers" and (self.method.endswith(".backward") or self.method == _LAYERS_PASS):
            # a DLFS layer returns dx and keeps self.dW, self.db: no gradients dict of its own to misread
            # (sample layers/affine_returns_dw.py, `return self.dW`, was told to check "the gradients dict"),
            # nor has the grader's own walk of the layers (dlfs-advanced/conv_returns_dW.py's graph case);
            # Affine's and Convolution's say which of the three this is, and the book's line for it (s32)
            layer = self.method.removesuffix(".backward") if self.method != _LAYERS_PASS else self.receiver
            book = book_gradient(layer, self.key)
            if book is not None:
                held = (
                    f"keeps it in {book.name}"
                    if book.name.startswith("self.")
                    else f"returns it as {book.name}"
                )
                return (
                    f"{self.subject} is exactly the {other}: {layer}.backward {held} (a copy-paste slip?); "
                    f"the book's {book.line}"
                )
            return (
                f"{self.subject} is exactly the {other}: {self.method} puts another gradient in this "
                "one's place; check what it returns (dx) and what it keeps in self.dW and self.db (a "
                "copy-paste slip?)"
            )
        return (
            f"{self.subject} is exactly the {other}: {self.method} stores another parameter's gradient under "
            "this key; check which layer each entry of the gradients dict is read from (a copy-paste slip?)"
        )

    def _value_not_gradient(self) -> str | None:
        """The record is the input's own value (two elements or more: a lone number can match by chance)."""
        pair = self.arrays()
        if self.forward or pair is None or pair[0].size < 2 or self.of_value is None:
            return None
        name, value = self.of_value
        if value is None or isinstance(value, bool) or np.shape(value) != pair[0].shape:
            return None
        if not values_match(self.got, value, self.tol):
            return None
        return (
            f"{self.subject} is exactly the value of {name} itself, not its gradient: {self.method} stores "
            "the parameter where its gradient belongs (a layer's W for its dW, b for its db?)"
        )

    @cached_property
    def best_known(self) -> tuple[str, str | None] | None:
        """(code, hint) of the first known mistake, in `known` order, that reproduces this record and that no
        record contradicts (`contradicted`); when each that fits is contradicted, the first, or the smallest
        of the others that fit whose changes its own contain. Asked by each known-mistake detector in turn,
        found once."""
        found = self.best_known_key
        return None if found is None else mutation_info(found)

    @cached_property
    def best_known_key(self) -> str | None:
        """The `known` key `best_known` describes (a mutation name or a code), or None."""
        if self.got is MISSING:
            return None
        found: str | None = None
        parts: frozenset[str] | None = None
        for key, value in self.known.items():
            if found is not None:
                # Past a contradicted fit, another fit no record contradicts, or one whose changes the found
                # one's contain (the same value with less code changed: mul_no_sum_to within
                # arith_no_sum_to, whose Sub and Div a right Sub.backward contradicts) replaces it.
                smaller = mutation_parts(key)
                if key in self.contradicted and (not parts or smaller is None or not smaller < parts):
                    continue
            if values_match(self.expected, value, self.tol):
                continue  # a mistake that does not change this record explains nothing about it
            if self.got is None and key in self.none_against:
                # None is what a backward returning nothing leaves everywhere: a mistake that predicts None
                # here and a value where this case got None too explains nothing (an Add.backward without
                # `return` was told it "returns one gradient (gy) for two inputs"); contradicted only in
                # other cases, it may be one of two bugs and is still named
                continue
            if values_match(self.got, value, self.tol):
                found, parts = key, mutation_parts(key)
                if key not in self.contradicted:
                    break
        return found

    def arrays(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(got, expected) as float64 arrays, or None when either is not an array."""
        if any(v is None or v is MISSING or isinstance(v, bool) for v in (self.got, self.expected)):
            return None
        return np.asarray(self.got, dtype=np.float64), np.asarray(self.expected, dtype=np.float64)


def none_against(known: Mapping[str, Mapping[str, Any]], records: Mapping[str, Any]) -> frozenset[str]:
    """The mistakes in `known` (name -> the records it predicts) that predict a value for a record these
    `records` hold as None: what a backward returning nothing leaves, which they do not explain."""
    return frozenset(
        name
        for name, predicted in known.items()
        if any(
            value is not None and key in records and records[key] is None for key, value in predicted.items()
        )
    )


Detector = Callable[[Evidence], str | None]


@dataclass(frozen=True)
class Diagnosis:
    code: str
    detect: Detector
    fallback_hint: str


def _nan_or_inf(ev: Evidence) -> str | None:
    pair = ev.arrays()
    if pair is None or np.isfinite(pair[0]).all():
        return None
    n = int((~np.isfinite(pair[0])).sum())
    said = f"{ev.subject} contains NaN or inf ({n} of {pair[0].size} elements)"
    known = _known_non_finite(ev, pair[0])
    if known is not None:
        return f"{said}: {known}"
    return f"{said}: look for a division by zero, a log of 0 or an overflowing np.exp in {ev.method}"


def _known_non_finite(ev: Evidence, got: np.ndarray) -> str | None:
    """The hint of a known mistake that gives NaN, inf and -inf exactly where `got` has them and `got`'s
    values elsewhere (AdaGrad without its 1e-7: 0 / 0 where a gradient is always 0; values_match never
    equates NaN, so `best_known` cannot name it)."""
    for key, value in ev.known.items():
        if value is None or isinstance(value, bool):
            continue
        known = np.asarray(value, dtype=np.float64)
        if known.shape != got.shape or np.isfinite(known).all():
            continue
        finite = np.isfinite(got)
        same_places = np.array_equal(finite, np.isfinite(known)) and np.array_equal(
            got[~finite], known[~finite], equal_nan=True
        )
        if same_places and (finite.sum() == 0 or values_match(got[finite], known[finite], ev.tol)):
            hint = mutation_info(key)[1]
            if hint and finite.sum() == 0:
                # every element NaN: any NaN at the start does that, not this mistake alone (Adam's
                # self.beta2 * self.iter for self.beta2 ** self.iter was told "self.iter at 0", though it
                # counted; review of s21-adv, finding 8)
                return f"every element is NaN or inf; one mistake that does this (check it is yours): {hint}"
            if hint:
                return hint
    return None


def _batchnorm_grad_unset(key: str) -> str | None:
    """MultiLayerNetExtend.gradient without a BatchNorm parameter's gradient (sample
    dlfs-advanced/mlnx_grads_without_bn.py): the book's reads each BatchNorm layer's dgamma and dbeta into
    grads, and a training loop over params never updates gamma and beta without them."""
    match = re.fullmatch(r"d(gamma|beta)(\d+)", key)
    if match is None:
        return None
    name, idx = match.groups()
    return (
        f"grads has no '{name}{idx}': with use_batchnorm, MultiLayerNetExtend.gradient puts each "
        f"BatchNorm layer's gradients in grads too, grads['{name}' + str(idx)] = self.layers['BatchNorm' + "
        f"str(idx)].d{name} (idx {idx} here), or a training loop never updates {name}"
    )


# method -> what a record (by its key) that method never set most likely lacks, where a generic "must
# compute it" says less than the book's own line
_UNSET: dict[str, Callable[[str], str | None]] = {
    "MultiLayerNetExtend.gradient": _batchnorm_grad_unset,
}


def _zero_or_missing(ev: Evidence) -> str | None:
    if ev.expected is None:
        return None
    if ev.got is MISSING or ev.got is None:
        known = ev.best_known  # a known mistake that leaves it None says why (DeZero's create_graph on .data)
        if known is not None and known[1]:
            return f"{ev.subject} was never set (got None): {known[1]}"
        specific = _UNSET.get(ev.method, lambda _: None)(ev.key)
        if specific is not None:
            return f"{ev.subject} was never set (got None): {specific}"
        return f"{ev.subject} was never set (got None): {ev.method} must compute it and store or return it"
    pair = ev.arrays()
    if pair is None:
        return None
    got, exp = pair
    if got.size and np.isfinite(got).all() and not got.any() and exp.any():
        # A known mistake that gives these zeros says why: DeZero's x.grad = gx leaves the last of two uses'
        # gradient, 0 for x0 ** 2 at x0 = 0 (Rosenbrock), and "never puts the upstream gradient" misled.
        known = ev.best_known
        if known is not None and known[1]:
            return f"{ev.subject} is all zeros: {known[1]}"
        if ev.forward:
            return f"{ev.subject} is all zeros: {ev.method} never computes it (or resets it afterwards)"
        return (
            f"{ev.subject} is all zeros: {ev.method} never puts the upstream gradient into it "
            "(or resets it after computing it)"
        )
    return None


def _not_reduced(ev: Evidence) -> str | None:
    pair = ev.arrays()
    if pair is None or ev.forward:
        return None
    got, exp = pair
    if (
        got.ndim != exp.ndim + 1
        or got.shape[1:] != exp.shape
        or not values_match(got.sum(axis=0), exp, ev.tol)
    ):
        return None
    if got.shape[0] == 1 and ev.batch_size != 1:
        return None  # one row where the batch has several: summed with keepdims=True (wrong_shape says so)
    shapes = f"shape {fmt_shape(got.shape)}, expected {fmt_shape(exp.shape)}"
    rows = f"{ev.subject} has one row per sample ({shapes})"
    # DeZero's b in `matmul(x, W) + b` gets its gradient from Add.backward: a known shape mistake of this
    # code (Add.backward without sum_to) names where the sum belongs; "sum over axis 0" names no method.
    known = _known_shape_mistake(ev, "wrong_shape")
    if known is not None:
        return f"{rows}: {known}"
    in_layer = bool(ev.receiver) and not ev.method.startswith(f"{ev.receiver}.")
    scale_shift = _SCALE_SHIFT_KEY.fullmatch(ev.key)
    if scale_shift is not None:
        param = scale_shift.group(1)
        where = f" in {ev.receiver}.backward" if in_layer else ""
        book_sum = _SCALE_SHIFT_SUM.get(ev.family, {}).get(param)
        fix = f": {book_sum}" if book_sum else ""
        return f"{rows}: the {param} gradient was not summed over the batch{where}; sum it over axis 0{fix}"
    owner = _BIAS_SUM.get(ev.family)
    if owner is not None and in_layer:
        # a network's record: name the layer whose backward sums the bias, not the network's pass (a
        # MultiLayerNet over its own Affine was told of MultiLayerNet.gradient alone)
        return (
            f"{rows}: the bias gradient was not summed over the batch in {ev.receiver}.backward; sum the "
            f"upstream gradient over axis 0: np.sum({owner[1]}, axis=0)"
        )
    return f"{rows}: the bias gradient was not summed over the batch; sum the upstream gradient over axis 0"


# family -> (the method that computes a bias gradient, the sum it should be): where a bias summed over every
# axis comes from in that family's code (MiniFlow's Linear.backward, DLFS's Affine.backward), named when the
# record is a graph case's, whose method is the driver (forward_and_backward, TwoLayerNet.gradient), and the
# case does not say which class received the bias (Evidence.receiver). A unit case names its own class: a
# Convolution summing its bias over every axis was told "the bias's sum in Affine.backward" (review of s19).
# DeZero is not here: its sums are sum_to's, whose shape mistakes are known mistakes with their own hints.
_BIAS_SUM = {
    "miniflow": ("Linear.backward", "grad_cost"),
    "layers": ("Affine.backward", "dout"),
}
_BIAS_KEY = re.compile(r"db\d*")  # the fixtures name biases b, b1, b2, ...
# BatchNormalization's scale and shift (gamma1, beta2 ...): their sums over the batch are not a bias's
# np.sum(dout): the book's BatchNormalization.backward sums gamma's xn * dout (a dgamma = xn * dout that
# forgot its sum was told "the bias gradient ... np.sum(dout, axis=0)"), beta's dout.
_SCALE_SHIFT_KEY = re.compile(r"d(gamma|beta)\d*")
_SCALE_SHIFT_SUM = {"layers": {"gamma": "np.sum(self.xn * dout, axis=0)", "beta": "np.sum(dout, axis=0)"}}
# |sum| under this many tolerances of the largest element is a sum to ~0 (softmax's dx rows), not evidence
_CLEARLY = 100


def _over_reduced(ev: Evidence) -> str | None:
    """A bias gradient summed over every axis: a scalar (or, for a vector, one number in every element, where
    `+=` broadcast it into a partial of zeros) equal to the sum of the whole answer. The answer must tell it
    apart: several elements, not all equal (one constant times another is `scaled`), and a sum clearly away
    from zero (several equal to their sum are all zero; a sum near zero matches any tiny number)."""
    pair = ev.arrays()
    owner = _BIAS_SUM.get(ev.family)
    if pair is None or ev.forward or owner is None or not _BIAS_KEY.fullmatch(ev.key):
        return None
    got, exp = pair
    if exp.size < 2 or got.size == 0 or bool((exp == exp.reshape(-1)[0]).all()):
        return None
    first = got.reshape(-1)[:1]
    # The broadcast form only for a vector (a bias): a matrix of one repeated number is more often a
    # hard-coded constant, whose sum can equal the answer's by chance (dezero/hardcoded_documented.py's 4s).
    broadcast = exp.ndim == 1 and got.shape == exp.shape and bool((got == first).all())
    if not (got.size == 1 or broadcast):
        return None
    total = np.asarray(exp.sum())
    if abs(float(total)) <= _CLEARLY * (ev.tol.atol + ev.tol.rtol * float(np.abs(exp).max())):
        return None
    if not values_match(first.reshape(()), total, ev.tol) or _swapped(ev, got):
        return None
    default, upstream = owner
    method = _bias_method(ev, default)
    if method == ev.method:  # chapter 4's network: the book's names in its gradient
        upstream = _FORMULA_UPSTREAM.get(ev.key, upstream)
    one = "is one number" if got.size == 1 else "holds one number in every element"
    return (
        f"{ev.subject} {one}, {float(total):.6g}: the sum of every element of the right gradient, so the "
        f"bias's sum in {method} ran over every axis (np.sum({upstream}) without axis=0); a bias gradient "
        f"sums over the batch only: np.sum({upstream}, axis=0)"
    )


def _bias_method(ev: Evidence, default: str) -> str:
    """The backward that sums this bias: that of the class the case handed it to (SimpleConvNet's b1 goes to
    Convolution; a unit case's own class); for a DLFS network the case names no layer of (chapter 4's
    TwoLayerNet, its gradient written from the formulas: no Affine class in the file) the network's own
    method that computed it (s33: it was told "the bias's sum in Affine.backward"); else (MiniFlow's graph,
    whose method is the driver forward_and_backward) the family's bias-summing layer."""
    if ev.receiver:
        return f"{ev.receiver}.backward"
    if ev.family == "layers" and "." in ev.method and ev.method != _LAYERS_PASS:
        return ev.method
    return default


# what the book's chapter-4 TwoLayerNet.gradient sums into each bias (ch04/two_layer_net.py)
_FORMULA_UPSTREAM = {"db1": "dz1", "db2": "dy"}


def _swapped(ev: Evidence, got: np.ndarray) -> bool:
    """Another gradient of the case has the got shape (not this record's): two gradients swapped, or one
    handed where the other belongs (DeZero's Add with sum_to's shapes crossed), not a sum over every axis."""
    pair = ev.arrays()
    if pair is None or got.shape == pair[1].shape:
        return False
    return any(
        not (v is None or v is MISSING or isinstance(v, bool)) and np.shape(v) == got.shape
        for v in ev.siblings.values()
    )


def _book_advice(ev: Evidence, *, parameters_anywhere: bool = False) -> str | None:
    """Which of a DLFS layer's gradients (BOOK_GRADIENTS: Affine's dx, self.dW, self.db ...) a record of its
    own backward is, the book's line for it and its likely slips (grader/inside/book_gradients.py). A graph's
    record only with `parameters_anywhere`, and only a parameter's (dW1, db2), by the layer the case handed
    it to (Evidence.receiver; none where the case names no layer: chapter 4's TwoLayerNet has no Affine, and
    was told "it is Affine.backward's self.db"): a wrong shape of a weight or bias
    gradient is its own layer's (a dout of the wrong shape raises first), while a wrong value or a dx may
    come from a layer above it."""
    if ev.forward or ev.family != "layers":
        return None
    layer = ev.method.removesuffix(".backward")
    if layer != ev.method:
        return gradient_advice(layer, ev.key)
    if not parameters_anywhere or not ev.receiver or not re.fullmatch(r"d[Wb]\d*", ev.key):
        return None
    return gradient_advice(ev.receiver, ev.key)


def _known_shape_mistake(ev: Evidence, code: str) -> str | None:
    """The hint of a known mistake of this very code that reproduces the record (DeZero's Transpose or
    Reshape backward handing gy back as it came): it names the method and the fix; the generic shape
    advice only describes the symptom."""
    known = ev.best_known
    return known[1] if known is not None and known[0] == code and known[1] else None


def _transposed(ev: Evidence) -> str | None:
    pair = ev.arrays()
    if pair is None or pair[0].ndim != 2 or pair[1].ndim != 2:
        return None
    got, exp = pair
    if got.shape == exp.shape and (values_match(exp, exp.T, ev.tol) or values_match(got, exp, ev.tol)):
        return None  # a symmetric answer (or a right one) says nothing about transposition
    if got.shape != exp.T.shape or not values_match(got.T, exp, ev.tol):
        return None
    if ev.forward:
        return f"{ev.subject} is transposed: check the order of the matrix product (X @ W, not W @ X)"
    known = _known_shape_mistake(ev, "transposed")
    if known is not None:
        return f"{ev.subject} is transposed: {known}"
    book = _book_advice(ev)
    if book is not None:
        return f"{ev.subject} is transposed: {book}"
    return (
        f"{ev.subject} is transposed: check the order of the matrix product and where the .T goes "
        "(for X @ W: dW = X.T @ dout, dX = dout @ W.T)"
    )


def _only_unit_axes(got: np.ndarray, exp: np.ndarray, ev: Evidence) -> str | None:
    """The values are right and the shapes differ only by axes of length 1 ((1, 5) for (5,), or (5,) for
    (5, 1)): what keepdims=True or a reshape leaves. Says which way, without calling it a wrong value."""
    if got.size != exp.size or np.squeeze(got).shape != np.squeeze(exp).shape:
        return None
    if not values_match(got.reshape(exp.shape), exp, ev.tol):
        return None
    shapes = f"has shape {fmt_shape(got.shape)}, expected {fmt_shape(exp.shape)}"
    if got.ndim > exp.ndim:
        # The keepdims example fits a gradient summed over the batch (a bias's); a value, or another
        # gradient, gets the extra axis from a reshape or a sum of its own.
        example = (
            ""
            if ev.forward or not _is_batch_sum(got, exp)
            else ", e.g. np.sum(dout, axis=0) without keepdims"
        )
        return (
            f"{ev.subject} {shapes}: the values are right, but it has an extra axis of length 1 "
            f"(a sum or mean with keepdims=True, or a reshape, in {ev.method}); drop it{example}"
        )
    return (
        f"{ev.subject} {shapes}: the values are right, but an axis of length 1 is missing "
        f"(a reshape, a sum without keepdims, or an index that drops it, in {ev.method}); "
        f"keep the shape {fmt_shape(exp.shape)}"
    )


def _is_batch_sum(got: np.ndarray, exp: np.ndarray) -> bool:
    """A leading axis of length 1 on what should be a vector: what np.sum(dout, axis=0, keepdims=True)
    gives for a bias gradient."""
    return exp.ndim == 1 and got.shape == (1, *exp.shape)


def _wrong_shape(ev: Evidence) -> str | None:
    pair = ev.arrays()
    if pair is not None and pair[0].shape == pair[1].shape:
        return _shape_mistake_upstream(ev)
    if pair is None:
        return None
    shapes = f"{ev.subject} has shape {fmt_shape(pair[0].shape)}, expected {fmt_shape(pair[1].shape)}"
    # Before the length-1-axes advice: DeZero's Add.backward without sum_to hands x1 of (4,) the (1, 4) of
    # the sum it was added to, and "drop the keepdims" names neither Add.backward nor sum_to.
    # A forward value too: Convolution's output sized without the padding is a known mistake of its forward.
    known = _known_shape_mistake(ev, "wrong_shape")
    if known is not None:
        return f"{shapes}: {known}"
    unit_axes = _only_unit_axes(pair[0], pair[1], ev)
    if unit_axes is not None:
        return unit_axes
    if ev.forward:
        return (
            f"{ev.subject} has shape {fmt_shape(pair[0].shape)}, expected {fmt_shape(pair[1].shape)}: "
            "a forward value, not a gradient; check the reshapes, the matrix product and any sum or mean "
            f"(axis, keepdims){f' in {ev.method}' if '.' in ev.method else ''}"
        )
    copied = ev.copied_hint()
    if copied is not None:
        return f"{shapes}; it {copied.removeprefix(ev.subject + ' ')}"  # "it is exactly the gradient of ..."
    flattened = _right_values_reshaped(pair[0], pair[1], ev)
    if flattened is not None:
        return f"{shapes}: {flattened}"
    book = _book_advice(ev, parameters_anywhere=True)
    if book is not None:
        return f"{shapes}: {book}"
    return (
        f"{shapes}: "
        f"a gradient has the shape of the value it belongs to; check the axes {ev.method} multiplies and sums"
    )


def _right_values_reshaped(got: np.ndarray, exp: np.ndarray, ev: Evidence) -> str | None:
    """A gradient whose values, read in order, are the answer's in another shape: the input's own shape was
    not restored (an Affine.backward handing back the 2-D dx of a 4-D input, its original_x_shape taken
    after the reshape or never used: sample layers/ko_affine_shape_after_reshape.py). Its axes were never the
    problem, which the generic advice ("check the axes ... multiplies and sums") sent the student after."""
    if got.size != exp.size or got.size < 2 or got.ndim == exp.ndim == 1:
        return None
    if not values_match(got.reshape(exp.shape), exp, ev.tol):
        return None
    affine = (
        " (the book's Affine keeps self.original_x_shape = x.shape before x.reshape(x.shape[0], -1) and "
        "returns dx.reshape(*self.original_x_shape))"
        if "affine" in ev.method.lower()
        else ""
    )
    return (
        f"the values are right, in order, but the input's shape {fmt_shape(exp.shape)} was not restored: "
        f"reshape the gradient back to the shape of the input it belongs to{affine}"
    )


def _shape_mistake_upstream(ev: Evidence) -> str | None:
    """A record of the right shape whose values a known shape mistake gives: a wrong-shaped gradient met a
    later backward that broadcast it back to a right shape. DeZero's Mul.backward without sum_to hands v
    (1, 1) of `w * v` a (1, 4) gradient, and Sum.backward (keepdims) spreads it over x0's (3, 4): x0's values
    are wrong, its shape is not, and the hint was "wrong in a way the grader does not recognise"."""
    known = _known_shape_mistake(ev, "wrong_shape")
    if known is None:
        return None
    # Not "broadcast": a Transpose or Reshape backward brings a shape back too; and a forward value is no
    # gradient (SumTo without its lead axes, added to a (2, 3) array, gives y the right shape).
    if ev.forward:
        how = "a value of the wrong shape earlier in the forward pass came back to the right shape later"
    else:
        how = "a gradient of the wrong shape upstream came back to the right shape through a later backward"
    return f"{ev.subject} is wrong ({how}): {known}"


def _known(code: str) -> Detector:
    def detect(ev: Evidence) -> str | None:
        best = ev.best_known
        if best is None or best[0] != code:
            return None
        return f"{ev.subject} matches a known mistake: {best[1] or DIAGNOSES[code].fallback_hint}"

    return detect


# DeZero's step-54 dropout (a function, inverted: the kept units scaled while training) drawing a mask that is
# not the book's: what it is graded by instead (grader/judge/drawn_mask.py).
DEZERO_DROPOUT_MASK = (
    "; a dropout whose draw is not the book's (np.random.rand(*x.shape) > dropout_ratio after the case's "
    "np.random.seed) is graded by what makes it a dropout: each element of y x / (1 - dropout_ratio) or 0, "
    "gx = gy / (1 - dropout_ratio) where kept and 0 where dropped, some but not all dropped, a mask drawn at "
    "random at every call and not read from x; this one is not: is the mask drawn from random numbers, not "
    "from x (x > dropout_ratio keeps by x's values) nor a fixed pattern (or one shifted along from call to "
    "call)?"
)


def _wrong_mask(ev: Evidence) -> str | None:
    """Both arrays zero some elements and agree on every element both keep, but they keep different ones: a
    mask (Dropout's draw, Relu's or Pooling's choice of elements) picks the wrong elements, the formula
    itself is right."""
    pair = ev.arrays()
    if pair is None or pair[0].shape != pair[1].shape or pair[1].size < 2:
        return None
    got, exp = pair
    if not (np.isfinite(got).all() and (exp == 0).any() and exp.any() and got.any()):
        return None
    both = (got != 0) & (exp != 0)
    if not both.any() or not values_match(got[both], exp[both], ev.tol):
        return None
    differ = (got == 0) != (exp == 0)
    if not differ.any():
        return None
    what = (
        f"{ev.subject} has the right value wherever both it and the answer keep an element, but "
        f"{int(differ.sum())} of {exp.size} elements are kept where they must be zero or zeroed where they "
        f"must be kept: the mask is wrong (which elements pass), not the formula"
    )
    if "dropout" in ev.method.lower() and ev.family == "dezero":
        what += DEZERO_DROPOUT_MASK
    elif "dropout" in ev.method.lower():
        what += (
            "; a Dropout whose draw is not the book's (np.random.rand(*x.shape) > self.dropout_ratio after "
            "the case's np.random.seed) is graded by what makes it a dropout: each element of out x or 0, "
            "dx = dout where forward kept and 0 where it dropped, some but not all dropped, a mask drawn at "
            "random at every call and not read from x; this one is not: is the mask drawn from random "
            "numbers, not from x (x > self.dropout_ratio keeps by x's values) nor a fixed pattern (or one "
            "shifted along from call to call), and does "
            "backward reuse it (dout * self.mask)?"
        )
    return what


def _sign_flipped(ev: Evidence) -> str | None:
    pair = ev.arrays()
    if pair is None or pair[0].shape != pair[1].shape or not pair[1].any():
        return None
    if not values_match(pair[0], -pair[1], ev.tol):
        return None
    return (
        f"{ev.subject} has the right size but the wrong sign everywhere: "
        "check the order of a subtraction (y - a versus a - y, y - t versus t - y)"
    )


def _factor(c: float, batch_size: int | None) -> str | None:
    """Name a recognisable factor (the batch size, then 2, or their inverses) and the likely mistake. A batch
    of 2 rows makes the two one factor: both readings are given, the factor 2 of a derivative first."""
    two_large = "look for a stray factor 2 or a gradient added twice"
    two_small = "a factor 2 is missing (d(x**2)/dx = 2x) or one of two equal contributions was lost"
    batch_large = "the division by the batch size is missing"
    batch_small = "it was divided by the batch size twice (once is enough: where the loss is averaged)"
    named = []
    if batch_size == 2:
        named.append(
            (
                2,
                "2 (the batch size here is 2 too)",
                f"{two_large}; or {batch_large}",
                f"{two_small}; or {batch_small}",
            )
        )
    else:
        if batch_size and batch_size > 1:
            named.append((batch_size, f"the batch size {batch_size}", batch_large, batch_small))
        named.append((2, "2", two_large, two_small))
    for n, name, too_large, too_small in named:
        if np.isclose(abs(c), n, rtol=1e-9, atol=0):
            return f"{fmt(abs(c))} times the right answer, too large by {name}: {too_large}"
        if np.isclose(abs(c), 1 / n, rtol=1e-9, atol=0):
            return f"the right answer divided by {n}, too small by {name}: {too_small}"
    return None


def _scaled(ev: Evidence) -> str | None:
    pair = ev.arrays()
    if pair is None or pair[0].shape != pair[1].shape or not np.isfinite(pair[0]).all():
        return None
    got, exp = pair
    with np.errstate(over="ignore", invalid="ignore"):  # a student's 1e308s must not spray warnings
        denom = float((exp * exp).sum())
        if denom == 0 or not np.isfinite(denom):
            return None
        c = float((got * exp).sum() / denom)  # least-squares factor; then verified element by element
        if not np.isfinite(c) or c == 0 or abs(abs(c) - 1) < 1e-3 or not values_match(got, c * exp, ev.tol):
            return None
    named = _factor(c, ev.batch_size)
    # With fewer than two non-zero entries any wrong value is "a factor": only a recognisable one informs.
    if named is None and int((np.abs(exp) > ev.tol.atol).sum()) < 2:
        return None
    sign = " (and its sign is flipped)" if c < 0 else ""
    if named is None and not _plain_number(abs(c)):
        # A wrong elementwise formula is one factor too when every element sees the same input (the MiniFlow
        # quiz's two equal rows): 59875.1 is no constant anyone writes, so the hint names the formula.
        return (
            f"{ev.subject} is {fmt(abs(c))} times the right answer in every element{sign}: no constant "
            "a program writes (2, the batch size, a simple fraction) gives that factor, so a wrong formula "
            "is more likely, one whose error comes out the same for every element with these inputs: "
            "re-derive the backward and compare it with a finite-difference check"
        )
    what = named or f"{fmt(abs(c))} times the right answer everywhere: a constant factor is wrong"
    return f"{ev.subject} is {what}{sign}"


_PLAIN_DENOMINATOR = 12
_PLAIN_NUMERATOR = 1000


def _plain_number(c: float) -> bool:
    """A factor a constant in code gives: it, or its inverse, is a fraction p/q with q <= 12 and p <= 1000
    (3, 3.7, 0.5, 1/3, 0.01, 4/3), within 1e-6. A factor whose inverse is no finite float (a subnormal one,
    got 1e-310 times the answer: 1 / c overflows to inf) is none: Fraction(inf) raised OverflowError, and the
    judge's crash made the whole report a grader error."""
    for v in (c, 1 / c):
        if not math.isfinite(v) or v <= 0:
            continue
        f = Fraction(v).limit_denominator(_PLAIN_DENOMINATOR)
        if 0 < f.numerator <= _PLAIN_NUMERATOR and abs(float(f) - v) <= 1e-6 * v:
            return True
    return False


# How close a value must be to the answer to be called imprecise rather than wrong, as a share of the answer's
# largest value: a wrong formula is off by far more; float32 keeps 7 digits and a few layers of sums and
# products lose one or two of them. Values that are all float32 numbers (float64 results are one only by
# chance, 1 in 2**29 a value) are certainly float32, and may be off by more.
NEAR = 1e-5
NEAR_FLOAT32 = 1e-4


def _is_float32(a: np.ndarray) -> bool:
    with np.errstate(over="ignore"):
        return bool(np.array_equal(a, a.astype(np.float32).astype(np.float64)))


def _precision(ev: Evidence) -> str | None:
    """Close to the answer, outside the tolerance: precision lost (float32 somewhere), not a wrong formula."""
    pair = ev.arrays()
    if pair is None or pair[0].shape != pair[1].shape or not pair[1].size:
        return None
    got, exp = pair
    if not (np.isfinite(got).all() and np.isfinite(exp).all()):
        return None
    scale = float(np.abs(exp).max())
    gap = float(np.abs(got - exp).max())
    # A known mistake of this code reproduces the record (TwoLayerNet.gradient returning numerical_gradient's
    # finite differences): it says what was computed; "a float32 cast?" sent the student looking for one.
    known = _known_shape_mistake(ev, "precision")
    if known is not None and scale:
        return (
            f"{ev.subject} is close to the answer but outside the tolerance (largest difference {fmt(gap)}, "
            f"{fmt(gap / scale)} of its largest value): {known}"
        )
    as_float32 = _is_float32(got) and not _is_float32(exp)  # 1.0 and 0.5 are float32 numbers as well
    if scale == 0 or gap > (NEAR_FLOAT32 if as_float32 else NEAR) * scale:
        return None
    where = (
        "its values are float32 numbers, so the code computes in np.float32 (.astype(np.float32), "
        "dtype=np.float32): keep float64"
        if as_float32
        else "is an array cast to np.float32 on the way (.astype(np.float32), dtype=np.float32), or is a "
        "constant such as an epsilon not the course's? Keep float64"
    )
    return (
        f"{ev.subject} is close to the answer but outside the tolerance (largest difference {fmt(gap)}, "
        f"{fmt(gap / scale)} of its largest value): precision was lost, not the formula; {where}"
    )


def _all_zero(got: Any) -> bool:
    """A record the student's code left as zeros (a number or an array of them; never a bool)."""
    if got is None or got is MISSING or isinstance(got, bool | str):
        return False
    try:
        values = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return values.size > 0 and not np.any(values)


# DeZero's test functions for optimization, which a step file defines and the cases call (steps 24 and 28):
# a wrong value is a formula mistyped, and "re-derive goldstein" named no term to look at.
BOOK_FORMULAS: Mapping[str, str] = {
    "sphere": "step 24's x ** 2 + y ** 2",
    "matyas": "step 24's 0.26 * (x ** 2 + y ** 2) - 0.48 * x * y",
    "goldstein": "step 24's (1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x ** 2 - 14 * y + 6 * x * y"
    " + 3 * y ** 2)) * (30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x ** 2 + 48 * y - 36 * x * y"
    " + 27 * y ** 2))",
    "rosenbrock": "step 28's 100 * (x1 - x0 ** 2) ** 2 + (x0 - 1) ** 2",
}


def _unknown(ev: Evidence) -> str | None:
    if ev.expected is None:
        if _all_zero(ev.got):
            # DeZero's `cleargrad` written as `self.grad = 0`: every later gradient is right (0 + gx), only
            # the None the book sets is not there; "keeps it" would send the student looking for a stale value
            return f"{ev.subject} must be None here but is 0: {ev.method} sets it to 0 where it must set None"
        return f"{ev.subject} must be None here but holds a value: {ev.method} keeps it where it must not"
    if isinstance(ev.expected, bool) or isinstance(ev.got, bool) or ev.got is None:
        return f"{ev.subject} is {ev.got}, expected {ev.expected}: check {ev.method}"
    if ev.forward and ev.method in BOOK_FORMULAS:
        return (
            f"{ev.subject} is wrong: {ev.method} is your own formula, and the book's is "
            f"{BOOK_FORMULAS[ev.method]}: compare them term by term (the operators it uses have cases of "
            "their own)"
        )
    if ev.forward:
        return f"{ev.subject} is wrong in a way the grader does not recognise: re-derive {ev.method}"
    copied = ev.copied_hint()
    if copied is not None:
        return copied
    book = _book_advice(ev)
    if book is not None:
        return (
            f"{ev.subject} is wrong in a way the grader does not recognise: {book}; compare with a "
            "finite-difference check"
        )
    return (
        f"{ev.subject} is wrong in a way the grader does not recognise: "
        f"re-derive {ev.method} step by step and compare with a finite-difference check"
    )


def _never(ev: Evidence) -> str | None:
    return None  # input_mutated is found from the sandbox's report, not from a record


_FALLBACK = {
    "missing_accumulation": (
        "gradients from several consumers must be added (+=), not assigned (=): "
        "the last consumer overwrote the others"
    ),
    "missing_input_gradient": "backward must return one gradient per input of the function",
    "stale_gradient": ("gradients from an earlier backward pass were kept: clear them before a new pass"),
    "missing_retain_grad": (
        "intermediate gradients were kept: without retain_grad=True they must be None after backward"
    ),
    "order": "functions ran in the wrong order: take them by generation, highest first, never twice",
    "wrong_derivative": (
        "the local derivative is wrong: check whether it must use the input or the output of the forward pass"
    ),
    "ignores_upstream": (
        "the upstream gradient was dropped: backward must multiply its local derivative by the gradient that "
        "arrives from the output (chain rule)"
    ),
    "wrong_forward": "the forward value is wrong: a known mistake in the method that computes it",
    "reflected_operator": (
        "a reflected operator (__rsub__, __rtruediv__) has its operands swapped: self is the right operand"
    ),
    "wrong_update": "the update step is wrong: gradient descent moves each parameter against its gradient",
    "config_not_restored": "a with block changed a setting and left it so: restore it when the block ends",
}

# Insertion order is the order of trial (see the module docstring).
DIAGNOSES: dict[str, Diagnosis] = {
    d.code: d
    for d in (
        Diagnosis("nan_or_inf", _nan_or_inf, "the result holds NaN or inf"),
        Diagnosis("zero_or_missing", _zero_or_missing, "the gradient was never set, or stayed zero"),
        Diagnosis("not_reduced", _not_reduced, "the bias gradient was not summed over the batch"),
        Diagnosis("over_reduced", _over_reduced, "summed over every axis, not over the batch only"),
        Diagnosis("transposed", _transposed, "the gradient is transposed"),
        Diagnosis("wrong_shape", _wrong_shape, "the gradient has the wrong shape"),
        *(Diagnosis(code, _known(code), hint) for code, hint in _FALLBACK.items()),
        Diagnosis("wrong_mask", _wrong_mask, "the mask keeps the wrong elements"),
        Diagnosis("sign_flipped", _sign_flipped, "the sign is flipped"),
        Diagnosis("scaled", _scaled, "off by a constant factor"),
        Diagnosis("precision", _precision, "close to the answer: precision was lost (float32?)"),
        Diagnosis("input_mutated", _never, "an input array was changed in place"),
        # DeZero step 19's repr / dtype name: found from the text itself (grader/judge/text.py).
        Diagnosis("wrong_text", _never, "the text differs"),
        Diagnosis("unknown", _unknown, "the value is wrong"),
    )
}


def diagnose(ev: Evidence) -> Finding | None:
    """The first diagnosis in registry order that fits a failing record; None when the record is right."""
    if ev.got is not MISSING and values_match(ev.got, ev.expected, ev.tol):
        return None
    for diagnosis in DIAGNOSES.values():
        hint = diagnosis.detect(ev)
        if hint is not None:
            blamed = _blamed_method(ev, hint)
            return Finding(diagnosis.code, hint, blamed, _blamed_mistake(ev, hint))
    raise AssertionError("unreachable: `unknown` always fires")  # pragma: no cover


# The mutations' hints open with the method they change ("Add.backward returns gy for both inputs, ..."), or
# the methods, when one mistake is made in several ("Sub.backward, Mul.backward and Div.backward keep ...").
OPENING_METHOD = re.compile(r"([A-Z]\w*\.\w+(?:(?:, |,? and )[A-Z]\w*\.\w+)*)\b")


def _blamed_method(ev: Evidence, hint: str) -> str | None:
    """The method a known mistake that reproduces this record names, when the hint given is that mistake's."""
    known = ev.best_known
    if known is None or not known[1] or known[1] not in hint:
        return None
    opening = OPENING_METHOD.match(known[1])
    if opening is None:
        return None
    # "MulLayer.backward (DeZero: Mul.backward) returns ...": one mistake of two families' classes; blame
    # said "fix MulLayer.backward" to a DeZero file with no MulLayer (s37)
    word = _FAMILY_WORDS.get(ev.family)
    own = re.match(rf" \({word}: ([A-Z]\w*\.\w+)\)", known[1][opening.end() :]) if word else None
    return own.group(1) if own else opening.group(1)


# How a mistake's hint names a family in its parenthesis of that family's own method
_FAMILY_WORDS = {"dezero": "DeZero", "miniflow": "MiniFlow"}


def _blamed_mistake(ev: Evidence, hint: str) -> str | None:
    """The name of the known mistake that reproduces this record, when the hint given is that mistake's."""
    known = ev.best_known
    return ev.best_known_key if known is not None and known[1] and known[1] in hint else None


def _copy_name(method: str) -> str:
    # a forward, or a method checked on its own (TwoLayerNet.predict), computes an output, not a gradient
    return "dx" if method.endswith(".backward") or "." not in method else "out"


def input_mutated(names: tuple[str, ...], methods: Mapping[str, str]) -> Finding:
    """The case-level finding for input arrays the student's code changed in place.

    `methods` maps an input name to the method that received it ("Relu.backward" for dout).
    """
    parts = []
    # an optimizer's gradients (DLFS chapter 6): the caller's, which the update only reads; one line per
    # method however many grads arrays it changed (twelve in a drawn case)
    grads: dict[str, list[str]] = {}
    for name in names:
        method = methods.get(name, "your code")
        if method.endswith(".update") and name.startswith("grads["):
            grads.setdefault(method, []).append(name)
    for method, changed in grads.items():
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        parts.append(
            f"{method} changed {', '.join(changed[:3])}{more} in place; leave grads as they are: params[key] "
            "-= self.lr * grads[key], not grads[key] *= self.lr"
        )
    for name in names:
        method = methods.get(name, "your code")
        if name in grads.get(method, ()):
            continue
        parts.append(
            f"{method} changed {name} in place; copy it (e.g. {_copy_name(method)} = {name}.copy()) before "
            "modifying it"
        )
    return Finding("input_mutated", "; ".join(parts))


def batch_size(inputs: Mapping[str, np.ndarray], steps: Sequence[Mapping[str, Any]] = ()) -> int | None:
    """The case's batch size: the first axis of the data a layer is applied to (the first arg of an apply
    step, e.g. X of Linear(X, W, b)), else of the first input with two or more axes. Weights come after the
    data in every family's argument order, so this never mistakes W's rows for the batch."""
    data_args = [s["args"][0] for s in steps if s.get("do") == "apply" and s.get("args")]
    for value in [inputs[a] for a in data_args if a in inputs] + list(inputs.values()):
        shape = np.shape(value)
        if len(shape) >= 2:
            return int(shape[0])
    return None
