"""The reference engine: one op library (ops), the step interpreter (evaluate), known mistakes (mutations),
and the three student-facing APIs (miniflow, dezero, layers) built on the ops."""
