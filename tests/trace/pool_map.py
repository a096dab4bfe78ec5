"""multiprocessing.dummy.Pool(8).map over 7 one-second tasks: they run side
by side, so the map takes about 1 s, and the results come in input order."""

import time
from multiprocessing.dummy import Pool


def task(n):
    time.sleep(1)
    return n * n


start = time.time()
with Pool(8) as pool:
    results = pool.map(task, range(7))
print(results, flush=True)
print("Done! Time taken: %.4f s" % (time.time() - start), flush=True)
