"""The scheduled sweeper: ends the generations still PENDING or RUNNING past their deadline."""

from studio.entry_points import scheduled_entry
from studio.logic import sweeping


def sweep(event: dict, context) -> dict:
    return {"expired": sweeping.sweep()}


handler = scheduled_entry(sweep)
