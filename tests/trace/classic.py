"""The textbook producer/consumer: one producer puts an item every 50 ms,
one consumer takes them until it receives the poison pill 'quit'."""

import queue
import threading
import time

q = queue.Queue()


def producer():
    for i in range(10):
        print("Producing", i, flush=True)
        q.put(i)
        time.sleep(0.05)
    q.put("quit")


def consumer():
    while True:
        item = q.get()
        if item == "quit":
            print("Consumer got the pill: bye", flush=True)
            break
        print("Consuming", item, flush=True)
        time.sleep(0.02)


start = time.time()
threads = [
    threading.Thread(target=producer, name="Producer"),
    threading.Thread(target=consumer, name="Consumer"),
]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("Done! Time taken: %.4f s" % (time.time() - start), flush=True)
