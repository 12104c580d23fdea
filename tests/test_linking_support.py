"""Helpers shared by the linking tests (no tests here): the hand-made fixture store and paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from rncp_graph.store import GraphStore

from .constants import RESOURCES, SHARED_DATA

LINKING = RESOURCES / "linking"
FIXTURE_GRAPH = "https://w3id.org/rncp-graph/id/graph/source/linking-fixture"
ELM_DIR = SHARED_DATA / "elm"
ESCO_DIRS = {
    "v1.0": SHARED_DATA / "esco-fr" / "raw-v1.0-emanuellandell",
    "v1.2.1": SHARED_DATA / "esco-fr" / "mockly-v1.2.1-api",
}


def fixture_store(path: Path | None = None) -> GraphStore:
    """A store holding the hand-made fiche graph and levels (``tests/resources/linking``)."""
    store = GraphStore(path)
    store.load_file(LINKING / "fiches.ttl", FIXTURE_GRAPH)
    store.load_file(LINKING / "levels.ttl", "https://w3id.org/rncp-graph/id/graph/schemes")
    return store


@pytest.fixture
def linking_store() -> GraphStore:
    return fixture_store()


def shared(path: Path) -> Path:
    """``path`` under ../shared/data, or a clean skip when it is absent."""
    if not path.exists():
        pytest.skip(f"real third-party data not available at {path}")
    return path
