"""siteplan's macro elements render as branca's MacroElement renders them (issue 14).

branca compiles each macro's output as a Jinja template; siteplan skips that
compilation for plain text. The reference is branca's own ``Element(text)``.
"""

from __future__ import annotations

import pytest
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from siteplan.maps.elements import InertMacro, _as_template_output

TEXTS = [
    "",
    "plain",
    "a\n",
    "a\n\n",
    "\n",
    "a\r\nb\rc\n",
    "a\r\n",
    "a\r",
    '{"type":"Feature","p":{}}\n  ',
    "x = {a: 1}; y = {};\n",
    "{{ 1 + 1 }} stays compiled\n",
    "{% if true %}yes{% endif %}\n",
    "{# a comment #}after",
    "{ {  %} #}",
]


@pytest.mark.parametrize("text", TEXTS)
def test_output_is_what_branca_renders(text: str) -> None:
    assert _as_template_output(text).render() == Element(text).render()


class _Plain(MacroElement):
    _template = Template(
        """
        {% macro header(this, kwargs) %}<meta name="x">{% endmacro %}
        {% macro html(this, kwargs) %}<div>{{ this.body }}</div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = {{ this.data }};
        {% endmacro %}
        """
    )

    def __init__(self, body: str, data: str) -> None:
        super().__init__()
        self._name = "Plain"
        self.body = body
        self.data = data


class _Inert(InertMacro):
    _template = _Plain._template

    def __init__(self, body: str, data: str) -> None:
        super().__init__()
        self._name = "Plain"
        self.body = body
        self.data = data


def _page(cls: type, body: str, data: str) -> str:
    figure = Figure()
    element = cls(body, data)
    element._id = "fixed"
    child = cls(body + "!", data)
    child._id = "child"
    element.add_child(child)
    figure.add_child(element)
    for part in (figure, figure.header, figure.html, figure.script):
        part._id = "page"
    return figure.render()


@pytest.mark.parametrize(
    ("body", "data"),
    [
        ("a & b", '{"k":[1,2]}'),
        ("line\r\nbreak", "{}\n"),
        ("{{ 6 * 7 }}", "{% raw %}x{% endraw %}"),
    ],
)
def test_a_page_renders_the_same(body: str, data: str) -> None:
    assert _page(_Inert, body, data) == _page(_Plain, body, data)
