"""JSON Pointers (RFC 6901), the one module that escapes, splits and follows them."""

from __future__ import annotations

import pytest

from tc_contracts_py.pointer import (
    escape_pointer_token,
    lookup_pointer,
    pointer_tokens,
    resolve_pointer,
    to_pointer,
    unescape_pointer_token,
)

DOCUMENT = {"a/b": {"m~n": [10, {"": "empty key"}]}, "list": [1, 2]}


@pytest.mark.parametrize("token", ["plain", "a/b", "m~n", "~1", "~01", "/~", ""])
def test_unescape_undoes_escape(token):
    assert unescape_pointer_token(escape_pointer_token(token)) == token


def test_tilde_one_is_unescaped_first():
    assert unescape_pointer_token("~01") == "~1"
    assert escape_pointer_token("~1") == "~01"


def test_tokens_of_a_pointer():
    assert pointer_tokens("") == []
    assert pointer_tokens("/") == [""]
    assert pointer_tokens("/a~1b/m~0n/1/") == ["a/b", "m~n", "1", ""]
    assert to_pointer(["a/b", "m~n", 1, ""]) == "/a~1b/m~0n/1/"


def test_lookup_gives_value_parent_and_key():
    assert lookup_pointer(DOCUMENT, []) == (DOCUMENT, None, "")
    assert lookup_pointer(DOCUMENT, ["a/b", "m~n", "1", ""]) == (
        "empty key",
        {"": "empty key"},
        "",
    )
    value, parent, key = lookup_pointer(DOCUMENT, ["list", "1"])
    assert (value, key) == (2, 1)
    assert parent is DOCUMENT["list"]


@pytest.mark.parametrize(
    "pointer", ["/missing", "/list/2", "/list/-1", "/list/x", "/a~1b/m~0n/0/deeper", "/a/b"]
)
def test_what_is_not_there_is_not_found(pointer):
    assert resolve_pointer(DOCUMENT, pointer) == (False, None)


def test_resolve_follows_escapes():
    assert resolve_pointer(DOCUMENT, "/a~1b/m~0n/0") == (True, 10)
