"""Records are exactly what ``json.loads`` gives: types, key order, big and negative-zero
integers, floats to the last bit, escapes, NaN/Infinity."""

import json
import math
import random
import struct

import pytest

from conftest import RAW_JSON


def same_json(a, b):
    """Equal values, types, key order, float bits (NaN equal to NaN)."""
    assert type(a) is type(b), (a, b)
    if isinstance(a, dict):
        assert list(a.keys()) == list(b.keys())
        for k in a:
            same_json(a[k], b[k])
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same_json(x, y)
    elif isinstance(a, float):
        assert struct.pack("<d", a) == struct.pack("<d", b) or (math.isnan(a) and math.isnan(b)), (a, b)
    else:
        assert a == b


def test_tricky_body_matches_json_loads(server):
    from restclient import RESTClient
    from restclient.paginators import SinglePagePaginator

    pages = list(RESTClient(server.url).paginate("/raw", paginator=SinglePagePaginator(), data_selector="items"))
    expected = json.loads(RAW_JSON)["items"]
    assert len(pages) == 1
    same_json(list(pages[0]), expected)
    first = pages[0][0]
    assert list(first) == ["b", "a"] and first["b"] == 3  # a repeated key: first place, last value
    assert pages[0][1] == 0 and type(pages[0][1]) is int  # -0 is int 0
    assert pages[0][4] == 123456789012345678901234567890


@pytest.mark.parametrize(
    "text",
    [
        "-0",
        "-0.0",
        "0e0",
        "1e-400",
        "18446744073709551616",
        "-9223372036854775809",
        "9223372036854775807",
        "123.456e-789",
        "4.9406564584124654e-324",
        "2.2250738585072011e-308",
        "0.1e1",
        '"\\ud83d\\ude00 \\" \\\\ \\/ \\b\\f\\n\\r\\t"',
        '{"z": 1, "a": {"y": [1, {"b": 2, "a": 3}]}, "m": null}',
        "[[], {}, [{}], {\"\": \"\"}]",
    ],
)
def test_values_match_json_loads(text):
    from restclient import _native

    same_json(_native.loads(text.encode()), json.loads(text))


def test_random_floats_are_the_same_double():
    from restclient import _native

    rng = random.Random(15)
    texts = []
    for _ in range(2000):
        kind = rng.randrange(3)
        if kind == 0:
            value = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
            if math.isnan(value) or math.isinf(value):
                continue
            texts.append(repr(value))
        elif kind == 1:
            texts.append(f"{rng.randrange(10**rng.randrange(1, 25))}.{rng.randrange(10**rng.randrange(1, 25))}e{rng.randrange(-330, 310)}")
        else:
            digits = "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 40))).lstrip("0")
            texts.append((digits or "0") + ".5")
    body = "[" + ",".join(texts) + "]"
    same_json(_native.loads(body.encode()), json.loads(body))


def test_deep_nesting_is_an_error_not_a_crash():
    from restclient import SelectError, _native

    with pytest.raises(SelectError, match="nested deeper"):
        _native.loads(b"[" * 100_000 + b"]" * 100_000)


def test_invalid_json_is_a_value_error():
    from restclient import SelectError, _native

    with pytest.raises(ValueError):
        _native.loads(b'{"a": }')
    with pytest.raises(SelectError):
        _native.loads(b"[1, 2] trailing")


def test_nan_and_infinity_as_json_loads_accepts_them():
    from restclient import _native

    same_json(_native.loads(b"[NaN, Infinity, -Infinity]"), json.loads("[NaN, Infinity, -Infinity]"))


def test_keys_are_shared_across_pages_and_records_stay_exact(server):
    # one string cache per iterator: page 2's keys are page 1's objects; values are unchanged
    from restclient import RESTClient
    from restclient.paginators import OffsetPaginator

    pages = list(
        RESTClient(server.url).paginate(
            "/rows", paginator=OffsetPaginator(limit=3, total_path="total"), data_selector="items"
        )
    )
    assert len(pages) >= 2
    first, second = pages[0][0], pages[1][0]
    for a, b in zip(first.keys(), second.keys()):
        assert a == b and a is b
    from conftest import ITEMS

    rows = [{k: v for k, v in item.items() if k != "big"} for item in ITEMS]
    same_json([r for page in pages for r in page], json.loads(json.dumps(rows)))
