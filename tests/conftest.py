"""Shared pytest fixtures. Sockets are disabled for every test except loopback (pyproject)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rncp_graph import Build, build

from .constants import FICHES_DIR, SHARED_DATA


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
