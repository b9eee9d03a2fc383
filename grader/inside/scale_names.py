"""Constructor parameters whose names say they are the weights' initial scale, or a weight decay's strength.

The layers adapter hands such a required parameter the book's weight_init_std 0.01, or 0 (no decay)
(grader/inside/adapters/constructors.py `init_scale`) and names it in the case frame's `handed`; the parent
reads a frame as the student's claim and takes only names this same rule accepts (grader/sandbox/frames.py),
so a student process cannot put any other name into the note the judge shows beside wrong values.
"""

from __future__ import annotations

import re

# Whole words of a constructor parameter's name that say it is the weights' initial scale (weight_init_std,
# init_std, sigma, init_scale_w, weightInitStd), words that say "init" means the weights (weight_init,
# init_w), and words that say it is something else whatever else it says: `weight_decay_lambda` and
# `init_type` matched a substring test and were handed 0.01 (review of s25-realdlfs, finding 2). A weight
# decay's strength is no initial scale whatever it is called (`reg_scale`, `l2_scale`, `penalty_scale` were
# handed 0.01, and the loss carried a decay term the book's has not: s28-realdlfs). `lambda` is a keyword,
# so code spells the strength `lambd` (deeplearning.ai's courses), `lmbda`, `lam`: a required `lambd` was
# Python's TypeError, 0 of 6 for right code (review of s28-realdlfs, finding 4).
_SCALE_WORDS = frozenset({"std", "stddev", "sigma", "scale"})
_INIT_OF_WEIGHTS = frozenset({"w", "weight", "weights"})
_WEIGHT_DECAY = frozenset(
    {"decay", "lambda", "lambd", "lmbda", "lam", "reg", "regularization", "regularisation", "regularizer",
     "l1", "l2", "penalty", "wd"}
)  # fmt: skip
_NOT_A_SCALE = _WEIGHT_DECAY | frozenset({"type", "mode", "method", "path", "file"})


_NAME_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")  # HTTPCode -> HTTP, Code; initStd -> init, Std


def _name_words(name: str) -> list[str]:
    """A parameter name's words, split at underscores and camelCase humps, lower case."""
    return [w.lower() for part in name.split("_") for w in _NAME_WORD.findall(part)]


def names_a_weight_decay(name: str) -> bool:
    """A parameter whose name says it is a weight decay's strength (`weight_decay_lambda`, `reg_scale`)."""
    return bool(set(_name_words(name)) & _WEIGHT_DECAY)


# What the grader hands a required constructor parameter the case does not set, by what its name says: the
# book's weight_init_std for an initial scale (the case's params overwrite the weights it draws), and no
# weight decay for a decay's strength (the book's TwoLayerNet has none; MultiLayerNet defaults
# weight_decay_lambda=0).
WEIGHT_SCALE = 0.01
NO_DECAY = 0.0


def handed_value(name: str) -> float | None:
    """The value the grader hands a required parameter named `name`, or None when it hands it nothing."""
    if names_a_weight_decay(name):
        return NO_DECAY
    return WEIGHT_SCALE if names_a_scale(name) else None


def names_a_scale(name: str) -> bool:
    """A parameter whose name says it is the weights' initial scale (not `activation`, `weight_decay_lambda`,
    `init_type`)."""
    words = set(_name_words(name))
    if words & _NOT_A_SCALE:
        return False
    return bool(words & _SCALE_WORDS) or ("init" in words and bool(words & _INIT_OF_WEIGHTS))
