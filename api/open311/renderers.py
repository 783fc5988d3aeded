"""GeoReport v2 answers as JSON or XML. The spec's JSON is the XML mapped by the Spark convention: a list is an
element of the plural name holding one element per item (`services` → `service`), a null an empty element, a
boolean `true` / `false`. XML is written with xml.etree.ElementTree (nothing is parsed from XML: requests come
form-encoded or as JSON), UTF-8 with its declaration, no namespace — as the spec recommends."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

from django.http import HttpResponse

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = ("json", "xml")
# The element of one item of each list the spec names.
ITEM = {"services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
        "endpoints": "endpoint", "formats": "format", "errors": "error"}
# Characters XML 1.0 cannot hold at all (a control character in an old text would make the document unreadable).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ElementTree.Element, value) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ElementTree.SubElement(element, name), child)
    elif isinstance(value, list | tuple):
        item = ITEM.get(element.tag, "item")
        for child in value:
            _fill(ElementTree.SubElement(element, item), child)
    else:
        element.text = _text(value)


def xml_document(root: str, data) -> bytes:
    """`data` (dicts, lists, scalars) under the element `root`, as bytes with the XML declaration."""
    element = ElementTree.Element(root)
    _fill(element, data)
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)


def open311_response(data, *, fmt: str, root: str, status: int = 200, headers: dict | None = None) -> HttpResponse:
    """The answer in the format the path's suffix asked for; `root` names the XML's root element (the JSON is
    `data` itself: a list for `services`, `service_requests`, `errors`; an object for a definition, discovery)."""
    if fmt == "json":
        body, content_type = json.dumps(data, ensure_ascii=False).encode(), JSON_TYPE
    else:
        body, content_type = xml_document(root, data), XML_TYPE
    response = HttpResponse(body, status=status, content_type=content_type)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def open311_error(*, fmt: str, code: int, description: str, headers: dict | None = None) -> HttpResponse:
    """The spec's error: `[{"code": 400, "description": "…"}]` / `<errors><error><code>…`."""
    return open311_response([{"code": code, "description": description}], fmt=fmt, root="errors", status=code,
                            headers=headers)
