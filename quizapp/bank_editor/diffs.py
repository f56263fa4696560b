"""Line diffs between two versions of a bank, bounded in cost.

difflib's matcher takes time quadratic in the lines between the first and last change when the
changes are many and spread out: every other line of a 16,000-line bank changed took 7 seconds,
a large bank whose every question got new points, minutes. Past a budget, the diff shows that
stretch removed and added whole instead of line by line.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from itertools import accumulate

#: How much searching (lines looked at) a diff may do before it shows the changed stretch whole:
#: about half a second.
DIFF_BUDGET = 5_000_000
#: Unchanged lines shown around each change.
CONTEXT = 3

Opcode = tuple[str, int, int, int, int]


class _OverBudget(Exception):
    pass


class _BudgetedMatcher(difflib.SequenceMatcher[str]):
    """difflib's matcher, raising ``_OverBudget`` when its searches would pass ``budget``."""

    # difflib's own attributes, which its type stubs leave out.
    a: Sequence[str]
    b: Sequence[str]
    b2j: dict[str, list[int]]

    def __init__(self, a: Sequence[str], b: Sequence[str], budget: int):
        super().__init__(None, a, b, autojunk=True)
        self.budget = budget
        # A search of a[alo:ahi] looks at each of those lines, and at every place in b that line has.
        self.work_before = [0, *accumulate(1 + len(self.b2j.get(line, ())) for line in a)]

    def find_longest_match(
        self, alo: int = 0, ahi: int | None = None, blo: int = 0, bhi: int | None = None
    ) -> difflib.Match:
        ahi = len(self.a) if ahi is None else ahi
        bhi = len(self.b) if bhi is None else bhi
        self.budget -= self.work_before[ahi] - self.work_before[alo] + (bhi - blo)
        if self.budget < 0:
            raise _OverBudget
        return super().find_longest_match(alo, ahi, blo, bhi)


def unified_diff(old: str, new: str, old_name: str, new_name: str) -> list[str]:
    """The lines of a unified diff from ``old`` to ``new``, as ``difflib.unified_diff`` words them
    (none when the texts are the same)."""
    a, b = old.splitlines(), new.splitlines()
    if a == b:
        return []
    try:
        groups = list(_BudgetedMatcher(a, b, DIFF_BUDGET).get_grouped_opcodes(CONTEXT))
    except _OverBudget:
        groups = [_changed_stretch(a, b)]
    lines = [f"--- {old_name}", f"+++ {new_name}"]
    for group in groups:
        first, last = group[0], group[-1]
        lines.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [" " + line for line in a[i1:i2]]
                continue
            lines += ["-" + line for line in a[i1:i2]]
            lines += ["+" + line for line in b[j1:j2]]
    return lines


def _changed_stretch(a: list[str], b: list[str]) -> list[Opcode]:
    """One hunk: the lines from the first change to the last replaced whole, with context."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a_end, b_end = len(a) - end, len(b) - end
    before = max(0, start - CONTEXT)
    after = min(end, CONTEXT)
    return [
        ("equal", before, start, before, start),
        ("replace", start, a_end, start, b_end),
        ("equal", a_end, a_end + after, b_end, b_end + after),
    ]


def _range(start: int, stop: int) -> str:
    """A hunk's range as unified diffs write it: "3" for one line, "3,4" for several, "2,0" for none."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"
