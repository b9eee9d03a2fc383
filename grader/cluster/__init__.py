"""Batches past one machine: a Dask executor (docs/DASK.md).

Nothing here imports `dask` or `distributed` at import time except `plugin` and `executor`, which are imported
only when `--executor dask` or `dask-local` is chosen (they are the optional extra `dask`).
"""
