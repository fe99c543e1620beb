"""dlt 1.31 column of `cargo xtask bench`: consume every record of one paginated endpoint.

Usage: python dlt_client.py URL PAGINATOR_JSON DATA_SELECTOR
Prints one JSON line: records, pages, seconds and cpu_seconds (the pagination loop only, after
imports), maxrss_kib.
"""

import json
import resource
import sys
import time
from urllib.parse import urlsplit

from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import (
    HeaderLinkPaginator,
    JSONLinkPaginator,
    JSONResponseCursorPaginator,
    OffsetPaginator,
    PageNumberPaginator,
)


def make_paginator(cfg):
    kind = cfg.pop("type")
    return {
        "offset": OffsetPaginator,
        "page_number": PageNumberPaginator,
        "cursor": JSONResponseCursorPaginator,
        "json_link": JSONLinkPaginator,
        "header_link": HeaderLinkPaginator,
    }[kind](**cfg)


def main():
    url, paginator_json, data_selector = sys.argv[1], sys.argv[2], sys.argv[3]
    parts = urlsplit(url)
    client = RESTClient(base_url=f"{parts.scheme}://{parts.netloc}")
    paginator = make_paginator(json.loads(paginator_json))
    records = pages = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    for page in client.paginate(url, paginator=paginator, data_selector=data_selector):
        records += len(page)
        pages += 1
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"records": records, "pages": pages, "seconds": seconds, "cpu_seconds": cpu_seconds, "maxrss_kib": maxrss}))


if __name__ == "__main__":
    main()
