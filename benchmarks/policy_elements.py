"""Precision and recall of the required-elements check on the labelled policy corpus (tests/data/policies/).

    python -m benchmarks.policy_elements            # every policy, per language and per set (dev, holdout)
    python -m benchmarks.policy_elements --errors   # also list every wrong call with the evidence

For every element and language: true positives (labelled present, found), false positives (labelled
absent, found) and false negatives (labelled present, not found); precision = tp / (tp + fp), recall =
tp / (tp + fn), and their macro averages over the elements. `--min 0.9` exits 1 when any element of any
language is below it (for CI).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from flows.content.html_text import page_text
from flows.content.privacy_elements import Finding, element_table, find_element

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "policies"


@dataclass
class Labelled:
    path: Path
    language: str
    set: str
    present: frozenset[str]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def load_corpus(corpus: Path = CORPUS) -> list[Labelled]:
    """The labelled policies; a label naming an unknown element or a missing file is an error."""
    labels_path = corpus / "labels.yaml"
    elements = set(element_table().elements)
    policies = []
    for name, label in yaml.safe_load(labels_path.read_text(encoding="utf-8")).items():
        path = corpus / name
        if not path.is_file():
            raise SystemExit(f"{labels_path}: {name}: no such file")
        unknown = set(label["absent"]) - elements
        if unknown:
            raise SystemExit(f"{labels_path}: {name}: unknown element(s) {', '.join(sorted(unknown))}")
        policies.append(Labelled(path, label["language"], label["set"], frozenset(elements - set(label["absent"]))))
    return policies


def policy_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    return page_text(raw) if path.suffix == ".html" else raw


def evaluate(policies: list[Labelled]) -> dict[tuple[str, str], Counts]:
    """Counts per (language, element)."""
    counts: dict[tuple[str, str], Counts] = defaultdict(Counts)
    table = element_table()
    for policy in policies:
        text = policy_text(policy.path)
        for element_id, element in table.elements.items():
            finding: Finding = find_element(element, text, policy.language)
            expected = element_id in policy.present
            tally = counts[(policy.language, element_id)]
            if finding.present and expected:
                tally.tp += 1
            elif finding.present:
                tally.fp += 1
                tally.errors.append(f"FP {policy.path.relative_to(CORPUS)}: {finding.explain()}")
            elif expected:
                tally.fn += 1
                tally.errors.append(f"FN {policy.path.relative_to(CORPUS)}: {finding.explain()}")
            else:
                tally.tn += 1
    return counts


def report(title: str, policies: list[Labelled], show_errors: bool) -> list[float]:
    """Prints one table per language; returns every precision and recall figure printed."""
    figures: list[float] = []
    counts = evaluate(policies)
    for language in sorted({p.language for p in policies}):
        count = sum(1 for p in policies if p.language == language)
        print(f"\n{title}, {language}: {count} policies")
        print(f"{'element':<18} {'tp':>4} {'fp':>4} {'fn':>4} {'tn':>4} {'precision':>10} {'recall':>8}")
        precisions, recalls = [], []
        for element_id in element_table().elements:
            tally = counts[(language, element_id)]
            precisions.append(tally.precision)
            recalls.append(tally.recall)
            print(f"{element_id:<18} {tally.tp:>4} {tally.fp:>4} {tally.fn:>4} {tally.tn:>4} "
                  f"{tally.precision:>10.2f} {tally.recall:>8.2f}")
            if show_errors:
                for error in tally.errors:
                    print("    " + error)
        figures += precisions + recalls
        print(f"{'macro':<18} {'':>4} {'':>4} {'':>4} {'':>4} {sum(precisions) / len(precisions):>10.2f} "
              f"{sum(recalls) / len(recalls):>8.2f}")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list every false positive and false negative")
    parser.add_argument("--min", type=float, default=None, help="exit 1 when any figure of the whole corpus is below")
    args = parser.parse_args(argv)
    policies = load_corpus()
    figures = report("All policies", policies, args.errors)
    for subset in sorted({p.set for p in policies}):
        report(f"Set {subset}", [p for p in policies if p.set == subset], False)
    if args.min is not None and min(figures) < args.min:
        print(f"\nbelow {args.min}: {min(figures):.2f}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
