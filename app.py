#!/usr/bin/env python3
"""CDK entry point: `make synth` (python app.py) or `npx cdk synth|deploy` (cdk.json "app").

Run directly, the app reads cdk.json's context itself (the CLI does that otherwise) and writes the
cloud assembly to cdk.out/. `python app.py -c key=value` overrides a setting, like the CLI.
"""

from __future__ import annotations

import os
import sys
from datetime import date

from cdk.app import build_app
from cdk.config import ConfigError
from cdk.stack import StudioStack


def main(argv: list[str]) -> int:
    try:
        app = build_app(argv)
        app.synth()
    except ConfigError as err:
        print(f"configuration error:\n{err}", file=sys.stderr)
        return 2
    print(f"synthesized into {os.environ.get('CDK_OUTDIR', 'cdk.out')}/", file=sys.stderr)
    # The CDK CLI prints the stack's warnings itself; run directly, say them here.
    for stack in (child for child in app.node.children if isinstance(child, StudioStack)):
        for warning in stack.config.region_warnings() + stack.config.lifecycle_warnings(date.today().isoformat()):
            print(f"warning: {warning}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
