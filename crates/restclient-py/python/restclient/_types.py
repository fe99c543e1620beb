"""Small value types the extension module builds: ``PageData``, ``Headers``, ``PaginatorState``."""

from collections.abc import MutableMapping

__all__ = ["PageData", "Headers", "PaginatorState"]


class PageData(list):
    """One page's records (a ``list``), with the ``request`` that fetched it, its ``response``
    and the ``paginator``'s state after reading it."""

    auth = None

    def __init__(self, records=(), request=None, response=None, paginator=None):
        super().__init__(records)
        self.request = request
        self.response = response
        self.paginator = paginator

    def __repr__(self):
        return f"PageData({list.__repr__(self)})"


class Headers(MutableMapping):
    """Case-insensitive headers; repeated headers are joined with ``", "`` as requests does."""

    __slots__ = ("_store",)

    def __init__(self, pairs=()):
        self._store = {}
        if isinstance(pairs, MutableMapping):
            pairs = pairs.items()
        for name, value in pairs:
            key = name.lower()
            if key in self._store:
                first, old = self._store[key]
                self._store[key] = (first, f"{old}, {value}")
            else:
                self._store[key] = (name, value)

    def __getitem__(self, name):
        return self._store[name.lower()][1]

    def __setitem__(self, name, value):
        self._store[name.lower()] = (name, value)

    def __delitem__(self, name):
        del self._store[name.lower()]

    def __iter__(self):
        return (name for name, _ in self._store.values())

    def __len__(self):
        return len(self._store)

    def __eq__(self, other):
        if isinstance(other, MutableMapping) or isinstance(other, dict):
            other = Headers(other.items())
            return {k: v for k, (_, v) in self._store.items()} == {
                k: v for k, (_, v) in other._store.items()
            }
        return NotImplemented

    def copy(self):
        return Headers(self._store.values())

    def __repr__(self):
        return repr(dict(self.items()))


class PaginatorState:
    """What the paginator knew after a page: its ``name`` (``"offset"``, ``"json_link"``, ...),
    ``has_next_page`` and its ``state`` (a dict; its keys are also attributes)."""

    __slots__ = ("name", "state", "has_next_page")

    def __init__(self, name, state, has_next_page):
        self.name = name
        self.state = state if isinstance(state, dict) else {}
        self.has_next_page = has_next_page

    def __getattr__(self, key):
        state = object.__getattribute__(self, "state")
        if key in state:
            return state[key]
        raise AttributeError(key)

    def __str__(self):
        return f"{self.name} paginator at {id(self):x}"

    def __repr__(self):
        return f"PaginatorState({self.name!r}, {self.state!r}, has_next_page={self.has_next_page})"
