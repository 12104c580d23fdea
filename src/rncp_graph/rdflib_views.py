"""rdflib stores that refuse to reach the network, for the rdflib views of a :class:`GraphStore`.

``Graph.query`` / ``Graph.update`` first offer the text to the store. Over Oxigraph
(oxrdflib), a text is run by Oxigraph itself; a query rdflib already parsed
(``prepareQuery``), or a call with options oxrdflib does not know, is given back
(``NotImplementedError``) and evaluated by rdflib's own engine, which fetches ``SERVICE``,
``LOAD``, ``FROM`` and ``USING`` with ``urllib``. An in-memory rdflib store gives back
every query. Both ways go through :meth:`GuardedStore.query` and :meth:`GuardedStore.update`
here, which check the query for the engine that will run it (:func:`rncp_graph.sparql_guard.guard`)
unless the store was made with ``allow_federation=True``.
"""

from __future__ import annotations

from typing import Any

from oxrdflib import OxigraphStore
from rdflib.plugins.stores.memory import Memory

from .sparql_guard import guard


class GuardedStore:
    """A mixin for an rdflib store: :meth:`query` and :meth:`update` pass the network guard first."""

    allow_federation = False

    def query(self, query: Any, initNs: Any, initBindings: Any, queryGraph: Any, **kwargs: Any) -> Any:  # noqa: N803
        return self._guarded("query", query, initNs, initBindings, queryGraph, **kwargs)

    def update(self, update: Any, initNs: Any, initBindings: Any, queryGraph: Any, **kwargs: Any) -> Any:  # noqa: N803
        return self._guarded("update", update, initNs, initBindings, queryGraph, **kwargs)

    def _guarded(self, method: str, sparql: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.allow_federation and isinstance(sparql, str):
            guard(sparql, engine="oxigraph")  # as the store runs it itself (an escape, SERVICE, LOAD)
        try:
            return getattr(super(), method)(sparql, *args, **kwargs)
        except NotImplementedError:  # rdflib will evaluate it: check it in rdflib's terms
            if not self.allow_federation:
                guard(sparql, engine="rdflib")
            raise


class GuardedOxigraphStore(GuardedStore, OxigraphStore):
    """oxrdflib's store over a pyoxigraph store, guarded."""

    def __init__(self, *args: Any, allow_federation: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allow_federation = allow_federation


class GuardedMemory(GuardedStore, Memory):
    """rdflib's in-memory store, guarded (rdflib's engine runs every query on it)."""

    def __init__(self, *args: Any, allow_federation: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allow_federation = allow_federation
