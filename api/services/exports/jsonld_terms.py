"""The words of our JSON-LD: the inline context, InferGraph's own vocabulary (`ig:`), and IRIs.

Every node IRI is `{base}/api/v1/{collection}/{key}`, the REST route that answers it with
`format=jsonld` (runs and authors have no detail route: their IRIs name them, nothing more).
`base` is the server's own URL (or `INFERGRAPH_BASE_URL`). Keys, DOIs and URLs are
percent-encoded where an IRI may not hold them (`<`, `>`, `"`, `{`, `}`, spaces, …).
"""

import re
from typing import Any
from urllib.parse import quote

from api.services.ingest.readers.identifiers import plain_url

SCHEMA = "https://schema.org/"
COLLECTIONS = {
    "category": "categories",
    "technique": "techniques",
    "feature": "features",
    "organization": "organizations",
    "engine": "engines",
    "platform": "platforms",
    "precision": "precisions",
    "device": "devices",
    "model": "models",
    "source": "sources",
    "paper": "papers",
    "run": "benchmark-runs",
    "author": "authors",
}
# Properties whose values are IRIs (written as plain strings in the document).
IRI_PROPERTIES = (
    "url",
    "sameAs",
    "codeRepository",
    "targetProduct",
    "creator",
    "inDefinedTermSet",
    "subjectOf",
    "isRelatedTo",
    "itemOffered",
)
CLASSES: dict[str, tuple[str, str]] = {
    "SupportFact": (
        "What a source states about an engine and one target (a matrix column, a hardware "
        "platform or a precision): supported, not_supported or unknown.",
        "Intangible",
    ),
    "BenchmarkRun": ("One measured number of an engine on a model and device.", "Intangible"),
}
"""Our classes: name → (comment, schema.org superclass)."""
PROPERTIES: dict[str, tuple[str, tuple[str, ...], str, bool]] = {
    "supportsTechnique": (
        "The engine supports this technique (a matrix column it supports covers it).",
        ("SoftwareApplication",),
        "DefinedTerm",
        True,
    ),
    "runsOn": (
        "The engine supports this hardware platform.",
        ("SoftwareApplication",),
        "Product",
        True,
    ),
    "openSource": (
        "Whether the code is open: yes, partial or no.",
        ("SoftwareApplication",),
        "Text",
        False,
    ),
    "organizationKind": (
        "community, academic, big_tech or startup.",
        ("Organization",),
        "Text",
        False,
    ),
    "support": (
        "A support fact about this engine.",
        ("SoftwareApplication",),
        "ig:SupportFact",
        False,
    ),
    "target": (
        "The matrix column, platform or precision a support fact is about.",
        ("ig:SupportFact",),
        "DefinedTerm",
        True,
    ),
    "status": ("supported, not_supported or unknown.", ("ig:SupportFact",), "Text", False),
    "source": (
        "The table, figure or text a fact, price or run was taken from.",
        ("ig:SupportFact", "ig:BenchmarkRun", "Offer"),
        "CreativeWork",
        True,
    ),
    "coversTechnique": (
        "A technique a matrix column covers.",
        ("DefinedTerm",),
        "DefinedTerm",
        True,
    ),
    "bits": ("Bits per value of a numeric precision.", ("DefinedTerm",), "Integer", False),
    "parametersBillion": (
        "Model size in billions of parameters.",
        ("CreativeWork",),
        "Number",
        False,
    ),
    "modelFamily": ("The model's family, e.g. Llama 3.", ("CreativeWork",), "Text", False),
    "locator": (
        "Where in its document a source is: a table or figure number.",
        ("CreativeWork",),
        "Text",
        False,
    ),
    "asOf": ("Date of the document version read.", ("CreativeWork",), "Date", False),
    "engine": ("The engine measured.", ("ig:BenchmarkRun",), "SoftwareApplication", True),
    "model": ("The model served.", ("ig:BenchmarkRun",), "CreativeWork", True),
    "modelScope": (
        "The model class when no one model is named.",
        ("ig:BenchmarkRun",),
        "Text",
        False,
    ),
    "device": ("The device the run used.", ("ig:BenchmarkRun",), "Product", True),
    "deviceCount": ("How many devices the run used.", ("ig:BenchmarkRun",), "Integer", False),
    "metric": ("What was measured, e.g. output_throughput.", ("ig:BenchmarkRun",), "Text", False),
    "qualifier": (
        "exact, approximate, greater_than or at_least.",
        ("ig:BenchmarkRun",),
        "Text",
        False,
    ),
    "concurrency": ("Concurrent requests during the run.", ("ig:BenchmarkRun",), "Integer", False),
    "workload": ("The workload or dataset of the run.", ("ig:BenchmarkRun",), "Text", False),
    "result": (
        "The measured value with its unit.",
        ("ig:BenchmarkRun",),
        "QuantitativeValue",
        False,
    ),
}
"""Our properties: name → (comment, domain, range, IRI-valued). A domain or range without
`ig:` is a schema.org type."""


