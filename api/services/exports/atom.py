"""The change feed as an Atom 1.0 document (RFC 4287), for feed readers.

Each change is an entry: its id a URN of the change, its title what happened to which
fact, its categories the action, table, source and source version, its content the fact's
values (and, for a change, each column's old and new value) as JSON text.
"""

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from api.services.changes import FactChangeEntry

MEDIA_TYPE = "application/atom+xml"
NAMESPACE = "http://www.w3.org/2005/Atom"
FEED_ID = "urn:infergraph:changes"
_SCHEME = "urn:infergraph:"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot carry at all, not even escaped; dropped from text."""


def atom_feed(entries: Sequence[FactChangeEntry], *, self_url: str, next_url: str | None) -> str:
    """The feed document; `updated` is the newest change's time (the epoch when none)."""
    ET.register_namespace("", NAMESPACE)
    feed = ET.Element(_tag("feed"))
    _text(feed, "id", FEED_ID)
    _text(feed, "title", "InferGraph: changes of survey facts")
    newest = max((entry.changed_at for entry in entries), default=datetime(1970, 1, 1, tzinfo=UTC))
    _text(feed, "updated", _time(newest))
    author = ET.SubElement(feed, _tag("author"))
    _text(author, "name", "InferGraph")
    ET.SubElement(feed, _tag("link"), rel="self", href=self_url, type=MEDIA_TYPE)
    if next_url is not None:
        ET.SubElement(feed, _tag("link"), rel="next", href=next_url, type=MEDIA_TYPE)
    for entry in entries:
        feed.append(_entry(entry))
    return ET.tostring(feed, encoding="unicode", xml_declaration=True)


def _entry(change: FactChangeEntry) -> ET.Element:
    entry = ET.Element(_tag("entry"))
    _text(entry, "id", f"urn:infergraph:fact-change:{change.id}")
    _text(entry, "title", change.title)
    _text(entry, "updated", _time(change.changed_at))
    for scheme, term in (
        ("action", change.action),
        ("table", change.table),
        ("source", change.source),
        ("source-version", change.source_version),
    ):
        if term is not None:
            ET.SubElement(entry, _tag("category"), scheme=f"{_SCHEME}{scheme}", term=term)
    body = {"values": change.values, "changed": change.changed}
    content = _text(entry, "content", json.dumps(body, ensure_ascii=False, default=str))
    content.set("type", "text")
    return entry


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _text(parent: ET.Element, name: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, _tag(name))
    element.text = _NOT_XML.sub("", text)
    return element


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
