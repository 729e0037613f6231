"""The papers behind a sync's new references and engine papers, with bibliographic data.

A link already in the graph (the same URL cited, or a paper with that arXiv id) is that paper.
Every other arXiv link is fetched from arXiv in one request before anything is written; the
entries, and the DOI links, are then written as one ingest run inside the sync's transaction,
so the ingest's identity rules join them to what is there (arXiv id, DOI, title with authors
and year) and never merge two distinct papers. When arXiv cannot be reached (or returns no
entry for an id), the paper is written with what the README gives, its arXiv id and link,
and the report says so per reference: a later `infergraph ingest arxiv ID` fills it in. A
link with neither arXiv id nor DOI becomes a paper with that link only, its title left for
a curator: the README's label is not a title.
"""

import re
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.config import get_settings
from api.errors import InferGraphError, InvalidInputError, Problem
from api.services.ingest.readers.arxiv_client import ArxivClient
from api.services.ingest.readers.arxiv_feed import ArxivEntry
from api.services.ingest.readers.identifiers import arxiv_id_from_url, normalize_doi
from api.services.ingest.records import IncomingPaper, from_arxiv, normalize_words
from api.services.ingest.service import ingest_records
from api.services.ingest.suggestions import TechniqueMatcher
from api.services.ingest.transactions import ADVISORY_LOCK_KEY
from models.base import SourceKind
from models.ingest import EntryOutcome, IngestKind

_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\S+)$", re.I)
_KEY_LENGTH = 100


@dataclass
class ReferenceReport:
    url: str
    label: str
    paper: str | None
    """The paper's cite key."""
    outcome: str
    """`joined` (already in the graph), `added from arXiv`, `added from the README`."""
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Reference:
    label: str
    url: str
    line: int | None


