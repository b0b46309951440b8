"""The hungry-thirsty world's ``[world]`` section and its one shift kind (defaults live here only)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from agents.schema import Section
from worlds.shifts import Relocation, ShiftBase


class HungryThirstySection(Section):
    """The hungry-thirsty world (``worlds.hungry_thirsty``): a fixed 6 x 6 grid of four rooms."""

    kind: Literal["hungry-thirsty"]
    steps: int = Field(100, ge=1, le=100_000)
    thirst_prob: float = Field(0.1, ge=0, le=1)  # chance that one move makes the agent thirsty
    start_thirsty: bool = True  # every agent starts its life thirsty (it must drink before its first meal)


#: A relocation swaps the food and water corners.
SHIFTS: dict[str, tuple[type[ShiftBase], str]] = {"relocation": (Relocation, "relocation")}
