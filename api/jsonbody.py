"""Request JSON, parsed once and within limits, for every route and every reader.

:func:`request_json` is what views (through :func:`api.cohort_input.json_body`), webargs
(:class:`Parser`, used by every blueprint) and error messages read (nothing of ours calls
``request.get_json``), so one body is parsed once and every reader sees the same limits:

* nesting deeper than :data:`MAX_DEPTH` arrays and objects: 422 (also for 10,000 levels,
  which would otherwise overflow the parser's stack);
* a NUL character in any string or key (``\\u0000``; PostgreSQL text cannot hold one): 422;
* ``NaN``, ``Infinity`` and numbers beyond :data:`MAX_NUMBER` (the range JSON numbers
  keep exactly, 2^53): 422.

Broken JSON stays what it was: a :class:`json.JSONDecodeError`, which readers turn into a
400 problem. :class:`Parser` also keeps one instance of each argument schema class.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache

import orjson
from flask import Request, request
from marshmallow import Schema
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from api.errors import ApiProblem

MAX_DEPTH = 32
MAX_NUMBER = 2**53
_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")  # an unescaped \u0000 escape
_CACHE = "mentormatch.json"
_LONGEST_LITERAL = 40  # a longer integer literal is refused by its length
_SLOW = object()


def _rejected(detail: str, value: str | None = None) -> ApiProblem:
    item = {"source": "body", "message": detail}
    if value is not None:
        item["value"] = value[:80]
    return ApiProblem(
        422,
        "the JSON body is outside this server's limits",
        detail,
        kind="invalid-request",
        errors=[item],
    )


def _number(text: str):
    if any(c in text for c in ".eE"):
        number = float(text)
    else:  # int() of thousands of digits is slow (Python refuses over 4,300)
        number = int(text) if len(text) <= _LONGEST_LITERAL else None
    if number is None or not math.isfinite(number) or abs(number) > MAX_NUMBER:
        raise _rejected(f"numbers are limited to ±{MAX_NUMBER} (2^53)", text)
    return number


def _constant(text: str):
    raise _rejected("NaN and Infinity are not JSON numbers", text)


def _check_depth(value) -> None:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _rejected(f"arrays and objects may be nested at most {MAX_DEPTH} deep")
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))


def _fast(data: str):
    """The body parsed by orjson and checked in one walk, or _SLOW when it breaks a limit
    or orjson refuses it (NaN, Infinity, a number beyond a double, nesting over 1,024,
    a lone surrogate, broken JSON): the exact parse then gives the message.

    orjson reads an integer beyond 64 bits as a float and a long float literal as its
    value, so the walk sees every number's magnitude (twice as fast as the json module
    with a hook for float literals).
    """
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _SLOW
    return value if _plain([value]) else _SLOW


def _plain(value: list) -> bool:
    """Is every number in ``value`` (a list holding the body) finite and within
    ±MAX_NUMBER, and the body's nesting within MAX_DEPTH? One level at a time."""
    level = [value]
    for _ in range(MAX_DEPTH + 1):
        deeper = []
        for node in level:
            for child in node.values() if type(node) is dict else node:
                kind = type(child)  # json makes only dict, list, str, int, float, bool, None
                if kind is str:
                    continue
                if kind is dict or kind is list:
                    deeper.append(child)
                elif (kind is int or kind is float) and not -MAX_NUMBER <= child <= MAX_NUMBER:
                    return False  # NaN fails both comparisons
        if not deeper:
            return True
        level = deeper
    return False


def within_limits(value: list) -> bool:
    """Whether parsed JSON values keep this module's limits on numbers and nesting, the
    list ``value`` standing for the body (its items at depth 2)."""
    return _plain([value])


def loads(data: bytes | str):
    """Parse JSON text within the limits of this module.

    orjson reads the body first and one walk checks its numbers and nesting; only a body
    that breaks a limit (or that orjson refuses) is parsed again by the json module,
    number by number, for the exact message.

    Raises
    ------
    json.JSONDecodeError
        If the text is not JSON (or not UTF-8).
    ApiProblem
        422 when it is JSON outside the limits.
    """
    if isinstance(data, bytes | bytearray):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise json.JSONDecodeError(f"not UTF-8 ({error.reason})", "?", 0) from None
    if "\\u0000" in data and _NUL.search(data):
        raise _rejected("text may not contain the NUL character (\\u0000)")
    if (value := _fast(data)) is not _SLOW:
        return value
    try:
        value = json.loads(data, parse_float=_number, parse_int=_number, parse_constant=_constant)
    except RecursionError:
        raise _rejected(f"arrays and objects may be nested at most {MAX_DEPTH} deep") from None
    if isinstance(value, dict | list):
        _check_depth(value)
    return value


def request_json(req: Request | None = None):
    """The request's JSON body, parsed once (see :func:`loads` for what it raises)."""
    req = req if req is not None else request
    if _CACHE not in req.environ:
        req.environ[_CACHE] = loads(req.get_data(cache=True))
    return req.environ[_CACHE]


@cache
def schema_instance(schema_class: type[Schema]) -> Schema:
    """One instance per schema class (loading keeps no state on the instance)."""
    return schema_class()


class Parser(FlaskParser):
    """webargs' Flask parser reading the body through :func:`request_json`, with one
    schema instance per class for every request (webargs would build one, its nested
    schemas and copies of its fields per request)."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        return request_json(req)

    def _get_schema(self, argmap, req) -> Schema:
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            return schema_instance(argmap)
        return super()._get_schema(argmap, req)
