class _run:
    """A helper of my notebook."""
