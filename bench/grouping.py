"""How well the draft groups near-identical sentences: pairwise precision and recall.

    .venv/bin/python -m bench.grouping [--units 38 200] [--seed 2023] [--write]

Ground truth is the demo's text bank: every sentence a demo unit writes comes from one bank
entry (jobs/demo/text.toml), reworded as real reports differ (jobs/demo/paraphrase.py), and
two sentences make the same point exactly when they come from the same entry. Two sets:

- demo: the reports of ``tonghop demo`` (the first N units of the demo roster, seed 2023),
  every narrative field and the limitations' column, as the draft groups them;
- paraphrases: every bank entry written by five units, each copy reworded at least once
  (a swapped clause, a synonym, a dropped word or an opening connective).

Pairs are counted over sentence occurrences within a field: a pair is right when the grouping
puts two sentences together exactly when they share an entry. Each method is the draft's
pipeline (split, mask, distinct keys, group, connected components) with another similarity;
``--write`` adds the table to bench/RESULTS.md.
"""

from __future__ import annotations

import platform
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from random import Random

from jobs.commands.argparse_vi import ViArgumentParser
from jobs.demo.content import Labels, _context, demo_units, valid_report
from jobs.demo.paraphrase import reword
from jobs.demo.text import GROUPS, load_demo_text
from jobs.outputs.synthesis import Grouping, Settings, find_points

Case = list[tuple[list[tuple[str, str, str]], dict[tuple[str, str], str]]]
RESULTS = Path(__file__).with_name("RESULTS.md")


def demo_set(units: int, seed: int) -> Case:
    """Per field: the units' texts, and (unit, sentence) → its bank entry."""
    rng = Random(seed)
    per_field: dict[str, tuple[list[tuple[str, str, str]], dict[tuple[str, str], str]]] = {}
    for unit in demo_units(units, rng):
        labels: Labels = {}
        report = valid_report(unit, rng, labels)
        for field, said in labels.items():
            texts, truth = per_field.setdefault(field, ([], {}))
            if field == "hc_bang.han_che":
                rows = report["hc_bang"]
                assert isinstance(rows, list)
                for row in rows:
                    texts.append((unit.code, unit.name, str(row["han_che"])))
            else:
                texts.append((unit.code, unit.name, str(report[field])))
            for entry, sentence in said:
                truth[(unit.code, sentence)] = entry
    return list(per_field.values())


def paraphrase_set(copies: int = 5, seed: int = 7) -> Case:
    """Every bank entry of every section, written by ``copies`` units, reworded each time."""
    text = load_demo_text()
    rng = Random(seed)
    units = demo_units(copies * 4, Random(seed))[::4][:copies]
    out: Case = []
    for paragraphs in text.kiem_diem.values():
        entries = {
            template
            for paragraph in paragraphs
            for slot in paragraph
            for group in GROUPS
            for template in slot[group]
        }
        texts, truth = [], {}
        for unit in units:
            ctx = _context(unit, rng.randint(5, 300), rng.randint(1, 40))
            said = []
            for template in sorted(entries):
                sentence = reword(template.format(**ctx), text.paraphrase, rng, force=True)
                said.append(sentence)
                truth[(unit.code, sentence)] = template
            texts.append((unit.code, unit.name, " ".join(said)))
        out.append((texts, truth))
    return out


