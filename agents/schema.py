"""The base of every config section: frozen, unknown keys forbidden, finite numbers only."""

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """A validated, immutable config section; ``inf`` and ``nan`` are rejected like any bad value."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
