"""The constructor parameters whose names say they are the weights' initial scale.

The layers adapter hands such a required parameter the book's weight_init_std 0.01
(grader/inside/adapters/layers.py `_init_scale`) and names it in the case frame's `handed`; the parent reads
a frame as the student's claim and takes only names this same rule accepts (grader/sandbox/frames.py), so a
student process cannot put any other name into the note the judge shows beside wrong values.
"""

from __future__ import annotations

import re

# Whole words of a constructor parameter's name that say it is the weights' initial scale (weight_init_std,
# init_std, sigma, init_scale_w, weightInitStd), words that say "init" means the weights (weight_init,
# init_w), and words that say it is something else whatever else it says: `weight_decay_lambda` and
# `init_type` matched a substring test and were handed 0.01 (review of s25-realdlfs, finding 2).
_SCALE_WORDS = frozenset({"std", "stddev", "sigma", "scale"})
_INIT_OF_WEIGHTS = frozenset({"w", "weight", "weights"})
_NOT_A_SCALE = frozenset({"decay", "lambda", "type", "mode", "method", "path", "file"})


_NAME_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")  # HTTPCode -> HTTP, Code; initStd -> init, Std


def _name_words(name: str) -> list[str]:
    """A parameter name's words, split at underscores and camelCase humps, lower case."""
    return [w.lower() for part in name.split("_") for w in _NAME_WORD.findall(part)]


def names_a_scale(name: str) -> bool:
    """A parameter whose name says it is the weights' initial scale (not `activation`, `weight_decay_lambda`,
    `init_type`)."""
    words = set(_name_words(name))
    if words & _NOT_A_SCALE:
        return False
    return bool(words & _SCALE_WORDS) or ("init" in words and bool(words & _INIT_OF_WEIGHTS))
