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


def test_tries_both_counts_then_keeps_the_faster_and_tries_the_other_less_often():
    chooser = ThreadChooser(explore_every=4, explore_most=16, min_seconds=0.0)
    used = drive(chooser, {2: 0.5, 1: 1.0}, 40)
    assert used[:3] == [2, 2, 1]  # the first call (kernels load, pool starts) is not measured; 1 thread needs no warm-up
    tries = [k + 1 for k, t in enumerate(used) if t == 1]
    assert tries == [3, 8, 16, 32]  # 4, 8, then 16 calls apart: each try of 1 thread confirmed the choice


def test_while_one_thread_wins_all_threads_are_tried_less_and_less_often():
    chooser = ThreadChooser(explore_every=4, explore_most=16, min_seconds=0.0)
    used = drive(chooser, {2: 1.5, 1: 1.0}, 60)
    assert [k + 1 for k, t in enumerate(used) if t == 2] == [1, 2, 8, 16, 32, 48]  # 8, 16, then 16 calls apart


def test_follows_a_change_in_the_machine_load():
    chooser = ThreadChooser(explore_every=4, explore_most=16, min_seconds=0.0)
    drive(chooser, {2: 0.5, 1: 1.0}, 30)  # quiet: 2 threads win, tries of 1 thread 16 calls apart by now
    used = drive(chooser, {2: 2.0, 1: 1.0}, 14)  # a neighbour arrives: 2 threads now lose
    assert used == [2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 2, 1]  # seen at once; 2 threads tried after 4, then 8 calls
    used = drive(chooser, {2: 0.5, 1: 1.0}, 20)  # it leaves
    assert used == [1] * 14 + [2, 2, 2, 2, 1, 2]  # seen by the next try, 16 calls after the last


def test_ignores_short_calls_warm_ups_and_single_thread_machines():
    chooser = ThreadChooser(min_seconds=0.01)
    chooser.record(2, 5.0, 1.0)  # first call: pool start, not a measurement
    chooser.record(2, 0.001, 1.0)  # too short to time
    chooser.record(2, 0.5, 0.0)  # no work reported
    assert chooser.cost == {}
    chooser.record(2, 0.5, 10.0)
    assert chooser.cost == {2: 0.05}
    assert ThreadChooser().choose(1) == 1
