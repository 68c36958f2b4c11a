"""`python -m studio.backfill` (`make backfill`): index the completed generations the search index lacks.

It reads the same environment as the index function (TABLE_NAME, IMAGES_BUCKET, VECTOR_INDEX_ARN, EMBEDDING_MODEL_ID, TEXT_MODEL_ID, BEDROCK_REGION: the stack's outputs and the index
function's configuration), walks the table in bounded Scan pages, and indexes each COMPLETE record
without `indexedAt` exactly as the index function does. After each page it saves the position in a
state file, so an interrupted run resumes where it stopped; records it indexed carry `indexedAt`, so
a second run does nothing for them. Safe to run while the app runs (the index function and the
backfill write the same vectors).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from studio import resumable
from studio.logic import indexing
from studio.settings import settings

DEFAULT_STATE = Path(".backfill-state.json")


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> int:
    return resumable.run(argv, out, prog="python -m studio.backfill", description=__doc__, default_state=DEFAULT_STATE,
                         default_batch_size=25,
                         step=lambda size, start, progress: indexing.backfill(settings(), size, start, progress=progress),
                         finished=lambda total, pages: f"done: {total} generations indexed in {pages} pages")


if __name__ == "__main__":
    sys.exit(main())
