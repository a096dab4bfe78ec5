"""A deep busy queue: one producer puts N ints (default 150,000) into an
unbounded queue.Queue faster than one consumer takes them, so items wait far
longer than the tracer's 25 ms round. The program times every item's wait
itself and prints the median, in ms, as JSON on its last stderr line.

    python3 deep_queue.py [N]
"""

import json
import queue
import statistics
import sys
import threading
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 150_000
q = queue.Queue()
put_at = [0] * N
waits = []
now = time.monotonic_ns


def producer():
    for i in range(N):
        put_at[i] = now()
        q.put(i)
    q.put(None)


def consumer():
    while True:
        i = q.get()
        if i is None:
            break
        waits.append(now() - put_at[i])
        for _ in range(20):
            pass


threads = [threading.Thread(target=producer), threading.Thread(target=consumer)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({"median_wait_ms": statistics.median(waits) / 1e6}), file=sys.stderr)
