"""JSON-LD with a local ``@context``: expanded by pyld and parsed by rdflib, never fetching a URL.

The data file names its context by a relative reference; both readers get it from disk only
(pyld through a document loader that serves the release folder and nothing else; rdflib with
urllib denied every non-``file:`` URL), and both give back exactly the graph.
"""

from __future__ import annotations

import io
import json
import urllib.error
from pathlib import Path
from typing import Any

import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld
from rdflib.compare import isomorphic

from rncp_graph.exports.jsonld import CONTEXT_NAME, compact, context_document, write_document
from rncp_graph.namespaces import PREFIXES
from rncp_graph.terms import fr, iri, line, string

from .test_publish_support import deny_remote_urls


def local_loader(folder: Path) -> Any:
    """A pyld document loader that serves files of ``folder`` and refuses everything else."""

    def load(url: str, options: Any = None) -> dict[str, Any]:
        path = Path(url.removeprefix("file://"))
        if not url.startswith("file://") or path.parent != folder:
            raise jsonld.JsonLdError(
                f"refused to load {url}", "loading document failed", code="loading document failed"
            )
        return {"contextUrl": None, "documentUrl": url, "document": json.loads(path.read_text(encoding="utf-8"))}

    return load


def expand_with_pyld(folder: Path, name: str) -> rdflib.Graph:
    document = json.loads((folder / name).read_text(encoding="utf-8"))
    options = {"documentLoader": local_loader(folder), "base": (folder / name).as_uri()}
    nquads = jsonld.to_rdf(jsonld.expand(document, options), {"format": "application/n-quads"})
    return rdflib.Graph().parse(data=nquads, format="nt")


def test_data_refers_to_the_local_context_by_relative_name(release: Path) -> None:
    head = (release / "rncp.jsonld").read_bytes()[:200]
    assert head.startswith(b'{"@context":"context.jsonld","@graph":[')
    context = json.loads((release / CONTEXT_NAME).read_text(encoding="utf-8"))
    assert context == context_document() == {"@context": dict(sorted(PREFIXES.items()))}
    assert all(value.endswith(("/", "#")) for value in context["@context"].values())  # usable as prefixes


def test_pyld_expands_it_to_the_graph_using_the_local_context_only(release: Path, canonical: rdflib.Graph) -> None:
    graph = expand_with_pyld(release, "rncp.jsonld")
    assert len(graph) == len(canonical)
    assert isomorphic(graph, canonical)


def test_rdflib_parses_it_to_the_graph_with_urls_denied(release: Path, canonical: rdflib.Graph) -> None:
    with deny_remote_urls():
        graph = rdflib.Graph().parse(release / "rncp.jsonld", format="json-ld")
    assert isomorphic(graph, canonical)


def test_the_network_guard_really_refuses_a_remote_context(tmp_path: Path) -> None:
    (tmp_path / "remote.jsonld").write_text('{"@context": "http://example.org/ctx.jsonld", "@id": "x:y"}')
    with deny_remote_urls(), pytest.raises(urllib.error.URLError, match="network access refused"):
        rdflib.Graph().parse(tmp_path / "remote.jsonld", format="json-ld")
    with pytest.raises(jsonld.JsonLdError):
        expand_with_pyld(tmp_path, "remote.jsonld")


@pytest.mark.parametrize(
    ("full", "short"),
    [
        ("https://w3id.org/rncp-graph/ontology#title", "rncp:title"),
        ("https://w3id.org/rncp-graph/id/certification/RNCP34808", "rncpid:certification/RNCP34808"),
        ("https://w3id.org/rncp-graph/id/", "rncpid:"),
        ("http://schema.org///odd", "http://schema.org///odd"),  # "schema://odd" would read as an absolute IRI
        ("https://example.org/x", "https://example.org/x"),
    ],
)
def test_compact_iris_expand_back_to_the_same_iri(full: str, short: str) -> None:
    assert compact(full) == short
    document = {"@context": context_document()["@context"], "@id": compact(full), "@type": compact(full)}
    expanded = jsonld.expand(document)[0]
    assert expanded["@id"] == full and expanded["@type"] == [full]


LITERAL_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


@settings(max_examples=40, deadline=None)
@given(
    texts=st.lists(LITERAL_TEXT, min_size=1, max_size=4), local=st.from_regex(r"[A-Za-z0-9._~-]{1,12}", fullmatch=True)
)
def test_any_text_round_trips_through_the_writer_and_pyld(texts: list[str], local: str) -> None:
    subject = iri(f"https://w3id.org/rncp-graph/id/competency/{local}")
    predicate = iri("https://w3id.org/rncp-graph/ontology#text")
    lines = sorted({line((subject, predicate, value)) for t in texts for value in (fr(t), string(t))})
    buffer = io.BytesIO()
    write_document([x.encode("utf-8") for x in lines], buffer)
    document = json.loads(buffer.getvalue())
    document["@context"] = context_document()["@context"]  # in place of the file it names
    nquads = jsonld.to_rdf(jsonld.expand(document), {"format": "application/n-quads"})
    expected = rdflib.Graph().parse(data="\n".join(lines), format="nt")
    assert isomorphic(rdflib.Graph().parse(data=nquads, format="nt"), expected)
