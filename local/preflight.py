"""`make preflight-local`: `make preflight` against the Bedrock emulator's control plane, offline.

The same checks as against an AWS account (lifecycle, inference profiles, model access and
agreements), answered by local/bedrock_emulator with AWS's published lifecycle data: a way to see what
preflight says about a configuration (e.g. `-c allowedImageModels=...,amazon.nova-canvas-v1:0`)
before there is an account to point it at.
"""

from __future__ import annotations

import os
import sys

from local.bedrock_emulator import EmulatorServer


def main(argv: list[str]) -> int:
    saved = dict(os.environ)
    with EmulatorServer(host="127.0.0.1", port=0) as emulator:
        try:
            os.environ.update(AWS_ENDPOINT_URL_BEDROCK=emulator.url, AWS_ACCESS_KEY_ID="local",
                              AWS_SECRET_ACCESS_KEY="local", AWS_EC2_METADATA_DISABLED="true")
            os.environ.pop("AWS_PROFILE", None)
            from cdk import preflight

            return preflight.main(argv)
        finally:
            os.environ.clear()
            os.environ.update(saved)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
