"""Board rows that must go: a deleted image's (it leaves every board that held it), and a deleted
board's (its items and the memberships of its images).

A DELETE /boards/{id} removes the board itself at once (nobody sees it or adds to it again) and marks it
for purging in the same write; then it removes the rows for up to REQUEST_SECONDS (a board of a few
thousand images, within the request). What is left of a bigger one, or of a request that failed, the
scheduled sweeper removes on its next runs (a Query on the purge partition, never a Scan).
Loads no pydantic bodies: the sweeper and the generation logic import it.
"""

from __future__ import annotations

import time

from studio.adapters import boards
from studio.errors import StudioError
from studio.observability import logger

REQUEST_SECONDS = 10.0
SWEEP_SECONDS = 60.0


def purge_deleted(seconds: float = SWEEP_SECONDS, limit: int = 20) -> int:
    """Finish removing the rows of deleted boards, for up to `seconds`; how many boards were finished."""
    deadline, finished = time.monotonic() + seconds, 0
    for board_id in boards.purges_pending(limit):
        if time.monotonic() >= deadline:
            break
        try:
            finished += boards.purge(board_id, deadline)
        except StudioError:  # the next run tries again
            logger.exception("could not purge a deleted board", extra={"boardId": board_id})
    return finished


def forget_image(generation_id: str) -> None:
    """A deleted image leaves every board that held it (whoever's boards they are)."""
    memberships = boards.boards_of(generation_id)
    if memberships:
        boards.forget_memberships(memberships)