def vocabulary_iri(base: str) -> str:
    return f"{base.rstrip('/')}/vocab#"


def jsonld_context(base: str) -> dict[str, Any]:
    context: dict[str, Any] = {
        "@vocab": SCHEMA,
        "schema": SCHEMA,
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "ig": vocabulary_iri(base),
        # Author order matters for citation, so it is an RDF list.
        "author": {"@id": f"{SCHEMA}author", "@container": "@list"},
    }
    for name in IRI_PROPERTIES:
        context[name] = {"@id": f"{SCHEMA}{name}", "@type": "@id"}
    for name, (_, _, _, iri_valued) in PROPERTIES.items():
        context[name] = {"@id": f"ig:{name}", **({"@type": "@id"} if iri_valued else {})}
    for name in ("rdfs:domain", "rdfs:range", "rdfs:subClassOf"):
        context[name] = {"@type": "@id"}
    return context


def vocabulary_nodes() -> list[dict[str, Any]]:
    """Our classes and properties, described in RDF Schema, for the head of the graph."""
    nodes: list[dict[str, Any]] = [
        {
            "@id": f"ig:{name}",
            "@type": "rdfs:Class",
            "rdfs:comment": comment,
            "rdfs:subClassOf": f"schema:{parent}",
        }
        for name, (comment, parent) in CLASSES.items()
    ]
    for name, (comment, domain, value_range, _) in PROPERTIES.items():
        nodes.append(
            {
                "@id": f"ig:{name}",
                "@type": "rdfs:Property",
                "rdfs:comment": comment,
                "rdfs:domain": [_term(d) for d in domain],
                "rdfs:range": _term(value_range),
            }
        )
    return nodes


def _term(name: str) -> str:
    return name if name.startswith("ig:") else f"schema:{name}"


def iri(base: str, kind: str, key: str) -> str:
    return f"{base.rstrip('/')}/api/v1/{COLLECTIONS[kind]}/{quote(key, safe='')}"


# What RFC 3987 lets an IRI hold as it is (reserved characters, unreserved ones and `%`);
# everything else, `<`, `>`, `"`, `{`, `}`, `|`, `\`, `^`, `` ` `` and spaces, is encoded.
_IRI_SAFE = ":/?#[]@!$&'()*+,;=-._~%"
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# A DOI's own `/` stays; `?` and `#` would cut it short at doi.org, so they are encoded.
_DOI_SAFE = ":/@!$&'()*+,;=-._~"


def url_iri(url: str) -> str:
    """A stored URL as an IRI: BibTeX escapes (`{\\_}`) decoded, unsafe characters encoded."""
    text = _LONE_PERCENT.sub("%25", plain_url(url))
    return quote(text, safe=_IRI_SAFE)


def doi_iri(doi: str) -> str:
    return "https://doi.org/" + quote(doi, safe=_DOI_SAFE)