class References:
    """Resolves links to paper ids for one apply; `prepare` first, then `paper_id`."""

    def __init__(self, session: Session, file: str, arxiv: ArxivClient | None) -> None:
        self.session = session
        self.file = file
        self.arxiv = arxiv
        self.reports: list[ReferenceReport] = []
        self._ids: dict[str, int] = {}

    def prepare(self, references: list[Reference]) -> None:
        """Resolve every link at once: one arXiv request, one ingest run."""
        pending: dict[str, Reference] = {}
        for reference in references:
            if reference.url in self._ids or reference.url in pending:
                continue
            found = self._stored(reference.url)
            if found is not None:
                self._remember(reference, found, "joined", "already in the graph")
            else:
                pending[reference.url] = reference
        if not pending:
            return
        entries, unreachable = self._fetch([arxiv_id_from_url(url) for url in pending])
        records: list[tuple[Reference, IncomingPaper, str]] = []
        for url, reference in pending.items():
            parsed = arxiv_id_from_url(url)
            doi = _DOI_URL.match(url)
            if parsed is not None and parsed.id in entries:
                records.append((reference, from_arxiv(entries[parsed.id]), ""))
            elif parsed is not None:
                why = unreachable or "arXiv returned no entry for this id"
                records.append((reference, self._readme_record(reference, arxiv=parsed.id), why))
            elif doi is not None:
                doi_value = normalize_doi(doi.group(1))
                records.append((reference, self._readme_record(reference, doi=doi_value), ""))
            else:
                self._remember(reference, self._plain_paper(reference), "added from the README")
        if records:
            self._ingest(records)
        order = {reference.url: i for i, reference in enumerate(references)}
        self.reports.sort(key=lambda report: order.get(report.url, len(order)))

    def paper_id(self, url: str) -> int:
        return self._ids[url]

    def _remember(
        self, reference: Reference, paper_id: int, outcome: str, message: str = ""
    ) -> None:
        self._ids[reference.url] = paper_id
        paper = self.session.get(m.Paper, paper_id)
        key = paper.bibtex_key if paper else None
        self.reports.append(ReferenceReport(reference.url, reference.label, key, outcome, message))

    def _stored(self, url: str) -> int | None:
        """A paper the graph already has for this link: cited by it, or by its arXiv id."""
        for model in (m.TechniqueCitation, m.EnginePaper):
            cited = self.session.exec(select(model.paper_id).where(model.url == url)).first()
            if cited is not None:
                return cited
        parsed = arxiv_id_from_url(url)
        if parsed is None:
            return self.session.exec(select(m.Paper.id).where(m.Paper.url == url)).first()
        stored = self.session.exec(select(m.Paper.id).where(m.Paper.arxiv_id == parsed.id)).first()
        if stored is not None:
            return stored
        # An arXiv id a curator's merge absorbed names the survivor.
        return self.session.exec(
            select(m.PaperAlias.paper_id).where(
                m.PaperAlias.kind == m.AliasKind.ARXIV, m.PaperAlias.value == parsed.id
            )
        ).first()

    def _fetch(self, ids: list[Any]) -> tuple[dict[str, ArxivEntry], str]:
        wanted = sorted({parsed.id for parsed in ids if parsed is not None})
        if not wanted:
            return {}, ""
        client = self.arxiv or ArxivClient.from_settings(get_settings())
        try:
            result = client.fetch_ids(wanted)
        except InferGraphError as error:
            return {}, f"arXiv could not be asked ({error.message}): written with its id and link"
        return {entry.arxiv_id: entry for entry in result.entries}, ""

    def _readme_record(
        self, reference: Reference, *, arxiv: str | None = None, doi: str | None = None
    ) -> IncomingPaper:
        fields = {"url": reference.url}
        if arxiv:
            fields |= {"eprint": arxiv, "archiveprefix": "arXiv"}
        if doi:
            fields["doi"] = doi
        return IncomingPaper(
            origin="bibtex",
            location=f"{self.file}:{reference.line or 0}",
            # Only the base of the generated key (the record has an identifier, so a key is
            # never evidence for it): `survey-gimetal2024` rather than `anon`.
            cite_key=_label_key(reference.label),
            entry_type="misc",
            columns={"arxiv_id": arxiv, "doi": doi, "url": reference.url},
            bibtex_fields=fields,
            authors=(),
        )

    def _ingest(self, records: list[tuple[Reference, IncomingPaper, str]]) -> None:
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            # Matching and inserting must not interleave with an ingest doing the same, or
            # both would insert the paper; every ingest batch takes this lock too.
            connection.execute(
                sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            )
        locator = f"survey sync {self.file}: " + ", ".join(r.url for r, _, _ in records)
        results = ingest_records(
            connection,
            IngestKind.ARXIV,
            locator,
            [record for _, record, _ in records],
            TechniqueMatcher.load(self.session),
        )
        problems: list[Problem] = []
        for (reference, record, why), result in zip(records, results, strict=True):
            if result.paper_id is None:
                problems.append(
                    Problem(
                        result.message or "the paper could not be written",
                        location=f"{self.file}:{reference.line or 0}",
                        value=reference.url,
                    )
                )
                continue
            if result.outcome in (EntryOutcome.ADDED, EntryOutcome.CONFLICT):
                outcome = (
                    "added from arXiv" if record.origin == "arxiv" else "added from the README"
                )
            else:
                outcome = "joined"
            message = "; ".join(
                text
                for text in (
                    why,
                    f"by {result.evidence}" if result.evidence else "",
                    result.message,
                )
                if text
            )
            self._remember(reference, result.paper_id, outcome, message)
        if problems:
            raise InvalidInputError(
                f"{len(problems)} reference(s) cannot be written; nothing was", problems
            )

    def _plain_paper(self, reference: Reference) -> int:
        paper = m.Paper(
            bibtex_key=self._free_key(reference.label),
            entry_type="misc",
            url=reference.url,
            bibtex_fields={"url": reference.url},
            source_id=self._source_id(),
        )
        self.session.add(paper)
        self.session.flush()
        assert paper.id is not None
        return paper.id

    def _free_key(self, label: str) -> str:
        base = _label_key(label)
        taken = set(
            self.session.exec(
                select(m.Paper.bibtex_key).where(col(m.Paper.bibtex_key).startswith(base))
            )
        )
        taken |= set(
            self.session.exec(
                select(m.PaperAlias.value).where(
                    m.PaperAlias.kind == m.AliasKind.KEY, col(m.PaperAlias.value).startswith(base)
                )
            )
        )
        key, n = base, 1
        while key in taken:
            n += 1
            key = f"{base}-{n}"
        return key

    def _source_id(self) -> int:
        slug = "survey-sync-references"
        source = self.session.exec(select(m.Source).where(m.Source.slug == slug)).first()
        if source is None:
            source = m.Source(
                slug=slug,
                title="Links the survey list cites that have no arXiv id or DOI",
                kind=SourceKind.LIST,
                locator="README.md: technique references and engine papers",
            )
            self.session.add(source)
            self.session.flush()
        assert source.id is not None
        return source.id


def _label_key(label: str) -> str:
    """A cite key from the README's label (`Gim et al. (2024)` → `survey-gimetal2024`)."""
    return ("survey-" + normalize_words(label).replace(" ", ""))[:_KEY_LENGTH]
