"""Draw the subjects of the ESCO gold set and build their candidate pools (issue 22).

Independent of the project's matcher on purpose: the pools are the union of simple retrievals
that share no code with ``rncp_graph.linking``, so that the gold set does not favour it.

    PYTHONPATH=src python scripts/gold_candidates.py pool --data ../shared/data --out /tmp/gold
    PYTHONPATH=src python scripts/gold_candidates.py assemble --pool /tmp/gold/pool-rome.tsv \
        --labels /tmp/gold/labels-rome.txt --out tests/resources/linking/gold/rome-esco.tsv
    PYTHONPATH=src python scripts/gold_candidates.py sample --gold tests/resources/linking/gold

``pool`` draws the subjects (fixed seed) and writes one row per (subject, candidate) with the
retrievals that proposed it; labelling is done by hand (``labels-*.txt``: ``<row> y|n
[relation] [-- note]``, or ``+ <subject_id> <object_uri> y|n [relation] [-- note]`` for a
concept the annotator adds); ``assemble`` writes the gold TSV with its fold; ``sample`` draws
the blind second-pass sample from the gold files.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import random
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from rncp_graph.iris import text_hash, text_key

SEED = 22
N_ROME = 60
N_COMPETENCY = 105
HEADER = ["kind", "subject_id", "subject_label", "object_id", "object_label", "judgement", "relation", "fold", "note"]
_STOPWORDS = (
    "a au aux avec d de des du en et l la le les ou par pour sur un une dans son sa ses leur leurs "
    "aupres selon afin tout toute tous toutes autre autres cadre ainsi que qui"
)
STOP = frozenset(_STOPWORDS.split(" "))
ROME_CODE = re.compile(r"^[A-N]\d{4}$")


def norm_tokens(text: str, stem: int = 0) -> list[str]:
    """Lower-case, accent-free content words; with ``stem``, cut each to its first ``stem`` letters."""
    ascii_text = unicodedata.normalize("NFKD", text.replace("’", "'")).encode("ascii", "ignore").decode()
    words = [w for w in re.findall(r"[a-z0-9]+", ascii_text.lower()) if w not in STOP and len(w) > 1]
    words = [w[:-1] if len(w) > 3 and w[-1] in "sx" else w for w in words]
    return [w[:stem] for w in words] if stem else words


def fold(subject_id: str) -> str:
    """dev or test, from the first byte of the SHA-256 of the subject id (stable across runs)."""
    return "dev" if hashlib.sha256(subject_id.encode()).digest()[0] % 2 == 0 else "test"


def read_csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


# ---------------------------------------------------------------- ESCO


def esco_concepts(data: Path, kind: str) -> dict[str, dict[str, object]]:
    """ESCO ``kind`` (occupations/skills): mockly v1.2.1 labels, v1.0 for the rest and for ISCO/description."""
    mockly = {r["conceptUri"]: r for r in read_csv(data / f"esco-fr/mockly-v1.2.1-api/{kind}_fr.csv")}
    raw = {r["conceptUri"]: r for r in read_csv(data / f"esco-fr/raw-v1.0-emanuellandell/{kind}_fr.csv")}
    out: dict[str, dict[str, object]] = {}
    for uri in sorted(set(mockly) | set(raw)):
        m, r = mockly.get(uri), raw.get(uri)
        if m is not None:
            label, alts = m["preferredLabel"], [a for a in m["altLabels"].split("|") if a]
        else:
            assert r is not None
            label, alts = r["preferredLabel"], [a for a in r["altLabels"].split("\n") if a]
        out[uri] = {
            "label": label,
            "alts": alts,
            "isco": (r or {}).get("iscoGroup", ""),
            "description": (r or {}).get("description", ""),
            "in_mockly": m is not None,
        }
    return out


# ---------------------------------------------------------------- retrievals


class LabelIndex:
    """Every label of every concept, for token-overlap (idf-weighted) and character n-gram retrieval."""

    def __init__(self, concepts: dict[str, dict[str, object]], stem: int) -> None:
        self.stem = stem
        self.owner: list[str] = []
        self.texts: list[str] = []
        for uri, c in concepts.items():
            for text in [str(c["label"]), *c["alts"]]:  # type: ignore[misc]
                self.owner.append(uri)
                self.texts.append(text)
        self.tokens = [set(norm_tokens(t, stem)) for t in self.texts]
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, toks in enumerate(self.tokens):
            for tok in toks:
                self.postings[tok].append(i)
        df = Counter(tok for toks in self.tokens for tok in toks)
        self.idf = {tok: math.log(len(self.texts) / n) for tok, n in df.items()}
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), strip_accents="unicode")
        self.matrix = self.vectorizer.fit_transform(self.texts)

    def overlap(self, queries: Iterable[str], k: int) -> list[str]:
        """Concepts ranked by the best idf-weighted Dice overlap between a query and one of their labels."""
        best: dict[str, float] = defaultdict(float)
        for query in queries:
            q = set(norm_tokens(query, self.stem))
            hits = {i for tok in q for i in self.postings.get(tok, ())}
            for i in hits:
                common = math.fsum(self.idf[t] for t in q & self.tokens[i])
                total = math.fsum([*(self.idf.get(t, 0.0) for t in q), *(self.idf[t] for t in self.tokens[i])])
                best[self.owner[i]] = max(best[self.owner[i]], 2 * common / total)
        return [u for u, _ in sorted(best.items(), key=lambda x: (-x[1], x[0]))[:k]]

    def ngrams(self, queries: Iterable[str], k: int) -> list[str]:
        """Concepts ranked by the best character 3–4-gram tf-idf cosine between a query and one of their labels."""
        sims = linear_kernel(self.vectorizer.transform(list(queries)), self.matrix).max(axis=0)
        best: dict[str, float] = defaultdict(float)
        for i in sims.argsort()[::-1][: k * 20]:
            best[self.owner[i]] = max(best[self.owner[i]], float(sims[i]))
        return [u for u, _ in sorted(best.items(), key=lambda x: (-x[1], x[0]))[:k]]


def union(ranked: dict[str, list[str]], size: int) -> dict[str, list[str]]:
    """Round-robin union of ranked lists up to ``size`` concepts: concept → retrievals that proposed it."""
    out: dict[str, list[str]] = {}
    for rank in range(max(len(v) for v in ranked.values())):
        for items in ranked.values():
            if rank < len(items) and len(out) < size and items[rank] not in out:
                out[items[rank]] = [n for n, v in ranked.items() if items[rank] in v]
    return out


# ---------------------------------------------------------------- subjects


def rome_subjects(data: Path) -> list[tuple[str, str, list[str]]]:
    """60 ROME codes drawn at random among the 5-character v460 codes the 2021 register uses."""
    codes = {
        r["code_rome"]: r["libelle_rome"] for r in read_csv(data / "rome-v460/unix_referentiel_code_rome_v460_utf8.csv")
    }
    apps: dict[str, list[str]] = defaultdict(list)
    for r in read_csv(data / "rome-v460/unix_referentiel_appellation_v460_utf8.csv"):
        apps[r["code_rome"]].append(r["libelle_appellation_court"])
    observed = [r["rome_code"] for r in read_csv(data / "derived/rome_codes_observed_in_rncp_2021.csv", ";")]
    eligible = sorted({c for c in observed if ROME_CODE.match(c) and c in codes})
    drawn = random.Random(SEED).sample(eligible, N_ROME)
    return [(c, codes[c], apps[c]) for c in sorted(drawn)]


def competency_subjects(data: Path) -> list[tuple[str, str, list[str]]]:
    """105 distinct block texts drawn at random from the 2021 register (text_key-normalised, deduplicated)."""
    path = next((data / "rncp-2021-official-csv-layout").glob("export_fiches_CSV_Blocs_De_Comp*"))
    blocks: dict[str, list[str]] = defaultdict(list)
    for r in read_csv(path, ";"):
        text = text_key(r["Bloc_Competences_Libelle"] or "")
        if text:
            blocks[text].append(r["Bloc_Competences_Code"])
    drawn = random.Random(SEED).sample(sorted(blocks), N_COMPETENCY)
    return sorted((text_hash(t), t, sorted(set(blocks[t]))) for t in drawn)


# ---------------------------------------------------------------- pool


def rome_pool(data: Path, occupations: dict[str, dict[str, object]]) -> list[list[str]]:
    index = LabelIndex(occupations, stem=0)
    by_isco: dict[str, list[str]] = defaultdict(list)
    for uri, c in occupations.items():
        by_isco[str(c["isco"])].append(uri)
    rows = []
    for code, label, apps in rome_subjects(data):
        queries = [label, *apps]
        tok, ngr = index.overlap(queries, 6), index.ngrams(queries, 6)
        top_isco = str(occupations[tok[0]]["isco"]) if tok else ""
        neighbours = [u for u in index.ngrams([label], 200) if u in set(by_isco[top_isco])]
        picked = union({"tokens": tok[:4], "ngrams": ngr[:4], "isco": neighbours[:2]}, 7)
        for uri, how in picked.items():
            rows.append(["rome-occupation", code, label, uri, str(occupations[uri]["label"]), "+".join(how)])
    return rows


def competency_pool(data: Path, skills: dict[str, dict[str, object]]) -> list[list[str]]:
    index = LabelIndex(skills, stem=6)
    rows = []
    for sid, text, _blocks in competency_subjects(data):
        picked = union({"tokens": index.overlap([text], 4), "ngrams": index.ngrams([text], 4)}, 5)
        for uri, how in picked.items():
            rows.append(["competency-skill", sid, text, uri, str(skills[uri]["label"]), "+".join(how)])
    return rows


def write_tsv(path: Path, header: list[str], rows: list[list[str]], comments: Iterable[str] = ()) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        for line in comments:
            f.write(f"# {line}\n" if line else "#\n")
        writer = csv.writer(f, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
        writer.writerow(header)
        writer.writerows(rows)


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def cmd_pool(args: argparse.Namespace) -> None:
    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    header = ["row", "kind", "subject_id", "subject_label", "object_id", "object_label", "retrieval"]
    occ = esco_concepts(data, "occupations")
    rows = rome_pool(data, occ)
    write_tsv(out / "pool-rome.tsv", header, [[str(i), *r] for i, r in enumerate(rows)])
    skills = esco_concepts(data, "skills")
    rows = competency_pool(data, skills)
    write_tsv(out / "pool-competency.tsv", header, [[str(i), *r] for i, r in enumerate(rows)])
    subjects = [[sid, " ".join(blocks), text] for sid, text, blocks in competency_subjects(data)]
    comments = [
        "Competency subjects of competency-esco.tsv: subject_id = rncp_graph.iris.text_hash(text), the block",
        "codes of the 2021 register whose Bloc_Competences_Libelle has this text (graph IRI …/id/block/<code>).",
    ]
    write_tsv(out / "competency-subjects.tsv", ["subject_id", "block_codes", "text"], subjects, comments)


# ---------------------------------------------------------------- assemble / sample


LABEL_LINE = re.compile(
    r"^(?P<row>\d+|\+ (?P<sid>\S+) (?P<uri>\S+)) (?P<j>[yn])"
    r"(?: (?P<rel>exact|close|broad|narrow))?(?: -- (?P<note>.*))?$"
)


def cmd_assemble(args: argparse.Namespace) -> None:
    pool = read_tsv(Path(args.pool))
    data = Path(args.data)
    kind = pool[0]["kind"]
    concepts = esco_concepts(data, "occupations" if kind == "rome-occupation" else "skills")
    subject_label = {r["subject_id"]: r["subject_label"] for r in pool}
    rows: dict[tuple[str, str], list[str]] = {}
    for n, line in enumerate(Path(args.labels).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        m = LABEL_LINE.match(line.strip())
        if m is None:
            raise SystemExit(f"{args.labels}:{n}: cannot read {line!r}")
        if m["sid"]:
            sid, uri, notes = m["sid"], m["uri"], ["added-by-annotator"]
        else:
            p = pool[int(m["row"])]
            sid, uri, notes = p["subject_id"], p["object_id"], []
        if m["note"]:
            notes.append(m["note"])
        if not concepts[uri]["in_mockly"]:
            notes.append("not in mockly v1.2.1 (ESCO v1.0 file only)")
        judgement, relation = ("yes", m["rel"] or "") if m["j"] == "y" else ("no", "")
        if kind == "rome-occupation" and judgement == "yes" and not relation:
            raise SystemExit(f"{args.labels}:{n}: a yes ROME pair needs a relation")
        row = [
            kind,
            sid,
            subject_label[sid],
            uri,
            str(concepts[uri]["label"]),
            judgement,
            relation,
            fold(sid),
            "; ".join(notes),
        ]
        if (sid, uri) in rows:
            raise SystemExit(f"{args.labels}:{n}: pair labelled twice: {sid} {uri}")
        rows[(sid, uri)] = row
    missing = {(p["subject_id"], p["object_id"]) for p in pool} - set(rows)
    if missing:
        raise SystemExit(f"{len(missing)} pool pairs have no label, e.g. {sorted(missing)[:3]}")
    comments = Path(args.comments).read_text(encoding="utf-8").splitlines() if args.comments else []
    write_tsv(Path(args.out), HEADER, sorted(rows.values(), key=lambda r: (r[1], r[3])), comments)


def cmd_sample(args: argparse.Namespace) -> None:
    gold = Path(args.gold)
    rng = random.Random(SEED)
    rome = read_tsv(gold / "rome-esco.tsv")
    comp = read_tsv(gold / "competency-esco.tsv")
    drawn = rng.sample(rome, 60) + rng.sample(comp, 90)
    rng.shuffle(drawn)
    cols = ["kind", "subject_id", "subject_label", "object_id", "object_label"]
    rows = [[r[c] for c in cols] + ["", ""] for r in drawn]
    comments = [
        "Blind sample for a second, independent labelling of the ESCO gold set (issue 22).",
        "Drawn by: PYTHONPATH=src python scripts/gold_candidates.py sample --gold tests/resources/linking/gold",
        "(random.Random(22): 60 rome-occupation pairs, then 90 competency-skill pairs, then shuffled).",
        "Fill judgement (yes/no) and, for a ROME pair judged yes, relation (exact/close/broad/narrow),",
        "using only the rule in README.md of this folder. Do not look at rome-esco.tsv / competency-esco.tsv.",
    ]
    write_tsv(gold / "second-pass-sample.tsv", [*cols, "judgement", "relation"], rows, comments)


def cmd_stats(args: argparse.Namespace) -> None:
    """Pairs, subjects, yes/no and relations per fold of each gold file (the figures of README.md)."""
    for name in ("rome-esco.tsv", "competency-esco.tsv"):
        rows = read_tsv(Path(args.gold) / name)
        print(f"{name}: {len(rows)} pairs, {len({r['subject_id'] for r in rows})} subjects")
        for part in ("dev", "test", "all"):
            sub = [r for r in rows if part in ("all", r["fold"])]
            judged = Counter(f"{r['judgement']} {r['relation']}".strip() for r in sub)
            subjects = len({r["subject_id"] for r in sub})
            print(
                f"  {part}: {subjects} subjects, {len(sub)} pairs, "
                + ", ".join(f"{k} {v}" for k, v in sorted(judged.items()))
            )
        notes = Counter(
            n.split(" (")[0] for r in rows for n in r["note"].split("; ") if n in NOTE_KINDS or "mockly" in n
        )
        print("  notes: " + ", ".join(f"{k} {v}" for k, v in sorted(notes.items())))


NOTE_KINDS = {"added-by-annotator"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pool")
    p.add_argument("--data", default="../shared/data")
    p.add_argument("--out", default="/tmp/gold")
    a = sub.add_parser("assemble")
    a.add_argument("--data", default="../shared/data")
    a.add_argument("--pool", required=True)
    a.add_argument("--labels", required=True)
    a.add_argument("--comments")
    a.add_argument("--out", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--gold", default="tests/resources/linking/gold")
    t = sub.add_parser("stats")
    t.add_argument("--gold", default="tests/resources/linking/gold")
    args = parser.parse_args()
    {"pool": cmd_pool, "assemble": cmd_assemble, "sample": cmd_sample, "stats": cmd_stats}[args.command](args)


if __name__ == "__main__":
    main()
