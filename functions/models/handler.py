"""The scheduled lifecycle check (daily): every model the stack calls, asked in its region; see logic/model_watch.py."""

from studio.entry_points import scheduled_entry
from studio.logic import model_watch
from studio.settings import settings


def check(event: dict, context) -> dict:
    return model_watch.check(settings())


handler = scheduled_entry(check)
