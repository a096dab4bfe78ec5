"""What tracing costs a queue-heavy program: bench_queue.py alone (B) and
under `queuescope trace --json` (A), run in turn A B A B ..., each timed
as a whole process (wall clock, and the CPU time of everything it waited
for). Prints the medians and the median of the pairwise ratios A/B:
pairing keeps the ratio meaningful when a shared machine's speed drifts.

    python3 tests/trace/overhead.py [-n RUNS] [--queuescope PATH] [-- ARGS]

ARGS go to bench_queue.py (its item count). Standard library only.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def timed(cmd):
    """(wall s, cpu s) of one run of `cmd`, its output thrown away."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=11, help="runs of each (default 11)")
    ap.add_argument(
        "--queuescope",
        default=os.path.join(ROOT, "target", "release", "queuescope"),
        help="the binary (default: target/release/queuescope)",
    )
    ap.add_argument("args", nargs="*", help="bench_queue.py's arguments")
    opts = ap.parse_args()
    # The interpreter itself, not a launcher script in front of it.
    bench = [sys.executable, os.path.join(HERE, "bench_queue.py")] + opts.args
    traced = [opts.queuescope, "trace", "--json", "--"] + bench
    timed(traced)  # warm-up: the shim's compiled copy, the page cache
    timed(bench)
    runs = [(timed(traced), timed(bench)) for _ in range(opts.n)]
    for k, what in ((0, "wall"), (1, "cpu")):
        a = statistics.median(r[0][k] for r in runs)
        b = statistics.median(r[1][k] for r in runs)
        ratios = [r[0][k] / r[1][k] for r in runs if r[1][k] > 0]
        print(
            "%-4s traced %.3f s  alone %.3f s  A/B median x%.2f (pairs x%.2f to x%.2f)"
            % (what, a, b, statistics.median(ratios), min(ratios), max(ratios))
        )


if __name__ == "__main__":
    main()
