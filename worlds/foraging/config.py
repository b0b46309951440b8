"""The foraging world's ``[world]`` section and the shift kinds it understands (defaults live here only)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from agents.schema import Section
from worlds.shifts import Relocation, ShiftBase

#: Ceiling of every energy or taste amount (a sanity bound; nothing near it is meaningful).
BIG = 1e6


class ForagingSection(Section):
    """A toroidal grid with food, sugar, material and hazards (``worlds.foraging``)."""

    kind: Literal["foraging"] = "foraging"
    width: int = Field(64, ge=3, le=4096)
    height: int = Field(64, ge=3, le=4096)
    steps: int = Field(300, ge=1, le=1_000_000)
    food_patches: int = Field(40, ge=0, le=1_000_000)
    patch_radius: float = Field(4.0, gt=0, le=4096)
    sugar_patches: int = Field(12, ge=0, le=1_000_000)
    material_density: float = Field(0.03, ge=0, le=1)
    hazard_density: float = Field(0.03, ge=0, le=1)
    initial_energy: float = Field(10.0, gt=0, le=BIG)
    # kernel parameters (worlds.foraging.params.PARAM_NAMES)
    bite: float = Field(0.5, gt=0, le=BIG)
    tool_bonus: float = Field(0.5, ge=0, le=BIG)
    food_energy: float = Field(2.0, ge=0, le=BIG)
    food_taste: float = Field(1.0, ge=0, le=BIG)
    sugar_taste: float = Field(2.0, ge=0, le=BIG)
    sugar_energy: float = Field(0.0, ge=0, le=BIG)
    move_cost: float = Field(0.05, ge=0, le=BIG)
    metabolism: float = Field(0.1, ge=0, le=BIG)
    planning_cost: float = Field(0.0005, ge=0, le=BIG)
    hazard_damage: float = Field(2.0, ge=0, le=BIG)
    # Calibrated so that agents start able to conceive (initial_energy 10 >= 8) and need to eat to
    # conceive again (10 - 3 < 8), and a mating act is not a conception by construction (prob 0.5):
    # see examples/ancestral_calibration.py and docs/tables.md (mating).
    conceive_threshold: float = Field(8.0, ge=0, le=BIG)
    conceive_cost: float = Field(3.0, ge=0, le=BIG)
    conception_prob: float = Field(0.5, ge=0, le=1)
    convert_yield: float = Field(1.0, ge=0, le=BIG)
    tool_cost: float = Field(1.0, ge=0, le=BIG)
    build_energy: float = Field(0.5, ge=0, le=BIG)
    max_tools: int = Field(3, ge=0, le=1_000_000)
    food_regrow: float = Field(0.02, ge=0, le=1)
    sugar_regrow: float = Field(0.02, ge=0, le=1)
    build_allowed: float = Field(1.0, ge=0, le=1)  # 0 until an affordance shift makes building possible
    # task diversity (worlds.foraging.tasks): a pool of world configurations, K active, redrawn every T generations
    task_pool: int = Field(1, ge=1, le=100_000)  # configurations in the pool (1: the run's own world only)
    tasks: int = Field(1, ge=1, le=100_000)  # K: the active set's size (at most task_pool)
    task_period: int = Field(1, ge=1, le=1_000_000)  # T: generations between redraws of the active set

    @model_validator(mode="after")
    def _tasks_fit_the_pool(self) -> "ForagingSection":
        if self.tasks > self.task_pool:
            raise ValueError(f"world.tasks = {self.tasks} is larger than world.task_pool = {self.task_pool}: "
                             "the active set is drawn from the pool without replacement")
        return self


class Superstimulus(ShiftBase):
    """Sugar appears: tastier than food, no nutrition."""

    kind: Literal["superstimulus"]
    sugar_level: float = Field(1.0, ge=0, le=1)


class Contraception(ShiftBase):
    """Mating acts conceive with a lower probability."""

    kind: Literal["contraception"]
    conception_prob: float = Field(0.1, ge=0, le=1)


class Scarcity(ShiftBase):
    """Food regrows more slowly."""

    kind: Literal["scarcity"]
    food_regrow: float = Field(0.005, ge=0, le=1)


class HazardSurge(ShiftBase):
    """Hazards hurt more."""

    kind: Literal["hazard_surge"]
    hazard_damage: float = Field(6.0, ge=0, le=BIG)


class Affordance(ShiftBase):
    """Building becomes possible (set ``world.build_allowed = 0`` before it)."""

    kind: Literal["affordance"]
    build_allowed: float = Field(1.0, ge=0, le=1)


#: Shift kind -> (schema, the world parameter it sets). A relocation draws a new food capacity map.
SHIFTS: dict[str, tuple[type[ShiftBase], str]] = {
    "superstimulus": (Superstimulus, "sugar_level"),
    "contraception": (Contraception, "conception_prob"),
    "relocation": (Relocation, "relocation"),
    "scarcity": (Scarcity, "food_regrow"),
    "hazard_surge": (HazardSurge, "hazard_damage"),
    "affordance": (Affordance, "build_allowed"),
}
#: Shifted parameters outside the kernel's vector, with their value before any shift.
EXTRA_BASE: dict[str, float] = {"sugar_level": 0.0, "relocation": 0.0}
