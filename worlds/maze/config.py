"""The maze world's ``[world]`` section and its one shift kind (defaults live here only)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from agents.schema import Section
from worlds.shifts import Relocation, ShiftBase


class MazeSection(Section):
    """The maze world (``worlds.maze``): sizes in maze cells, not grid cells."""

    kind: Literal["maze"]
    rows: int = Field(7, ge=3, le=256)
    cols: int = Field(7, ge=3, le=256)
    steps: int = Field(30, ge=1, le=100_000)
    braid: float = Field(0.6, ge=0, le=1)  # fraction of the remaining inner walls removed (loops)
    exit_region: int = Field(1, ge=1)  # side, in maze cells, of the training exit's corner square (up to all)
    origin: Literal["centre", "corner"] = "centre"  # where agents start: centre, or the opposite corner
    test_exit: Literal["outside", "anywhere"] = "outside"  # exit after a relocation: outside the region, or any cell
    # with test_exit = "outside": the side of the corner square the test exit lies outside (0: exit_region's own);
    # arms trained on regions of different sizes share one test set when each sets the largest of them
    test_region: int = Field(0, ge=0)

    @model_validator(mode="after")
    def _region_fits(self) -> "MazeSection":
        most = min(self.rows, self.cols)
        if self.exit_region > most:
            raise ValueError(f"exit_region = {self.exit_region} is larger than the maze "
                             f"(at most {most} for {self.rows} x {self.cols} cells)")
        if self.test_region and not self.exit_region <= self.test_region < most:
            raise ValueError(f"test_region = {self.test_region} must be at least exit_region ({self.exit_region}) "
                             f"and smaller than the maze ({most}), so the test exits lie outside training")
        if self.test_exit == "outside" and self.exit_region == self.rows == self.cols:
            raise ValueError("exit_region covers the whole maze, so no exit lies outside it: "
                             "set test_exit = \"anywhere\"")
        return self


#: A relocation moves the exit outside the training corner region.
SHIFTS: dict[str, tuple[type[ShiftBase], str]] = {"relocation": (Relocation, "relocation")}
