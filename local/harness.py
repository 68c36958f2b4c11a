"""Acting as the administrator of a running local stack: what tests and tools do that no user can.

The stack writes <data dir>/stack.json (readable by its user only): moto's loopback address and the
harness's key. Through it a test confirms a user who signed up, sends a raw message to a queue, or
reads what the IAM gate refused, the way an operator with AWS credentials would in the cloud.
"""

from __future__ import annotations

import json
from pathlib import Path

from local import aws
from local.stack import HARNESS_FILE


class Harness:
    def __init__(self, data_dir: Path) -> None:
        self.info = json.loads((Path(data_dir) / HARNESS_FILE).read_text())
        self.resources = self.info["resources"]

    def client(self, service: str):
        admin = self.info["admin"]
        return aws.client(service, self.info["motoUrl"], (admin["accessKeyId"], admin["secretAccessKey"]))

    def confirm_user(self, email: str) -> None:
        """AdminConfirmSignUp, as an administrator confirms a self-signed-up user."""
        self.client("cognito-idp").admin_confirm_sign_up(UserPoolId=self.info["userPoolId"], Username=email)

    def denials(self) -> list[dict]:
        """Every call the IAM gate refused since the stack started (function, action, resource, reason)."""
        path = Path(self.info["denials"])
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
