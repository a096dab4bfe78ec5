"""A program that ignores SIGTERM and keeps a worker busy: stopping it
takes SIGKILL. It writes its pid to the file named by its first argument."""

import queue
import signal
import sys
import threading
import time

signal.signal(signal.SIGTERM, signal.SIG_IGN)
with open(sys.argv[1], "w") as f:
    f.write(str(__import__("os").getpid()))
q = queue.Queue()


def worker():
    while True:
        q.put(time.time())
        q.get()
        time.sleep(0.01)


threading.Thread(target=worker, name="Busy", daemon=True).start()
while True:
    time.sleep(0.1)
