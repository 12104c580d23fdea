"""Orchestration: the stages that turn sources into a store and its exports.

``sources`` finds the sources and their loader, ``stages`` holds what every stage shares,
``xml_parallel`` reads a large XML export in worker processes, ``merge`` compares the facts
several sources state about one fiche, ``build`` runs the whole pipeline, ``update`` applies
changed fiches to an existing store, ``diff`` compares two exports fiche by fiche.

Below this package sit the loaders (source → model) and the mapping (model → triples); nothing
below imports from here.
"""
