"""``rncp-graph serve``: the same answers whichever way the graph is served, nothing left behind.

* Every saved query, with the parameters of each sample case, gives the same rows locally and
  through a server over ``rncp.nt`` and over the store folder that ``build --store`` made
  (issue 19 item 15: the store folder used to serve an empty default graph, "(0 rows)").
* ``SIGTERM`` to ``rncp-graph serve`` closes the port, stops the Oxigraph server and removes
  its temporary database folder; ``kill -9`` to it still stops the server (issue 19 item 9).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from rncp_graph import queries
from rncp_graph.info import open_graph
from rncp_graph.processes import remove_orphans
from rncp_graph.queries import Endpoint
from rncp_graph.serve import find_oxigraph, free_port, serving

from .constants import FICHES_DIR
from .test_queries_support import Case, assert_rows, iter_sample_cases, multiset

pytestmark = pytest.mark.skipif(find_oxigraph() is None, reason="the oxigraph server binary is not installed")

SAMPLE_CASES = list(iter_sample_cases())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``rncp-graph build data/fiches --store store --out out``, in a process of its own (which
    then releases the store folder, as a real ``serve`` finds it)."""
    folder = tmp_path_factory.mktemp("served")
    command = [sys.executable, "-m", "rncp_graph", "-q", "build", str(FICHES_DIR), "--no-validate"]
    done = subprocess.run(
        [*command, "--store", str(folder / "store"), "--out", str(folder / "out")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture(scope="module", params=["store", "out/rncp.nt"])
def endpoint(request: pytest.FixtureRequest, built: Path) -> Iterator[Endpoint]:
    with serving(built / request.param) as server:
        yield Endpoint(server.query_url, timeout=10, deadline=30)


@pytest.mark.parametrize("case", SAMPLE_CASES, ids=lambda c: c.id)
def test_served_store_folder_and_file_answer_as_locally(case: Case, endpoint: Endpoint, built: Path) -> None:
    local = queries.run(case.query, case.params, target=open_graph(built / "store"))
    served = queries.run(case.query, case.params, target=endpoint)
    assert served.columns == local.columns
    assert multiset(served) == multiset(local)
    assert_rows(served, case)


# -- signals -------------------------------------------------------------------------------
def children(pid: int) -> set[int]:
    """The child processes of ``pid`` (from /proc: psutil is not a dependency)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found |= {int(p) for p in task.read_text().split()}
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped by its parent, does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in {"Z", "X"}


def wait_until(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def start_serve(graph: Path, port: int, tmp: Path, *options: str) -> tuple[subprocess.Popen[bytes], int]:
    """``rncp-graph serve`` in a process of its own, up and answering; and its Oxigraph server's pid."""
    environment = {**os.environ, "TMPDIR": str(tmp)}
    command = [sys.executable, "-m", "rncp_graph", "serve", "--graph", str(graph), "--port", str(port), *options]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=environment)
    assert process.stdout is not None
    line = process.stdout.readline()  # printed once the server answers
    assert b"SPARQL endpoint" in line, line
    (server,) = children(process.pid)
    return process, server


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["TERM", "KILL"])
def test_a_killed_serve_leaves_no_server(built: Path, tmp_path: Path, signum: int) -> None:
    port = free_port()
    process, server = start_serve(built / "out" / "rncp.nt", port, tmp_path)
    assert alive(server) and list(tmp_path.glob("rncp-graph-serve-*"))  # its temporary database
    assert len(queries.run("level-counts", target=Endpoint(f"http://127.0.0.1:{port}/query"))) == 3
    process.send_signal(signum)
    process.wait(timeout=20)
    wait_until(lambda: not alive(server), 10, f"the Oxigraph server {server} outlived rncp-graph serve")
    with pytest.raises(queries.errors.EndpointUnreachableError):
        queries.run("level-counts", target=Endpoint(f"http://127.0.0.1:{port}/query", timeout=1, retries=0))
    if signum == signal.SIGTERM:
        assert process.returncode == 128 + signal.SIGTERM
    else:  # kill -9 runs no code of ours: the folder stays, for the next serve to remove
        (left,) = tmp_path.glob("rncp-graph-serve-*")
        assert remove_orphans(tmp_path, "rncp-graph-serve-") == [left]
    assert not list(tmp_path.glob("rncp-graph-serve-*"))


# -- cross-origin requests -----------------------------------------------------------------
ORIGIN = "https://notebook.example"


def cross_origin(url: str, method: str = "GET") -> dict[str, str]:
    """The headers of the answer to a request from a page of ``ORIGIN`` (a preflight with ``OPTIONS``)."""
    headers = {"Origin": ORIGIN}
    if method == "OPTIONS":
        headers |= {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    request = urllib.request.Request(url, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status in (200, 204), answer.status
        return {key.lower(): value for key, value in answer.headers.items()}


def test_serve_cors_answers_cross_origin_requests(built: Path, tmp_path: Path) -> None:
    port = free_port()
    process, _server = start_serve(built / "out" / "rncp.nt", port, tmp_path, "--cors")
    try:
        url = f"http://127.0.0.1:{port}/query"
        preflight = cross_origin(url, "OPTIONS")
        assert preflight["access-control-allow-origin"] == "*"
        assert "content-type" in preflight["access-control-allow-headers"]
        answer = cross_origin(url + "?query=ASK%7B%7D")
        assert answer["access-control-allow-origin"] == "*"
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_without_cors_no_cross_origin_header(built: Path) -> None:
    with serving(built / "out" / "rncp.nt") as server:
        assert "--cors" not in server.command()
        answer = cross_origin(server.query_url + "?query=ASK%7B%7D")
    assert "access-control-allow-origin" not in answer


# -- the notebook's union: the rows of an endpoint over rncp.nt ------------------------------
#: every ROME code and its label: each source file states them again (one named graph per file)
ROME_LABELS = "SELECT ?code ?label WHERE { ?code a rncp:RomeCode ; skos:prefLabel ?label }"


def test_select_gives_the_rows_of_an_endpoint_over_rncp_nt(built: Path) -> None:
    store = open_graph(built / "store")
    with serving(built / "out" / "rncp.nt") as server:
        served = queries.run_text(ROME_LABELS, target=Endpoint(server.query_url, timeout=10, deadline=30))
    local = queries.run_text(ROME_LABELS, target=store)
    assert len(served) > 0 and multiset(local) == multiset(served)
    store.union = "per-graph"  # pyoxigraph's union: one row per source graph stating the triple
    assert len(queries.run_text(ROME_LABELS, target=store)) > len(served)
