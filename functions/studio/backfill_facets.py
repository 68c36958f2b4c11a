"""`python -m studio.backfill_facets` (`make backfill-facets`): write the gallery's facet rows for records made
before filters existed (issue 22), so that filtering by model, operation, aspect, tag or batch finds them.

It needs only TABLE_NAME (a stack output). It walks the table in bounded Scan pages, writes each unmarked
record's rows (logic/facet_rows.py), and after each page saves its position in a state file, so an
interrupted run resumes where it stopped; a record done is marked, so a second run does nothing for it.
Safe to run while the app runs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from studio import resumable
from studio.logic import facet_rows

DEFAULT_STATE = Path(".backfill-facets-state.json")


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> int:
    return resumable.run(argv, out, prog="python -m studio.backfill_facets", description=__doc__, default_state=DEFAULT_STATE,
                         default_batch_size=100,
                         step=lambda size, start, progress: facet_rows.backfill(size, start, progress=progress),
                         finished=lambda total, pages: f"done: facet rows written for {total} generations in {pages} pages")


if __name__ == "__main__":
    sys.exit(main())
