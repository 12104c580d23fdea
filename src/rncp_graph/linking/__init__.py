"""Linking: reference code lists as SKOS, proposed links to ESCO, the Europass (ELM) export.

=================  ===========================================================================
``rome``           ROME 4.0 referential → SKOS (codes, appellations, competences, savoirs)
``nsf``            NSF nomenclature → SKOS (domains, groups, specialties, letter facets)
``textmatch``      French normalisation, stop words, Snowball stems, TF-IDF cosine index
``esco_data``      reading the ESCO CSV download (both layouts), label variants
``esco``           proposing competency → skill and ROME → occupation links
``sssom``          the links as an SSSOM mapping set
``elm``            certifications as ELM qualifications; ``elm_shacl`` validates them
``iris_vocab``     the IRIs this stage mints; ``rdfio`` writes Turtle and named graphs
``run``            one entry point per command (``vocab``, ``link esco``, ``export elm``)
=================  ===========================================================================
"""
