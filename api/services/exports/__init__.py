"""Export formats (BibTeX, CSL-JSON, RIS, CSV, JSON-LD, GraphML) and whole-graph dump / restore.

Every whole-graph export is a generator of text chunks that reads the database in batches,
so memory stays flat however large the graph grows; callers stream the chunks out as they
come (an HTTP `StreamingResponse`, a file).
"""

from collections.abc import Callable, Iterator

from sqlmodel import Session

from api.services.exports import bibtex, csl, csv_writer, dump, graphml, jsonld, ris
from api.services.exports.bibtex import bibtex_stream, paper_bibtex_fields
from api.services.exports.content_hash import content_hash
from api.services.exports.csl import csl_item, csl_json_stream
from api.services.exports.csv_writer import csv_stream
from api.services.exports.dump import (
    DUMP_FORMAT,
    DUMP_VERSION,
    dump_graph,
    dump_stream,
    restore_graph,
)
from api.services.exports.graphml import graphml_stream
from api.services.exports.jsonld import NODE_KINDS, graph_jsonld_stream, node_jsonld
from api.services.exports.jsonld_terms import jsonld_context
from api.services.exports.papers import (
    PaperSelection,
    category_papers,
    engine_papers,
    paper_records,
    technique_papers,
)
from api.services.exports.ris import ris_stream

# Media type and file-name suffix to serve each format with.
MEDIA_TYPES: dict[str, tuple[str, str]] = {
    "bibtex": (bibtex.MEDIA_TYPE, ".bib"),
    "csl-json": (csl.MEDIA_TYPE, ".json"),
    "ris": (ris.MEDIA_TYPE, ".ris"),
    "csv": (csv_writer.MEDIA_TYPE, ".csv"),
    "csv-excel": (csv_writer.MEDIA_TYPE, ".csv"),
    "jsonld": (jsonld.MEDIA_TYPE, ".jsonld"),
    "graphml": (graphml.MEDIA_TYPE, ".graphml"),
    "dump": (dump.MEDIA_TYPE, ".json"),
}

PaperStream = Callable[[Session, PaperSelection], Iterator[str]]
PAPER_STREAMS: dict[str, PaperStream] = {
    "bibtex": bibtex_stream,
    "csl-json": csl_json_stream,
    "ris": ris_stream,
}
"""The citation formats of a paper set, each streamed from the same paper records."""

__all__ = [
    "DUMP_FORMAT",
    "DUMP_VERSION",
    "MEDIA_TYPES",
    "NODE_KINDS",
    "PAPER_STREAMS",
    "PaperSelection",
    "bibtex_stream",
    "category_papers",
    "content_hash",
    "csl_item",
    "csl_json_stream",
    "csv_stream",
    "dump_graph",
    "dump_stream",
    "engine_papers",
    "graph_jsonld_stream",
    "graphml_stream",
    "jsonld_context",
    "node_jsonld",
    "paper_bibtex_fields",
    "paper_records",
    "restore_graph",
    "ris_stream",
    "technique_papers",
]
