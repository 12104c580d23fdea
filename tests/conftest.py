"""Shared pytest fixtures. Sockets are disabled for every test except loopback (pyproject)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import rdflib

from rncp_graph import Build, build
from rncp_graph.exports.publish import publish

from .constants import FICHES_DIR, SHARED_DATA
from .test_publish_support import META


@pytest.fixture(autouse=True, scope="session")
def _own_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The query verdicts (rncp_graph.queries.verdicts) of this run, and of the commands it starts,
    go to a folder of its own, not the user's ~/.cache."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


@pytest.fixture(scope="session")
def sample_build() -> Build:
    """The graph built from the five sample fiches, in memory (built once per session)."""
    return build([FICHES_DIR])


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``, or a clean skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real third-party data not available at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def canonical(sample_build: Build) -> rdflib.Graph:
    """The sample graph parsed by rdflib from the store's canonical lines (the reference)."""
    return sample_build.store.to_rdflib_graph()


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory, sample_build: Build) -> Path:
    """The release of the sample fiches, published once per session (pyLODE runs twice: worth sharing)."""
    out = tmp_path_factory.mktemp("release")
    publish(sample_build.store, out, metadata=META, build_manifest=sample_build.manifest())
    return out
