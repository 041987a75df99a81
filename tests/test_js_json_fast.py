"""js_json's shortcuts give the text of the string-by-string escaping (issue 14).

The reference is the escaping done string by string with regular expressions,
as js_json did before its shortcuts (copied here).
"""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from siteplan.maps.escape import js_json

_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "'": "\\u0027",
    "`": "\\u0060",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_PAIR = re.compile(r"\\(.)")


def _reference(value: Any, quotes: bool) -> str:
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    text = _STRING.sub(lambda m: m.group(0).replace("{", "\\u007b"), text)
    if quotes:

        def unicode_quotes(literal: str) -> str:
            body = _PAIR.sub(
                lambda m: {'"': "\\u0022", "\\": "\\u005c"}.get(m.group(1), m.group(0)),
                literal[1:-1],
            )
            return f'"{body}"'

        text = _STRING.sub(lambda m: unicode_quotes(m.group(0)), text)
    return re.sub("[<>&'`\u2028\u2029]", lambda m: _ESCAPES[m.group(0)], text)


TEXT = st.text(alphabet=st.sampled_from(list("ab{}[]\"\\<>&'`:,\n\u2028\u2029é{{%#")), max_size=10)
NUMBER = st.integers() | st.floats(allow_nan=False, allow_infinity=False)
VALUES = st.recursive(
    st.none() | st.booleans() | NUMBER | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=600, deadline=None)
@given(VALUES, st.booleans())
def test_the_same_text_as_escaping_string_by_string(value: Any, quotes: bool) -> None:
    assert js_json(value, quotes=quotes) == _reference(value, quotes)


def test_braces_in_keys_values_and_after_escaped_quotes() -> None:
    for value in (
        {"{": "}"},
        ['a"{', "{"],
        {"k": 'x\\"{y'},
        [{"a": {}}, "}{"],
        {"type": "Feature", "properties": {"tooltip": "<b>{x}</b>"}},
    ):
        for quotes in (False, True):
            assert js_json(value, quotes=quotes) == _reference(value, quotes)
