"""How an incoming record changes a paper that is already stored.

Rules, so a preprint and its published version end up as one paper with both identifiers:
* identifiers (arXiv id, DOI) are added when the paper lacks them, never replaced;
* arXiv-only columns follow the newest arXiv version seen (an older one changes nothing);
* bibliographic columns fill blanks, except that a published record (a BibTeX entry with a
  venue) replaces a preprint record (no venue), and a newer arXiv version replaces the
  title and abstract of a preprint record.
"""

from datetime import datetime
from typing import Any

from api.db import as_utc
from api.services.ingest.identity import published_doi, stated_together
from api.services.ingest.records import ARXIV_OWNED, BIBLIOGRAPHIC, IDENTIFIERS, IncomingPaper

# Raw BibTeX fields that describe the preprint; kept when a published record replaces them.
_PREPRINT_FIELDS = ("eprint", "archiveprefix", "primaryclass", "eprinttype")


def new_paper_columns(incoming: IncomingPaper) -> dict[str, Any]:
    columns = {name: value for name, value in incoming.columns.items() if value is not None}
    return {
        **columns,
        "entry_type": incoming.entry_type,
        "bibtex_fields": dict(incoming.bibtex_fields),
        "identity_key": incoming.identity_key,
        **stated_together(columns),
    }


def joining(current: dict[str, Any], update: dict[str, Any], evidence: str) -> dict[str, Any]:
    """When an update makes a preprint and its published version one paper: which rule did
    (`joined_by`), and the preprint's URL kept beside the published one (`preprint_url`)."""
    if current.get("joined_by"):
        return {}
    after = current | update
    arxiv_id = after.get("arxiv_id")
    published = bool(after.get("venue") or published_doi(after.get("doi")))
    if not arxiv_id or not published:
        return {}
    was_preprint = current.get("arxiv_id") and not (
        current.get("venue") or published_doi(current.get("doi"))
    )
    was_published = not current.get("arxiv_id")
    if not (was_preprint or was_published):
        return {}
    joined: dict[str, Any] = {"joined_by": evidence}
    preprint = f"https://arxiv.org/abs/{arxiv_id}"
    if after.get("url") != preprint and not current.get("preprint_url"):
        joined["preprint_url"] = preprint
    return joined


def plan_update(current: dict[str, Any], incoming: IncomingPaper) -> dict[str, Any]:
    """The columns to set on `current` (a stored paper's columns); empty when nothing changes."""
    wanted: dict[str, Any] = {}
    for name in IDENTIFIERS:
        if current.get(name) is None and incoming.columns.get(name) is not None:
            wanted[name] = incoming.columns[name]
    newer_arxiv = incoming.origin == "arxiv" and _is_newer_version(current, incoming)
    if newer_arxiv:
        wanted.update({n: incoming.columns[n] for n in ARXIV_OWNED if n in incoming.columns})
    preprint = current.get("venue") is None
    if incoming.origin == "bibtex" and preprint and incoming.columns.get("venue"):
        wanted.update(_published_record(current, incoming))
    elif newer_arxiv and preprint:
        wanted.update({n: incoming.columns[n] for n in ("title", "abstract")})
    for name in BIBLIOGRAPHIC:
        if current.get(name) is None and name not in wanted:
            wanted[name] = incoming.columns.get(name)
    if not current.get("bibtex_fields") and "bibtex_fields" not in wanted:
        wanted["bibtex_fields"] = dict(incoming.bibtex_fields)
    return {
        name: value
        for name, value in wanted.items()
        if value is not None and not _same(current.get(name), value)
    }


def _is_newer_version(current: dict[str, Any], incoming: IncomingPaper) -> bool:
    if current.get("arxiv_id") not in (None, incoming.arxiv_id):
        return False
    stored = current.get("arxiv_version")
    version = incoming.columns.get("arxiv_version")
    return stored is None or (version is not None and version >= stored)


def _published_record(current: dict[str, Any], incoming: IncomingPaper) -> dict[str, Any]:
    fields = dict(incoming.bibtex_fields)
    for name in _PREPRINT_FIELDS:
        kept = (current.get("bibtex_fields") or {}).get(name)
        if kept is not None and name not in fields:
            fields[name] = kept
    record = {name: incoming.columns.get(name) for name in BIBLIOGRAPHIC}
    return {**record, "entry_type": incoming.entry_type, "bibtex_fields": fields}


def _same(stored: Any, value: Any) -> bool:
    # SQLite hands timestamps back without their zone; compare them as UTC.
    if isinstance(stored, datetime) and isinstance(value, datetime):
        return as_utc(stored) == as_utc(value)
    return bool(stored == value)


def describe_changes(current: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """`{column: [old, new]}` in JSON-safe values, for the paper_change record."""
    return {
        name: [_json_safe(current.get(name)), _json_safe(value)]
        for name, value in update.items()
        if name != "bibtex_fields"
    } | ({"bibtex_fields": "replaced"} if "bibtex_fields" in update else {})


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return value
