"""The scheduled sweeper: ends the generations still PENDING or RUNNING past their deadline, and
finishes removing the rows of deleted boards (studio/logic/board_cleanup.py)."""

from studio.entry_points import scheduled_entry
from studio.logic import board_cleanup, sweeping


def sweep(event: dict, context) -> dict:
    return {"expired": sweeping.sweep(), "boardsPurged": board_cleanup.purge_deleted()}


handler = scheduled_entry(sweep)
