"""French text matching: normalisation, stems, main clause, the TF-IDF index."""

from __future__ import annotations

from rncp_graph.linking.textmatch import TfidfIndex, content_stems, features, fold, main_clause, normalise, stem, words


def test_normalise_unifies_apostrophes_case_and_spaces() -> None:
    assert normalise("  L\u2019Équipe   d\u2019AIDE ") == "l'équipe d'aide"


def test_fold_removes_accents_and_ligatures_only_for_matching() -> None:
    assert fold("élaborer une œuvre à Noël") == "elaborer une oeuvre a Noel"


def test_elisions_are_split_off() -> None:
    assert words("Conduite d'engins et l'entretien") == ["conduite", "d", "engins", "et", "l", "entretien"]


def test_stems_unify_inflections() -> None:
    assert stem("budgets") == stem("budget")
    assert stem("services") == stem("service")
    assert stem("élaborer") == stem("élaboré")
    assert stem("élaborer") != stem("évaluer")


def test_stop_words_and_single_letters_are_dropped() -> None:
    assert content_stems("Gérer le budget d'une structure") == [stem("gérer"), stem("budget"), stem("structure")]


def test_features_add_bigrams() -> None:
    assert features("gérer budget") == [stem("gérer"), stem("budget"), f"{stem('gérer')}_{stem('budget')}"]


def test_main_clause_cuts_the_purpose() -> None:
    text = "Élaborer le budget prévisionnel afin de fixer les dépenses nécessaires"
    assert main_clause(text) == "Élaborer le budget prévisionnel"
    assert main_clause("Gérer le budget, en lien avec la direction") == "Gérer le budget"


def test_main_clause_keeps_the_sentence_when_the_cut_leaves_too_little() -> None:
    text = "Former, afin de transmettre les savoirs"
    assert main_clause(text) == text


def test_index_ranks_the_same_text_first_with_cosine_one() -> None:
    index = TfidfIndex(["gérer des budgets", "tailler des haies", "gérer une équipe"])
    hits = index.search(["Gérer les budgets"], top_k=3)
    assert hits[0].document == 0
    assert abs(hits[0].score - 1.0) < 1e-9
    assert all(h.document != 1 for h in hits)


def test_unknown_words_lower_the_score_and_alone_match_nothing() -> None:
    index = TfidfIndex(["gérer la paie", "tailler des haies"])
    (hit,) = index.search(["gérer la paie des xylophonistes"], top_k=1)
    assert 0.2 < hit.score < 0.9
    assert index.search(["xylophonistes zébrés"], top_k=1) == []


def test_min_score_filters_hits() -> None:
    index = TfidfIndex(["gérer la paie", "gérer une équipe de nuit"])
    assert [h.document for h in index.search(["gérer la paie"], top_k=5, min_score=0.9)] == [0]


def test_action_nouns_share_the_stem_of_their_verb() -> None:
    # block titles name actions by nouns, ESCO skills by verbs
    assert stem("gestion") == stem("gérer") and stem("conduite") == stem("conduire")
    assert content_stems("Gestion et animation d'équipe")[:2] == content_stems("gérer animer")
    assert stem("réalisation") == stem("réaliser")  # already equal without the table


def test_son_is_a_word_of_job_titles_not_a_stop_word() -> None:
    # "Ingénieur du son" must not become "ingénieur" (it matched any ESCO "ingénieur")
    assert content_stems("Ingénieur du son") == [stem("ingénieur"), stem("son")]
