"""Looks through the test process's memory for a resident's strings, and for live visit objects."""

from __future__ import annotations

import gc


def places_holding(needles: list[str]) -> list[str]:
    """A line for every string or bytes object reachable from Python's tracked objects that holds a needle.

    Strings are not tracked by the garbage collector themselves; they are found as the referents of the objects
    that are (dicts, lists, instances, frames), and through the tuples the collector stopped tracking.
    """
    wanted = [(needle, needle.encode("utf-8")) for needle in needles]
    gc.collect()
    objects = gc.get_objects()
    # This function's own copies of the needles are not the resident's.
    own = {id(objects), id(wanted), id(needles), *map(id, needles), *(id(item) for pair in wanted for item in pair),
           *(id(pair) for pair in wanted)}
    seen: set[int] = set()
    found: list[str] = []
    stack = list(objects)
    while stack:
        holder = stack.pop()
        if id(holder) in own:
            continue
        for referent in gc.get_referents(holder):
            key = id(referent)
            if key in seen or key in own:
                continue
            kind = type(referent)  # not isinstance: a weak proxy to a dead object raises on it
            if issubclass(kind, str):
                seen.add(key)
                if any(text in referent for text, _ in wanted):
                    found.append(f"{type(holder).__qualname__} holds {referent[:80]!r}")
            elif issubclass(kind, (bytes, bytearray)):
                seen.add(key)
                if any(data in referent for _, data in wanted):
                    found.append(f"{type(holder).__qualname__} holds bytes with a needle")
            elif issubclass(kind, (tuple, frozenset)) and not gc.is_tracked(referent):
                seen.add(key)
                stack.append(referent)
    return found


def live_objects_of(cls) -> list:
    gc.collect()
    return [obj for obj in gc.get_objects() if issubclass(type(obj), cls)]
