"""A pool of 4 workers shares the words of 'this is a hello world test !';
main puts one pill (None) per worker, so each worker exits on its own pill."""

import queue
import threading
import time

WORKERS = 4
jobs = queue.Queue()


def worker():
    while True:
        word = jobs.get()
        if word is None:
            break
        time.sleep(0.1)
        print(threading.current_thread().name, "did", word, flush=True)


threads = [threading.Thread(target=worker, name="Worker-%d" % (i + 1)) for i in range(WORKERS)]
for t in threads:
    t.start()
for word in "this is a hello world test !".split():
    jobs.put(word)
for _ in range(WORKERS):
    jobs.put(None)
for t in threads:
    t.join()
print("all workers done", flush=True)
