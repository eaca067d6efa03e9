"""One lock for libxml2 (through lxml and trafilatura) across the threads of a process.

A `newsloom refresh` in CI aborted with "munmap_chunk(): invalid pointer" while three of its
threads were inside lxml at once: two parsing pages through trafilatura's module-level parser,
one running XPath over another page. Others report the same crashes and deadlocks from
concurrent trafilatura calls (NorthlandPositronics/Cogtrix#1707,
dgtlmoon/changedetection.io#4325). A native crash takes the whole worker with it, so every
function that parses or serializes HTML with lxml holds this lock: parsing is a small part of
a job beside fetching, storing and the models. Re-entrant, as these functions call one
another. (The sanitizer, nh3, parses with html5ever and needs none.)
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

_LOCK = threading.RLock()
_P = ParamSpec("_P")
_R = TypeVar("_R")


def one_thread_at_a_time(function: Callable[_P, _R]) -> Callable[_P, _R]:
    @functools.wraps(function)
    def serialized(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with _LOCK:
            return function(*args, **kwargs)

    return serialized
