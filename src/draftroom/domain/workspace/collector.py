"""Pausing Python's cyclic garbage collector while a large parse is built.

Parsing a 10,000-entry file allocates hundreds of thousands of objects, none of them in a
reference cycle; each allocation burst makes the collector scan every live object again, which
measured at two thirds of a cold parse. Reference counting still frees everything meanwhile.
The pause is shared: the collector runs again when the last parse in the process ends, and it
is never turned on here when something else had turned it off. The count of pauses is
module state on purpose: it mirrors the collector's own switch, which is process-global.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def paused_collector() -> Iterator[None]:
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
