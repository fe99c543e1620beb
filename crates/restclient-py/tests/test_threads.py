"""The GIL is released while Rust waits on the network, and ``concurrency`` fetches ahead."""

import threading
import time

from conftest import page_summary


def test_other_threads_run_while_a_slow_page_is_fetched(server):
    from restclient import RESTClient
    from restclient.paginators import SinglePagePaginator

    counter = [0]
    stop = threading.Event()

    def spin():
        # pure Python: it can only count while it holds the GIL
        while not stop.is_set():
            counter[0] += 1

    spinner = threading.Thread(target=spin, daemon=True)
    spinner.start()
    try:
        client = RESTClient(server.url, paginator=SinglePagePaginator(), data_selector="items")
        before = counter[0]
        started = time.monotonic()
        pages = list(client.paginate("/slow/1"))
        elapsed = time.monotonic() - started
        during = counter[0] - before
    finally:
        stop.set()
        spinner.join(timeout=5)
    assert len(pages) == 1 and len(pages[0]) == 2
    assert elapsed >= 0.9
    # a spinning thread counts millions per second; holding the GIL for the page would stall it
    assert during > 100_000, during


def test_concurrent_iterators_in_threads(server):
    from restclient import RESTClient
    from restclient.paginators import OffsetPaginator

    client = RESTClient(server.url, paginator=OffsetPaginator(limit=5), data_selector="items")
    results = {}

    def run(i):
        results[i] = page_summary(client.paginate("/offset"))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 4
    assert all(r == results[0] for r in results.values())
    assert len(results[0]) == 5


def test_concurrency_gives_the_same_pages(server):
    from restclient import RESTClient
    from restclient.paginators import JSONLinkPaginator, OffsetPaginator

    for path, paginator, selector in (
        ("/offset", OffsetPaginator(limit=4), "items"),
        ("/json_link", JSONLinkPaginator(), "results"),
    ):
        one = page_summary(RESTClient(server.url, paginator=paginator, data_selector=selector).paginate(path))
        many = page_summary(
            RESTClient(server.url, paginator=paginator, data_selector=selector, concurrency=8).paginate(path)
        )
        assert many == one and len(one) > 2


def test_concurrency_fetches_ahead_while_python_consumes(server):
    from restclient import RESTClient
    from restclient.paginators import OffsetPaginator

    def timed(concurrency):
        client = RESTClient(server.url, paginator=OffsetPaginator(limit=6), data_selector="items", concurrency=concurrency)
        started = time.monotonic()
        count = 0
        for page in client.paginate("/slow_offset/0.3"):
            time.sleep(0.3)  # the consumer's own work on the page
            count += len(page)
        return time.monotonic() - started, count

    sequential, n1 = timed(1)
    ahead, n4 = timed(4)
    assert n1 == n4 == 23
    # 4 pages: sequential ≈ 4 × (0.3 + 0.3) s; ahead ≈ 0.3 + 4 × 0.3 s
    assert sequential >= 2.3
    assert ahead < sequential - 0.5, (ahead, sequential)


def test_dropping_an_iterator_stops_fetching_ahead(server):
    from restclient import RESTClient
    from restclient.paginators import OffsetPaginator

    client = RESTClient(server.url, paginator=OffsetPaginator(limit=1), data_selector="items", concurrency=2)
    pages = client.paginate("/offset")
    next(pages)
    del pages
    time.sleep(0.3)
    sent = len(server.take_log())
    time.sleep(0.3)
    assert sent <= 5
    assert len(server.take_log()) == 0


def test_a_signal_interrupts_a_slow_page(server):
    """Ctrl-C (here SIGALRM) is handled while Rust waits: the wait wakes to let Python run it."""
    import signal

    from restclient import RESTClient

    class Interrupted(Exception):
        pass

    def on_alarm(signum, frame):
        raise Interrupted

    previous = signal.signal(signal.SIGALRM, on_alarm)
    started = time.monotonic()
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        try:
            RESTClient(server.url, max_attempts=1).get("/slow/3")
        except Interrupted:
            pass
        else:
            raise AssertionError("the slow request was not interrupted")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < 2


def test_hooks_run_with_fetch_ahead(server):
    """With concurrency > 1 the hooks run on the runtime's threads; they still see every page,
    in order, and an IgnoreResponseException still ends the run quietly."""
    from restclient import IgnoreResponseException, RESTClient
    from restclient.paginators import OffsetPaginator

    seen = []

    def hook(response, *args, **kwargs):
        seen.append(response.json()["items"][0]["id"] if response.json()["items"] else None)
        if len(seen) == 2:
            raise IgnoreResponseException

    client = RESTClient(server.url, paginator=OffsetPaginator(limit=5), data_selector="items", concurrency=4)
    pages = page_summary(client.paginate("/offset", hooks={"response": [hook]}))
    assert len(pages) == 1
    assert seen == [0, 5]