def score(case: Case, settings: Settings, grouping: Grouping | None) -> tuple[float, float, float]:
    """(precision, recall, seconds) over every pair of sentences within a field."""
    tp = fp = fn = 0
    seconds = 0.0
    for texts, truth in case:
        start = time.perf_counter()
        points = find_points(texts, settings, grouping)
        seconds += time.perf_counter() - start
        group_of: dict[tuple[str, str], int] = {}
        for n, point in enumerate(points):
            for s in point.sentences:
                group_of[(s.unit, s.text)] = n
        missing = [k for k in truth if k not in group_of]
        assert not missing, f"sentences the splitter cut differently: {missing[:3]}"
        labelled = [(truth[k], group_of[k]) for k in group_of if k in truth]
        # Pairs from counts: same label, same group, and both.
        both = Counter(labelled)
        by_truth = Counter(t for t, _ in labelled)
        by_group = Counter(g for _, g in labelled)
        pairs = sum(n * (n - 1) // 2 for n in both.values())
        tp += pairs
        fp += sum(n * (n - 1) // 2 for n in by_group.values()) - pairs
        fn += sum(n * (n - 1) // 2 for n in by_truth.values()) - pairs
    return tp / max(1, tp + fp), tp / max(1, tp + fn), seconds


def _rapidfuzz(scorer_name: str) -> Grouping:
    """Connected components of rapidfuzz's ``scorer`` ≥ 100·threshold over distinct keys."""

    def grouping(keys: list[str], threshold: float) -> list[int]:
        import numpy as np
        from rapidfuzz import fuzz, process
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        scorer = getattr(fuzz, scorer_name)
        matrix = process.cdist(keys, keys, scorer=scorer, score_cutoff=100 * threshold, workers=1)
        rows, cols = np.nonzero(matrix)
        graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(keys), len(keys)))
        return [int(x) for x in connected_components(graph, directed=False)[1]]

    return grouping


def _tfidf(**options: object) -> Grouping:
    """The draft's grouping with other TfidfVectorizer options."""

    def grouping(keys: list[str], threshold: float) -> list[int]:
        from sklearn.feature_extraction.text import TfidfVectorizer

        from jobs.outputs.synthesis import _components

        vectors = TfidfVectorizer(sublinear_tf=True, **options).fit_transform(keys)  # type: ignore[arg-type]
        return _components(vectors, threshold)

    return grouping


METHODS: list[tuple[str, Grouping | None, tuple[float, ...]]] = [
    ("TF-IDF syllables 1–2 (the draft's)", None, (0.55, 0.6, 0.65, 0.7, 0.75)),
    ("TF-IDF char_wb 2–4", _tfidf(analyzer="char_wb", ngram_range=(2, 4)), (0.65, 0.75, 0.8)),
    ("rapidfuzz token_set_ratio", _rapidfuzz("token_set_ratio"), (0.85, 0.9)),
    ("rapidfuzz ratio", _rapidfuzz("ratio"), (0.7, 0.8)),
]


def main(argv: list[str] | None = None) -> int:
    parser = ViArgumentParser(
        prog="python -m bench.grouping",
        description="Đo độ chính xác (precision) và độ phủ (recall) khi dự thảo gộp các câu gần "
        "giống nhau của các đơn vị, trên dữ liệu mẫu và trên bộ câu viết lại.",
    )
    parser.add_argument("--units", type=int, nargs="+", default=[38, 200], metavar="SỐ",
                        help="số đơn vị của từng huyện mẫu (mặc định: 38 200)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=2023, metavar="SỐ",
                        help="hạt giống của dữ liệu mẫu (mặc định: 2023)")  # fmt: skip
    parser.add_argument("--write", action="store_true", help="ghi thêm bảng kết quả vào RESULTS.md")
    args = parser.parse_args(argv)
    sets: list[tuple[str, Callable[[], Case]]] = [
        (f"demo, {n} units", lambda n=n: demo_set(n, args.seed)) for n in args.units
    ]
    sets.append(("paraphrases (5 copies of every entry, each reworded)", paraphrase_set))
    lines = [
        "| set | method | similarity ≥ | precision | recall | seconds |",
        "|---|---|---|---|---|---|",
    ]
    for set_name, build in sets:
        case = build()
        for method, grouping, thresholds in METHODS:
            for t in thresholds:
                settings = Settings(similarity=t)
                try:
                    p, r, s = score(case, settings, grouping)
                except ImportError as exc:
                    print(f"{method}: {exc}", file=sys.stderr)
                    break
                line = f"| {set_name} | {method} | {t:.2f} | {p:.3f} | {r:.3f} | {s:.2f} |"
                print(line, flush=True)
                lines.append(line)
    if args.write:
        with RESULTS.open("a", encoding="utf-8") as fh:
            fh.write(
                f"\n## Grouping of the draft's points (`python -m bench.grouping`)\n\n"
                f"- when: {datetime.now():%Y-%m-%dT%H:%M:%S}; machine: {platform.machine()}, "
                f"Python {platform.python_version()}; seed {args.seed}\n"
                "- pairwise precision and recall over sentence occurrences within a field; "
                "ground truth: the demo bank entry of each sentence\n\n" + "\n".join(lines) + "\n"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
