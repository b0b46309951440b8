"""The thread chooser: tries each count, then keeps the faster one and keeps checking the other."""

from agents.threads import ThreadChooser


def drive(chooser: ThreadChooser, seconds_per_unit: dict[int, float], calls: int, most: int = 2) -> list[int]:
    """Make ``calls`` calls of one unit of work each, costing ``seconds_per_unit[threads]``; the counts used."""
    used = []
    for _ in range(calls):
        threads = chooser.choose(most)
        chooser.record(threads, seconds_per_unit[threads], 1.0)
        used.append(threads)
    return used


def test_tries_both_counts_then_keeps_the_faster_and_explores_the_other():
    chooser = ThreadChooser(explore_every=4, min_seconds=0.0)
    used = drive(chooser, {2: 0.5, 1: 1.0}, 12)
    assert used[:4] == [2, 2, 1, 1]  # each count's first call is a warm-up, the second is measured
    assert used[4:] == [2, 2, 2, 1, 2, 2, 2, 1]  # the 8th and 12th calls explore the slower count
    chooser = ThreadChooser(explore_every=4, min_seconds=0.0)
    assert drive(chooser, {2: 1.5, 1: 1.0}, 12)[4:] == [1, 1, 1, 2, 1, 1, 1, 2]


def test_follows_a_change_in_the_machine_load():
    chooser = ThreadChooser(explore_every=4, min_seconds=0.0)
    drive(chooser, {2: 0.5, 1: 1.0}, 8)  # quiet: 2 threads win
    used = drive(chooser, {2: 2.0, 1: 1.0}, 8)  # a neighbour arrives: 2 threads now lose
    assert used[0] == 2 and used[-4:] == [1, 1, 1, 2]
    used = drive(chooser, {2: 0.5, 1: 1.0}, 8)  # it leaves
    assert used[-4:] == [2, 2, 2, 1]  # back to 2 threads, still checking 1 every 4th call


def test_ignores_short_calls_warm_ups_and_single_thread_machines():
    chooser = ThreadChooser(min_seconds=0.01)
    chooser.record(2, 5.0, 1.0)  # first call: pool start, not a measurement
    chooser.record(2, 0.001, 1.0)  # too short to time
    chooser.record(2, 0.5, 0.0)  # no work reported
    assert chooser.cost == {}
    chooser.record(2, 0.5, 10.0)
    assert chooser.cost == {2: 0.05}
    assert ThreadChooser().choose(1) == 1
