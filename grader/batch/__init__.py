"""Class batches: a journal that survives kill -9, a progress display, and the batch driver."""
