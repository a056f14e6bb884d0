"""Tracing and slow-call logging of repository calls, for every SQL backend.

:func:`instrument` wraps the public coroutine methods of one repository object
(on the instance, so its class and ``isinstance`` checks are untouched):

* when ``opentelemetry`` is importable, each call is one span named
  ``repokit <repository>.<method>`` (kind CLIENT) with ``db.system``,
  ``db.operation``, ``db.collection.name`` (the table) and ``repokit.rows`` (how many
  entities came back); exceptions are recorded on the span. Parameter values
  never become attributes.
* a call slower than ``slow_query_s`` is logged at WARNING on the
  ``repokit.sql.slow`` logger with its name and duration, never its arguments.

Without ``opentelemetry``, and with it installed but no tracer provider set (the
API alone, as FastAPI brings it in), the wrapper only reads the clock twice: a
span of the API's no-op tracer would still cost about 10 µs a call (context
attached and detached), as much as the rest of a primary-key read. Once the
application sets a provider, the next call is traced.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

slow_log = logging.getLogger("repokit.sql.slow")


def _load_trace() -> Any:
    try:
        return importlib.import_module("opentelemetry.trace")
    except ImportError:
        return None


def _load_tracer() -> Any:
    return None if _TRACE is None else _TRACE.get_tracer("repokit")


def spans_recorded() -> bool:
    """True when calls are traced: ``opentelemetry`` is installed and the application
    has set a tracer provider (``trace.set_tracer_provider`` or the environment's)."""
    if _TRACE is None:
        return False
    provider = _TRACE.get_tracer_provider()
    return not isinstance(provider, _TRACE.ProxyTracerProvider | _TRACE.NoOpTracerProvider)


def _span_kind_client() -> Any:
    trace = importlib.import_module("opentelemetry.trace")
    return trace.SpanKind.CLIENT


_TRACE: Any = _load_trace()
_TRACER: Any = _load_tracer()


def row_count(result: Any) -> int:
    """How many entities a repository call returned (a page counts its items)."""
    if result is None or result is False:
        return 0
    if isinstance(result, list | tuple):
        return len(result)
    items = getattr(result, "items", None)
    if isinstance(items, list):
        return len(items)
    if isinstance(result, bool):
        return 1
    if isinstance(result, int):
        return result
    return 1


def instrument(
    repository: object, *, name: str, table: str, system: str, slow_query_s: float
) -> None:
    """Trace and time every public ``async`` method of ``repository`` (see the module doc).

    Args:
        repository: the repository object (its methods are wrapped on the instance).
        name: the repository's name on the store (``documents``, ``acl``, ...).
        table: the table it mainly works on (``workspace_acl``, ...).
        system: the database, as OpenTelemetry's ``db.system`` says it.
        slow_query_s: calls at least this slow are logged.
    """
    for method_name, _ in inspect.getmembers(type(repository), inspect.iscoroutinefunction):
        if method_name.startswith("_"):
            continue
        bound = getattr(repository, method_name)
        traced = _traced(bound, f"{name}.{method_name}", table, method_name, system, slow_query_s)
        setattr(repository, method_name, traced)


def _traced(
    method: Callable[..., Awaitable[Any]],
    statement: str,
    table: str,
    operation: str,
    system: str,
    slow_query_s: float,
) -> Callable[..., Awaitable[Any]]:
    tracer = _TRACER

    @functools.wraps(method)
    async def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return await method(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - start
            if elapsed >= slow_query_s:
                _log_slow(statement, elapsed)

    if tracer is None:
        return timed

    attributes = {
        "db.system": system,
        "db.operation": operation,
        "db.collection.name": table,
    }
    kind = _span_kind_client()

    @functools.wraps(method)
    async def traced(*args: Any, **kwargs: Any) -> Any:
        if not spans_recorded():
            return await timed(*args, **kwargs)
        start = time.perf_counter()
        with tracer.start_as_current_span(
            f"repokit {statement}", kind=kind, attributes=attributes
        ) as span:
            try:
                result = await method(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                if elapsed >= slow_query_s:
                    _log_slow(statement, elapsed)
            span.set_attribute("repokit.rows", row_count(result))
            return result

    return traced


def _log_slow(statement: str, elapsed: float) -> None:
    slow_log.warning("slow repokit call %s took %.3fs", statement, elapsed)


__all__ = ["instrument", "row_count", "slow_log", "spans_recorded"]
