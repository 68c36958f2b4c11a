"""Every process-wide cache, in one registry: `reset()` empties them all.

A container keeps what it read once (settings, boto3 clients, secret values, the CDN's id) for as
long as it lives. Two moments must forget all of it at once: a SnapStart restore (each restored
environment opens its own connections with fresh credentials; studio/snapstart.py) and the start
of each test. A cache joins the registry where it is defined (`cached`, or `register` for a cache
of another shape), so no list of caches is kept by hand anywhere else.
"""

from __future__ import annotations

import functools
from typing import Callable, TypeVar

F = TypeVar("F", bound=Callable)
_resets: list[Callable[[], None]] = []


def register(reset_function: Callable[[], None]) -> Callable[[], None]:
    """Have `reset()` call `reset_function` too (it empties one cache)."""
    _resets.append(reset_function)
    return reset_function


def cached(function: F) -> F:
    """functools.cache, registered: the value is computed once per container (per arguments)."""
    memo = functools.cache(function)
    register(memo.cache_clear)
    return memo  # type: ignore[return-value]


def reset() -> None:
    """Forget every cached value of this process."""
    for reset_function in _resets:
        reset_function()
