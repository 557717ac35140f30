"""Trust mergers as the rest of the product asks about them: one query of a small table each."""
from __future__ import annotations

import datetime
from collections import defaultdict

from .models import Succession


def _links():
    return list(Succession.objects.values_list("predecessor_id", "successor_id", "effective_from"))


def predecessor_cutoffs(links=None) -> dict[int, list[tuple[int, datetime.date]]]:
    """For every successor, each of its predecessors (at any depth) with the first month that is no
    longer the predecessor's own: a predecessor's returns before that month count as the
    successor's. Through a chain A -> B -> C, A's months count for C before both mergers."""
    links = _links() if links is None else links
    direct = defaultdict(list)
    for predecessor, successor, effective_from in links:
        direct[successor].append((predecessor, effective_from))

    def walk(successor, cutoff, seen):
        for predecessor, effective_from in direct.get(successor, []):
            if predecessor in seen:
                continue
            until = effective_from if cutoff is None else min(cutoff, effective_from)
            yield predecessor, until
            yield from walk(predecessor, until, seen | {predecessor})

    return {successor: list(walk(successor, None, {successor})) for successor in direct}


def successors_of(trust_ids, links=None) -> set[int]:
    """Every trust that succeeds one of ``trust_ids``, directly or through a chain."""
    links = _links() if links is None else links
    up = {predecessor: successor for predecessor, successor, _ in links}
    found = set()
    for trust_id in trust_ids:
        current = up.get(trust_id)
        while current is not None and current not in found:
            found.add(current)
            current = up.get(current)
    return found


def with_successors(trust_ids) -> list[int]:
    """``trust_ids`` and every trust whose figures include theirs (recompute both)."""
    ids = set(trust_ids)
    return sorted(ids | successors_of(ids))
