"""Measure the patient-data guard on a labelled corpus (`benchmate phi-check`).

The corpus is a tab-separated file: `label<TAB>kind<TAB>text`, label `hold` (the text
carries a patient identifier of that kind) or `keep` (it must not be held; the kind
says what makes it a hard negative). Lines starting with `#` and blank lines are
ignored. Recall is the share of `hold` texts the guard holds; the false-hold rate is the
share of `keep` texts it holds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.rules.phi import Finding, Guard

TARGET_RECALL = 0.98
TARGET_FALSE_HOLDS = 0.03


class CorpusError(ValueError):
    """A corpus line that cannot be read; the message names the line."""


@dataclass(frozen=True)
class Example:
    line: int
    label: str  # "hold" or "keep"
    kind: str
    text: str


@dataclass(frozen=True)
class Outcome:
    example: Example
    findings: list[Finding]

    @property
    def held(self) -> bool:
        return bool(self.findings)

    @property
    def right(self) -> bool:
        return self.held == (self.example.label == "hold")


@dataclass(frozen=True)
class Report:
    outcomes: list[Outcome]

    def _of(self, label: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.example.label == label]

    @property
    def recall(self) -> float:
        holds = self._of("hold")
        return sum(o.held for o in holds) / len(holds) if holds else 1.0

    @property
    def false_hold_rate(self) -> float:
        keeps = self._of("keep")
        return sum(o.held for o in keeps) / len(keeps) if keeps else 0.0

    @property
    def meets_targets(self) -> bool:
        return self.recall >= TARGET_RECALL and self.false_hold_rate <= TARGET_FALSE_HOLDS

    def text(self) -> str:
        holds, keeps = self._of("hold"), self._of("keep")
        lines = [
            f"corpus: {len(self.outcomes)} texts, {len(holds)} to hold, {len(keeps)} to keep",
            f"recall: {self.recall:.1%} ({sum(o.held for o in holds)}/{len(holds)} held;"
            f" target >= {TARGET_RECALL:.0%})",
            f"false holds: {self.false_hold_rate:.1%} ({sum(o.held for o in keeps)}/{len(keeps)};"
            f" target <= {TARGET_FALSE_HOLDS:.0%})",
            "",
            "per kind (right/total):",
        ]
        totals = Counter((o.example.label, o.example.kind) for o in self.outcomes)
        rights = Counter((o.example.label, o.example.kind) for o in self.outcomes if o.right)
        for (label, kind), total in sorted(totals.items()):
            lines.append(f"  {label} {kind:<14} {rights[(label, kind)]:>3}/{total}")
        misses = [o for o in holds if not o.held]
        false_holds = [o for o in keeps if o.held]
        lines += ["", f"misses ({len(misses)}):"]
        lines += [f"  line {o.example.line} [{o.example.kind}] {o.example.text}" for o in misses]
        lines += ["", f"false holds ({len(false_holds)}):"]
        for o in false_holds:
            found = "; ".join(f"{f.rule}: {f.excerpt}" for f in o.findings)
            lines.append(f"  line {o.example.line} [{o.example.kind}] {o.example.text}  <- {found}")
        lines += ["", "targets met" if self.meets_targets else "TARGETS NOT MET"]
        return "\n".join(lines)


def parse_corpus(content: str) -> list[Example]:
    examples = []
    for number, raw in enumerate(content.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) != 3 or parts[0] not in ("hold", "keep") or not parts[2].strip():
            raise CorpusError(
                f"line {number}: expected 'hold' or 'keep', a kind and the text, separated by tabs"
            )
        examples.append(Example(number, parts[0], parts[1].strip(), parts[2].strip()))
    return examples


def parse_members(content: str) -> list[str]:
    """One member name a line; `#` comments and blank lines ignored."""
    return [
        line.strip() for line in content.splitlines() if line.strip() and not line.startswith("#")
    ]


def evaluate(examples: list[Example], guard: Guard) -> Report:
    return Report([Outcome(e, guard.find(e.text)) for e in examples])
