"""dlt 1.31 side of the source run of `cargo xtask bench`: every record of a `rest_api` config.

Usage: python dlt_source.py CONFIG_JSON
Builds dlt's `rest_api_source` over the same config the restclient CLI's `run` reads and iterates
the source (extraction only: no pipeline, no destination), counting records per resource.
Prints one JSON line: records (per resource), seconds and cpu_seconds (the iteration only, after
imports), maxrss_kib.
"""

import json
import resource
import sys
import time

from dlt.sources.rest_api import rest_api_source


def main():
    with open(sys.argv[1]) as f:
        config = json.load(f)
    source = rest_api_source(config)
    counts = {}

    def counter(name):
        def count(item):
            counts[name] = counts.get(name, 0) + 1
            return item

        return count

    for name, res in source.resources.items():
        res.add_map(counter(name))
    started = time.perf_counter()
    cpu_started = time.process_time()
    for _ in source:
        pass
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"records": counts, "seconds": seconds, "cpu_seconds": cpu_seconds, "maxrss_kib": maxrss}))


if __name__ == "__main__":
    main()
