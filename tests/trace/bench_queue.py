"""Overhead benchmark: 1 producer and 2 consumers move N items (default
100,000) through a queue.Queue(maxsize=100), with no work per item: the
queue is all the program does. Prints its own time to stderr.

    python3 bench_queue.py [N]
"""

import queue
import sys
import threading
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
q = queue.Queue(maxsize=100)


def producer():
    for i in range(N):
        q.put(i)
    for _ in range(2):
        q.put(None)


def consumer():
    total = 0
    while True:
        x = q.get()
        if x is None:
            break
        total += x


start = time.perf_counter()
threads = [threading.Thread(target=producer)] + [
    threading.Thread(target=consumer) for _ in range(2)
]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("%.4f s" % (time.perf_counter() - start), file=sys.stderr)
