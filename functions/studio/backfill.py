"""`python -m studio.backfill` (`make backfill`): index the completed generations the search index lacks.

It reads the same environment as the index function (TABLE_NAME, IMAGES_BUCKET, VECTOR_INDEX_ARN, EMBEDDING_MODEL_ID, TEXT_MODEL_ID, BEDROCK_REGION: the stack's outputs and the index
function's configuration), walks the table in bounded Scan pages, and indexes each COMPLETE record
without `indexedAt` exactly as the index function does. After each page it saves the position in a
state file, so an interrupted run resumes where it stopped; records it indexed carry `indexedAt`, so
a second run does nothing for them. Safe to run while the app runs (the index function and the
backfill write the same vectors).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable

from studio.logic import indexing
from studio.settings import settings

DEFAULT_STATE = Path(".backfill-state.json")


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(prog="python -m studio.backfill", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-size", type=int, default=25, help="records scanned per page (default 25)")
    parser.add_argument("--max-batches", type=int, default=0, help="stop after this many pages (0: all)")
    parser.add_argument("--state", type=Path, default=DEFAULT_STATE, help="where the position is kept")
    args = parser.parse_args(argv)
    if not 1 <= args.batch_size <= 1000:
        parser.error("--batch-size must be between 1 and 1000")
    start = json.loads(args.state.read_text())["startKey"] if args.state.exists() else None
    if start:
        out(f"resuming from {args.state}")
    conf, total, pages = settings(), 0, 0
    while True:
        done, start = indexing.backfill(conf, args.batch_size, start,
                                      progress=lambda generation_id, status: out(f"{generation_id} {status}"))
        total, pages = total + done, pages + 1
        if start is None:
            args.state.unlink(missing_ok=True)
            out(f"done: {total} generations indexed in {pages} pages")
            return 0
        args.state.write_text(json.dumps({"startKey": start}))
        out(f"page {pages}: {total} so far")
        if args.max_batches and pages >= args.max_batches:
            out(f"stopped after {pages} pages; run again to continue from {args.state}")
            return 0


if __name__ == "__main__":
    sys.exit(main())
