"""How many numba threads a world kernel call gets: chosen from what the calls so far measured.

A parallel region pays off only when the threads actually get cores: on a quiet
2-core machine the per-step decision loop on 2 threads beats 1, while with one
other CPU-bound process on the machine each region waits for a thread that the
scheduler has parked, and 2 threads gain nothing or lose (docs/performance.md).
Which case holds changes while a run goes on, so it is measured, not guessed.

``ThreadChooser`` keeps, per thread count it may use (1 and all of numba's), the
wall seconds per unit of work (the caller's measure: for the foraging world, entity-steps
with search nodes weighted by their cost) of the latest call on that count. Each call
gets the count with the lower figure, except that a count without one is tried first,
and now and then a call tries the other count: ``explore_every`` calls after the
choice last changed, then, while each try confirms the choice, at doubling intervals
up to ``explore_most``. Every try of the losing count is a slow call: on a quiet
machine a try of 1 thread; with a neighbour a try of all threads, about 9 % slower
than 1 thread on the device machine (docs/performance.md). A change of the machine's
load is seen soon: a neighbour that arrives raises the chosen count's own figure at
once; one that leaves is seen by the next try, at most ``explore_most`` calls later. The
latest figures, not averages: the cost per unit drifts as the population evolves,
and a try is compared with the call just before it. The process's first call (it
loads the kernels) and the first call on a count above 1 (it starts the thread pool)
are not recorded, nor is a call under ``min_seconds``. Results never depend on the
thread count (the kernels' parallel loops write disjoint entries), so the choice
changes only speed.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ThreadChooser:
    """Chooses between 1 thread and ``most`` threads from measured seconds per unit of work."""

    explore_every: int = 8
    explore_most: int = 64
    min_seconds: float = 0.01
    cost: dict[int, float] = field(default_factory=dict)  # thread count -> seconds per unit of work, latest call
    started: set[int] = field(default_factory=set)  # thread counts that have had their first call
    calls: int = 0
    interval: int = 0  # calls between tries of the other count
    next_try: int = 0  # the call that tries the other count (0: not scheduled)
    trying: int = 0  # the count the current call tries, 0 when it is not a try

    def _best(self) -> int | None:
        return min(self.cost, key=self.cost.__getitem__) if len(self.cost) == 2 else None

    def choose(self, most: int) -> int:
        """The thread count for the next call when up to ``most`` threads are available."""
        if most <= 1:
            return 1
        self.calls += 1
        for threads in (most, 1):
            if threads not in self.cost:
                return threads
        best = self._best()
        if self.next_try == 0:
            self._schedule(self.explore_every)
        if self.calls >= self.next_try:
            self.trying = 1 if best == most else most
            return self.trying
        return best

    def _schedule(self, interval: int) -> None:
        self.interval = interval
        self.next_try = self.calls + interval

    def record(self, threads: int, seconds: float, work: float) -> None:
        """Add one call's measurement: ``seconds`` of wall time for ``work`` units on ``threads`` threads."""
        warm_up = not self.started or (threads > 1 and threads not in self.started)
        self.started.add(threads)
        trying, self.trying = self.trying, 0
        if warm_up or seconds < self.min_seconds or work <= 0:
            if trying:
                self._schedule(self.interval)
            return
        before = self._best()
        self.cost[threads] = seconds / work
        after = self._best()
        if before is None or after is None:
            return
        if after != before:
            self._schedule(self.explore_every)
        elif trying:  # confirmed: try the other count less often (a try costs a slow call)
            self._schedule(min(2 * self.interval, self.explore_most))
