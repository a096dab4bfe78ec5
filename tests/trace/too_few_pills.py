"""4 consumers but only one poison pill: one consumer takes it and exits,
the other three wait on the empty queue for ever. The program never ends."""

import queue
import threading

q = queue.Queue()


def consumer():
    while True:
        item = q.get()
        if item == "quit":
            break
        print(threading.current_thread().name, "got", item, flush=True)


threads = [threading.Thread(target=consumer, name="Consumer-%d" % (i + 1)) for i in range(4)]
for t in threads:
    t.start()
for i in range(8):
    q.put(i)
q.put("quit")  # one pill for four consumers: a bug
for t in threads:
    t.join()
print("never printed", flush=True)
