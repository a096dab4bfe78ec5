"""A busy queue whose threads count what they did themselves: 2 producers
put N ints each through a queue.Queue(50), 3 consumers take them (calling
task_done for every other one), then one 'quit' pill each. At the end the
program prints {thread name: items} as JSON, to compare with the trace.
With "lifo" the queue is a queue.LifoQueue(50), and the pills wait until
it is empty (the newest item is taken first).

    python3 busy_counts.py [N] [fifo|lifo]
"""

import json
import queue
import sys
import threading
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
LIFO = sys.argv[2:] == ["lifo"]
q = queue.LifoQueue(maxsize=50) if LIFO else queue.Queue(maxsize=50)
counts = {}


def producer():
    for i in range(N):
        q.put(i)
    counts[threading.current_thread().name] = N


def consumer():
    n = 0
    while True:
        x = q.get()
        if x == "quit":
            break
        n += 1
        if n % 2:
            q.task_done()
    counts[threading.current_thread().name] = n


producers = [threading.Thread(target=producer, name="P%d" % i) for i in (1, 2)]
consumers = [threading.Thread(target=consumer, name="C%d" % i) for i in (1, 2, 3)]
for t in consumers + producers:
    t.start()
for t in producers:
    t.join()
while LIFO and not q.empty():
    time.sleep(0.01)
for _ in consumers:
    q.put("quit")
for t in consumers:
    t.join()
print(json.dumps(counts, sort_keys=True))
