"""`python -m studio.backfill_facets` (`make backfill-facets`): write the gallery's facet rows for records made
before filters existed (issue 22), so that filtering by model, operation, aspect, tag or batch finds them.

It needs only TABLE_NAME (a stack output). It walks the table in bounded Scan pages, writes each unmarked
record's rows (logic/facet_rows.py), and after each page saves its position in a state file, so an
interrupted run resumes where it stopped; a record done is marked, so a second run does nothing for it.
Safe to run while the app runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable

from studio.logic import facet_rows

DEFAULT_STATE = Path(".backfill-facets-state.json")


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(prog="python -m studio.backfill_facets", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-size", type=int, default=100, help="records scanned per page (default 100)")
    parser.add_argument("--max-batches", type=int, default=0, help="stop after this many pages (0: all)")
    parser.add_argument("--state", type=Path, default=DEFAULT_STATE, help="where the position is kept")
    args = parser.parse_args(argv)
    if not 1 <= args.batch_size <= 1000:
        parser.error("--batch-size must be between 1 and 1000")
    start = json.loads(args.state.read_text())["startKey"] if args.state.exists() else None
    if start:
        out(f"resuming from {args.state}")
    total, pages = 0, 0
    while True:
        done, start = facet_rows.backfill(args.batch_size, start,
                                          progress=lambda generation_id, status: out(f"{generation_id} {status}"))
        total, pages = total + done, pages + 1
        if start is None:
            args.state.unlink(missing_ok=True)
            out(f"done: facet rows written for {total} generations in {pages} pages")
            return 0
        args.state.write_text(json.dumps({"startKey": start}))
        out(f"page {pages}: {total} so far")
        if args.max_batches and pages >= args.max_batches:
            out(f"stopped after {pages} pages; run again to continue from {args.state}")
            return 0


if __name__ == "__main__":
    sys.exit(main())
