"""HTML documentation of the ontology (pyLODE): complete, self-contained, and renders in a browser.

The browser test runs headless Chromium (Debian package ``chromium``; ``scripts/ensure-chromium.sh``
installs it) on the generated page and checks the screenshot is a real rendering. It is skipped,
saying why, when ``/usr/bin/chromium`` is absent.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import rdflib

from rncp_graph.exports.docs import LANGUAGES, documented_terms, single_language, stable_html
from rncp_graph.namespaces import RNCP
from rncp_graph.resources import ontology_file

CHROMIUM = Path("/usr/bin/chromium")
NAMESPACE = str(RNCP._NS)
WIDTH, HEIGHT = 1280, 1600


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_file(), format="turtle")


def test_every_class_and_property_is_listed_on_each_page(release: Path, ontology: rdflib.Graph) -> None:
    terms = documented_terms(ontology, NAMESPACE)
    assert len(terms) == len(RNCP.__annotations__)  # the module and the ontology agree (test_ontology.py)
    for lang in LANGUAGES:
        html = (release / "docs" / f"ontology.{lang}.html").read_text(encoding="utf-8")
        missing = [t for t in terms if f"<code>{t}</code>" not in html]
        assert missing == [], f"{lang}: {missing}"


def test_each_page_is_in_one_language(release: Path, ontology: rdflib.Graph) -> None:
    fr = (release / "docs" / "ontology.fr.html").read_text(encoding="utf-8")
    en = (release / "docs" / "ontology.en.html").read_text(encoding="utf-8")
    labels = {lit.language: str(lit) for lit in ontology.objects(RNCP.CompetencyBlock, rdflib.RDFS.label)}
    assert labels["fr"] != labels["en"]
    assert labels["fr"] in fr and labels["en"] not in fr
    assert labels["en"] in en and labels["fr"] not in en


def test_pages_load_nothing_from_the_network(release: Path) -> None:
    for lang in LANGUAGES:
        html = (release / "docs" / f"ontology.{lang}.html").read_text(encoding="utf-8")
        assert not re.search(r"<(script|img|iframe)[^>]+src=\"https?:", html)
        assert not re.search(r"<link[^>]+href=\"https?:", html)
        assert "@import" not in html


def test_union_members_are_sorted() -> None:
    member = '<span>\n  <a href="#{0}">{0}</a>\n  <sup class="sup-c" title="OWL/RDFS Class">c</sup>\n</span>'
    sep = '\n<span class="cardinality">or</span>\n'
    ordered = member.format("Bloc") + sep + member.format("Certification")
    shuffled = member.format("Certification") + sep + member.format("Bloc")
    assert stable_html(shuffled) == ordered == stable_html(ordered)


def test_single_language_keeps_untagged_literals() -> None:
    graph = rdflib.Graph()
    s = rdflib.URIRef("https://example.org/s")
    graph.add((s, rdflib.RDFS.label, rdflib.Literal("Bloc", lang="fr")))
    graph.add((s, rdflib.RDFS.label, rdflib.Literal("Block", lang="en")))
    graph.add((s, rdflib.RDFS.comment, rdflib.Literal("0.1.0")))
    kept = {str(o) for o in single_language(graph, "fr").objects(s, None)}
    assert kept == {"Bloc", "0.1.0"}


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.mark.browser
@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no /usr/bin/chromium: run scripts/ensure-chromium.sh (Debian package)"
)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_page_renders_in_headless_chromium(release: Path, tmp_path: Path, lang: str) -> None:
    page, shot = release / "docs" / f"ontology.{lang}.html", tmp_path / f"ontology.{lang}.png"
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
        f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={shot}", page.as_uri(),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, timeout=180, check=False)
    assert done.returncode == 0 and shot.exists(), done.stderr.decode(errors="replace")[-2000:]
    data = shot.read_bytes()
    assert _png_size(data) == (WIDTH, HEIGHT)
    assert len(data) > 50_000, "a blank or error page compresses to a few kilobytes"
    image = pytest.importorskip("PIL.Image").open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, "the page shows text and styles, not a flat colour"
    white = max(colours)[0] / (WIDTH * HEIGHT)
    assert 0.3 < white < 0.99, f"dominant colour covers {white:.0%} of the page"
