"""Records/s of dlt 1.31's RESTClient and of restclient's, in one Python process, against the same
server (``xtask bench-server``): page sizes 10, 100 and 1000 on a server with no latency, and
page size 100 on a server that answers each page after 20 ms, where restclient runs with
``concurrency=16``; one more row shows page size 100 with ``concurrency=4`` (pages fetched and
parsed ahead while Python builds the current page's dicts). Records are materialised as Python dicts by both clients.

Usage: python bench.py --server XTASK_BINARY [--out REPORT.md] [--reps 3] [--quick]
Writes a markdown table (to --out and stdout) stating each target as met or not.
"""

import argparse
import statistics
import subprocess
import sys
import time


def start_server(xtask):
    proc = subprocess.Popen(
        [xtask, "bench-server", "--port", "0", "--pool", "100000"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    if not line.startswith("listening on "):
        proc.kill()
        raise SystemExit(f"bench server did not start: {line!r}")
    return proc, line.split()[2]


def consume(client, path, paginator, concurrency):
    records = pages = 0
    started = time.perf_counter()
    for page in client.paginate(path, paginator=paginator, data_selector="data"):
        records += len(page)
        pages += 1
    return records, pages, time.perf_counter() - started


def run_dlt(origin, path, size):
    from dlt.sources.helpers.rest_client import RESTClient
    from dlt.sources.helpers.rest_client.paginators import OffsetPaginator

    client = RESTClient(base_url=origin)
    return consume(client, path, OffsetPaginator(limit=size, total_path="total"), 1)


def run_ours(origin, path, size, concurrency):
    from restclient import RESTClient
    from restclient.paginators import OffsetPaginator

    client = RESTClient(base_url=origin, concurrency=concurrency)
    return consume(client, path, OffsetPaginator(limit=size, total_path="total"), concurrency)


def best_rate(fn, reps, expected):
    rates = []
    for _ in range(reps):
        records, _, seconds = fn()
        if records != expected:
            raise SystemExit(f"expected {expected} records, got {records}")
        rates.append(records / seconds)
    return max(rates), statistics.median(rates)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True, help="the xtask binary (runs `bench-server`)")
    parser.add_argument("--out")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="fewer records (a smoke run)")
    args = parser.parse_args()

    scale = 10 if args.quick else 1
    runs = [
        # (label, records, page size, delay ms, our concurrency, target ratio or None)
        ("page size 10", 5_000 // scale, 10, 0, 1, None),
        ("page size 100", 20_000 // scale, 100, 0, 1, 10),
        ("page size 1000", 50_000 // scale, 1000, 0, 1, None),
        ("page size 100, concurrency=4 (fetch ahead)", 20_000 // scale, 100, 0, 4, None),
        ("20 ms server, page size 100, concurrency=16", 10_000 // scale, 100, 20, 16, 10),
    ]
    proc, origin = start_server(args.server)
    rows = []
    try:
        for label, total, size, delay, concurrency, target in runs:
            path = f"/offset/{total}/{size}/{delay}"
            theirs, theirs_median = best_rate(lambda: run_dlt(origin, path, size), args.reps, total)
            ours, ours_median = best_rate(lambda: run_ours(origin, path, size, concurrency), args.reps, total)
            ratio = ours / theirs
            met = "" if target is None else ("met" if ratio >= target else "NOT met")
            rows.append((label, total, theirs, ours, ratio, target, met))
            print(f"{label}: dlt {theirs:,.0f}/s, restclient {ours:,.0f}/s, {ratio:.1f}x", file=sys.stderr)
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)

    lines = [
        f"Python {sys.version.split()[0]}, one process, best of {args.reps}; records/s (dicts materialised by both).",
        "",
        "| run | records | dlt 1.31 RESTClient | restclient | ratio | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for label, total, theirs, ours, ratio, target, met in rows:
        goal = "" if target is None else f"≥ {target}× ({met})"
        lines.append(f"| {label} | {total:,} | {theirs:,.0f} | {ours:,.0f} | {ratio:.1f}× | {goal} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        with open(args.out, "w") as f:
            f.write(report)


if __name__ == "__main__":
    main()
