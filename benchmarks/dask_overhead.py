"""CPU that Dask's own bookkeeping takes beside the runs: Dask's defaults against ``evo.executor``'s.

    python benchmarks/dask_overhead.py [--workers 2] [--seconds 20]

Starts a LocalCluster of single-threaded worker processes with each configuration, gives every worker a
task that sleeps ``--seconds``, and prints the CPU seconds the whole process tree used meanwhile (the
driver with its scheduler and nannies, and the workers): with every core running a worker, that CPU is
taken from the runs. CPU time, not wall time, so a busy machine changes it little.
"""

from __future__ import annotations

import argparse
import time


def tree_cpu(proc) -> float:
    """CPU seconds (user + system) of ``proc`` and every process below it."""
    import psutil

    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def overhead(config: dict, workers: int, seconds: float) -> tuple[float, float]:
    """(CPU seconds of the process tree, of this driver process alone) while each worker sleeps."""
    import dask
    import psutil
    from distributed import Client, LocalCluster, wait

    me = psutil.Process()
    with dask.config.set(config):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cl, \
                Client(cl) as client:
            client.run(lambda: None)  # every worker up
            tree0, own0 = tree_cpu(me), sum(me.cpu_times()[:2])
            wait([client.submit(time.sleep, seconds, pure=False) for _ in range(workers)])
            return tree_cpu(me) - tree0, sum(me.cpu_times()[:2]) - own0


def main() -> None:
    from evo.executor import LOCAL_CLUSTER_CONFIG

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    print("| configuration | CPU s, all processes | CPU s, driver | cores busy with Dask |")
    print("|---|---|---|---|")
    for name, config in [("Dask defaults", {}), ("evo.executor.LOCAL_CLUSTER_CONFIG", LOCAL_CLUSTER_CONFIG)]:
        total, own = overhead(config, args.workers, args.seconds)
        print(f"| {name} | {total:.2f} | {own:.2f} | {total / args.seconds:.3f} |")


if __name__ == "__main__":
    main()
