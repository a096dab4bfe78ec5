"""A ThreadPoolExecutor 'fetching' 12 pages on 4 threads, each fetch a
sleep of 100 to 200 ms instead of the network."""

import time
from concurrent.futures import ThreadPoolExecutor

URLS = ["https://example.com/page/%d" % i for i in range(12)]


def fetch(url):
    time.sleep(0.1 + (hash(url) % 100) / 1000)
    return url, 200


start = time.time()
with ThreadPoolExecutor(max_workers=4) as pool:
    for url, status in pool.map(fetch, URLS):
        print(status, url, flush=True)
print("Done! Time taken: %.4f s" % (time.time() - start), flush=True)
