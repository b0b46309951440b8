"""The one exception type for mistakes a user can make (bad config, missing run, ...).

The CLI turns it into a single ``error: ...`` line and a non-zero exit; library
callers catch it like any ``ValueError``.
"""


class MesaevoError(ValueError):
    """A user-facing error whose message says what is wrong and how to fix it."""
