"""Loaders: one module per source format, each returning a :class:`~rncp_graph.model.LoadResult`.

A loader knows its source format and nothing of RDF: it fills the plain model objects of
:mod:`rncp_graph.model` and reports every problem it meets. See ``README.md`` in this folder.
"""
