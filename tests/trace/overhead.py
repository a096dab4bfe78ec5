"""What tracing costs a queue-heavy program: bench_queue.py alone (B) and
under `queuescope trace --json` (A), run in turn A B A B ... Each run is
timed three ways: the whole process (wall clock), the CPU time of
everything it waited for (queuescope, the program and its threads), and
the program's own time (it prints the time from starting its threads to
joining them on stderr: start-up and exit are not in it). Prints the
medians and the median of the pairwise ratios A/B: pairing keeps the
ratio meaningful when a shared machine's speed drifts (every other round
runs in the reverse order, B A). The middle half of
the ratios shows how much single pairs move. "outside" is wall minus own
time: interpreter start, the shim's import, queuescope's start and end.

    python3 tests/trace/overhead.py [-n ROUNDS] [--shim] [--versus PATH]
                                    [--queuescope PATH] [-- ARGS]

--shim adds a run to each round: the shim alone, writing its events to
/dev/null (no queuescope, so no reader), to tell the two costs apart.
--versus PATH adds a run under another queuescope build (an older one),
so a change is compared in the same rounds. ARGS go to bench_queue.py
(its item count). Standard library only.
"""

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHIM = os.path.join(ROOT, "assets", "trace")
# bench_queue.py's own time, the last such line on its stderr.
OWN = re.compile(rb"^(\d+\.\d+) s$", re.M)


def timed(cmd, env=None, pass_fds=()):
    """(wall s, cpu s, own s) of one run of `cmd`; its stdout is thrown
    away, its stderr read for the time the program printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        pass_fds=pass_fds,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    own = OWN.findall(done.stderr)
    if done.returncode != 0 or not own:
        tail = done.stderr[-400:].decode("utf-8", "replace")
        sys.exit("overhead.py: %s failed (exit %d):\n%s" % (cmd[0], done.returncode, tail))
    return wall, cpu, float(own[-1])


def quartiles(xs):
    q = statistics.quantiles(xs, n=4, method="inclusive") if len(xs) > 1 else [xs[0]] * 3
    return q[0], q[2]


def report(label, runs, base):
    """One line per measure: medians of `label` and alone, and of the ratios."""
    for k, what in ((0, "wall"), (1, "cpu"), (2, "own")):
        a = statistics.median(r[k] for r in runs)
        b = statistics.median(r[k] for r in base)
        ratios = [x[k] / y[k] for x, y in zip(runs, base) if y[k] > 0]
        lo, hi = quartiles(ratios)
        print(
            "%-4s %-6s %.3f s  alone %.3f s  median x%.3f  middle half x%.2f-x%.2f  all x%.2f-x%.2f"
            % (what, label, a, b, statistics.median(ratios), lo, hi, min(ratios), max(ratios))
        )
    extra = [(x[0] - x[2]) - (y[0] - y[2]) for x, y in zip(runs, base)]
    print(
        "outside %-6s %.1f ms  alone %.1f ms  paired difference %+.1f ms (median)"
        % (
            label,
            1e3 * statistics.median(r[0] - r[2] for r in runs),
            1e3 * statistics.median(r[0] - r[2] for r in base),
            1e3 * statistics.median(extra),
        )
    )


def timed_round(variants, backwards):
    """One run of each variant, every other round in the reverse order, so
    that whatever a run leaves behind (a warm cache, a busy core) falls on
    each variant alike."""
    order = list(range(len(variants)))
    if backwards:
        order.reverse()
    out = [None] * len(variants)
    for i in order:
        out[i] = variants[i][1]()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=21, help="rounds (default 21)")
    ap.add_argument("--shim", action="store_true", help="also run the shim alone")
    ap.add_argument("--versus", metavar="PATH", help="also trace with this queuescope")
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
    null = os.open(os.devnull, os.O_WRONLY)
    shim_env = dict(os.environ, QUEUESCOPE_TRACE="fd:%d" % null, PYTHONPATH=SHIM)
    variants = [("traced", lambda: timed(traced)), ("alone", lambda: timed(bench))]
    if opts.versus:
        versus = [opts.versus] + traced[1:]
        variants.append(("versus", lambda: timed(versus)))
    if opts.shim:
        variants.append(("shim", lambda: timed(bench, shim_env, (null,))))
    print(
        "%s, %d rounds of %s; load average %.2f"
        % (" ".join(os.path.basename(c) for c in bench[1:]) or "bench_queue.py",
           opts.n, ", ".join(v[0] for v in variants), os.getloadavg()[0])
    )
    for _, run in variants:
        run()  # warm-up: the shim's compiled copy, the page cache
    rounds = [timed_round(variants, k % 2 == 1) for k in range(opts.n)]
    base = [r[1] for r in rounds]
    for i, (label, _) in enumerate(variants):
        if label != "alone":
            report(label, [r[i] for r in rounds], base)
    print("load average %.2f at the end" % os.getloadavg()[0])


if __name__ == "__main__":
    main()
