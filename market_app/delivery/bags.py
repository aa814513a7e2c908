"""How many bags an order fills — the unit of courier capacity (pure).

Rule: every item (one unit of quantity) takes one slot, items of a bulky
category take two (fruit and vegetables are large, meat and fish go in their own
chilled wrapping). One bag holds five slots; the estimate is the slots divided
by five, rounded up, and never less than one bag.

So 5 packs of tofu fill 1 bag, 3 bags of apples (6 slots) fill 2 bags. It is an
estimate for route planning, not a packing instruction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

SLOTS_PER_BAG = 5
BULKY_SLOTS = 2
# Stall categories as the catalog names them (정육점/닭집 are butchers, 정육 the short form).
BULKY_CATEGORIES = frozenset({"청과", "채소", "정육", "정육점", "닭집", "수산"})


def estimate_bags(lines: Iterable[tuple[str, int]]) -> int:
    """Bags for (category, quantity) lines; at least 1."""
    slots = 0
    for category, quantity in lines:
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise ValueError(f"quantity must be a positive integer, got {quantity!r}")
        per_item = BULKY_SLOTS if (category or "").strip() in BULKY_CATEGORIES else 1
        slots += per_item * quantity
    return max(1, math.ceil(slots / SLOTS_PER_BAG))
