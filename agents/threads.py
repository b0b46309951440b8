"""How many numba threads a world kernel call gets: chosen from what the calls so far measured.

A parallel region pays off only when the threads actually get cores: on a quiet
2-core machine the per-step decision loop on 2 threads beats 1, while with one
other CPU-bound process on the machine each region waits for a thread that the
scheduler has parked, and 2 threads gain nothing or lose (docs/performance.md).
Which case holds changes while a run goes on, so it is measured, not guessed.

``ThreadChooser`` keeps, per thread count it may use (1 and all of numba's), the
wall seconds per unit of work (the caller's measure: for the foraging world, search
nodes plus entity-steps) of the latest call on that count. Each call gets the count
with the lower figure, except that a count without one is tried first, and every
``explore_every``-th call tries the other count, so a change in the machine's load is
seen within a few calls. The latest figures, not averages: the cost per unit drifts
as the population evolves (2x over 20 generations of ``sugar``), and the exploring
call is compared with the call just before it. A count's first call is not
recorded (it starts the thread pool or loads the kernels), nor is a call under
``min_seconds``. Results never depend on the thread count (the kernels' parallel
loops write disjoint entries), so the choice changes only speed.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ThreadChooser:
    """Chooses between 1 thread and ``most`` threads from measured seconds per unit of work."""

    explore_every: int = 8
    min_seconds: float = 0.01
    cost: dict[int, float] = field(default_factory=dict)  # thread count -> seconds per unit of work, latest call
    started: set[int] = field(default_factory=set)  # thread counts that have had their first call
    calls: int = 0

    def choose(self, most: int) -> int:
        """The thread count for the next call when up to ``most`` threads are available."""
        if most <= 1:
            return 1
        self.calls += 1
        options = (most, 1)
        for threads in options:
            if threads not in self.cost:
                return threads
        best, other = sorted(options, key=lambda k: self.cost[k])
        return other if self.calls % self.explore_every == 0 else best

    def record(self, threads: int, seconds: float, work: float) -> None:
        """Add one call's measurement: ``seconds`` of wall time for ``work`` units on ``threads`` threads."""
        if threads not in self.started:
            self.started.add(threads)
        elif seconds >= self.min_seconds and work > 0:
            self.cost[threads] = seconds / work
