"""The command-line loop the backfills share: bounded pages, the position saved after each page in a state
file (an interrupted run resumes where it stopped), and a final line that says what was done."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Callable

# One page: (page size, where to start or None, progress(generation id, status)) → (how many done, where next).
Step = Callable[[int, dict | None, Callable[[str, str], None]], tuple[int, dict | None]]


def run(argv: list[str] | None, out: Callable[[str], None], *, prog: str, description: str | None,
        default_state: Path, default_batch_size: int, step: Step, finished: Callable[[int, int], str]) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-size", type=int, default=default_batch_size,
                        help=f"records scanned per page (default {default_batch_size})")
    parser.add_argument("--max-batches", type=int, default=0, help="stop after this many pages (0: all)")
    parser.add_argument("--state", type=Path, default=default_state, help="where the position is kept")
    args = parser.parse_args(argv)
    if not 1 <= args.batch_size <= 1000:
        parser.error("--batch-size must be between 1 and 1000")
    start = json.loads(args.state.read_text())["startKey"] if args.state.exists() else None
    if start:
        out(f"resuming from {args.state}")
    total, pages = 0, 0
    while True:
        done, start = step(args.batch_size, start, lambda generation_id, status: out(f"{generation_id} {status}"))
        total, pages = total + done, pages + 1
        if start is None:
            args.state.unlink(missing_ok=True)
            out(finished(total, pages))
            return 0
        args.state.write_text(json.dumps({"startKey": start}))
        out(f"page {pages}: {total} so far")
        if args.max_batches and pages >= args.max_batches:
            out(f"stopped after {pages} pages; run again to continue from {args.state}")
            return 0
