"""The judge: compare a student's records with the expected ones, diagnose, blame and score.

Runs in the trusted parent only and never imports student code (nor torch).
"""

from grader.judge.blame import blame
from grader.judge.compare import MISSING, Comparison, compare, values_match
from grader.judge.diagnose import DIAGNOSES, Evidence, Finding, diagnose, input_mutated
from grader.judge.results import Blame, CaseResult, Check
from grader.judge.score import grade, judge_case

__all__ = [
    "DIAGNOSES",
    "MISSING",
    "Blame",
    "CaseResult",
    "Check",
    "Comparison",
    "Evidence",
    "Finding",
    "blame",
    "compare",
    "diagnose",
    "grade",
    "input_mutated",
    "judge_case",
    "values_match",
]
