"""Who may subscribe to a push channel (issue 23): user A to /generations/<A>, never user B to A's.

The cloud's rule is the generations namespace's onSubscribe handler (cdk/push_subscribe.js, APPSYNC_JS);
this runs that very file under Node with AppSync's util.unauthorized() (which throws, ending the
handler with UnauthorizedException). The local gateway's rule (studio.channels.may_subscribe) must
decide every case the same way.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from studio import channels

HANDLER = Path(__file__).resolve().parents[2] / "cdk" / "push_subscribe.js"
A, B = "8f0c5a2e-a-sub", "19d4e7b1-b-sub"

# (identity sub, channel path, allowed)
CASES = [
    (A, f"/generations/{A}", True),
    (B, f"/generations/{B}", True),
    (B, f"/generations/{A}", False),  # B on A's channel
    (A, f"/generations/{B}", False),
    (None, f"/generations/{A}", False),  # no identity
    (A, "/generations", False),  # the namespace itself
    (A, f"/generations/{A}/more", False),  # deeper than the user's channel
    (A, f"/other/{A}", False),  # another namespace
    (A, "/generations/*", False),  # a wildcard
]

RUNNER = r"""
const fs = require('fs'); const vm = require('vm');
const source = fs.readFileSync(process.argv[1], 'utf8')
  .replace(/^import .*$/m, '')                 // the runtime provides util
  .replace(/export function/g, 'function');
const cases = JSON.parse(process.argv[2]);
const results = cases.map(([sub, path]) => {
  const util = { unauthorized() { const e = new Error('Unauthorized'); e.unauthorized = true; throw e; } };
  const context = vm.createContext({ util });
  vm.runInContext(source, context);
  const ctx = { identity: sub ? { sub, username: sub } : null,
                info: { channel: { path, segments: path.split('/').filter(Boolean) },
                        channelNamespace: { name: 'generations' }, operation: 'SUBSCRIBE' } };
  try { context.onSubscribe(ctx); return true; }
  catch (e) { if (e.unauthorized) return false; throw e; }
});
console.log(JSON.stringify(results));
"""


def run_handler(cases: list[tuple]) -> list[bool]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (make test installs it)")
    out = subprocess.run([node, "-e", RUNNER, str(HANDLER), json.dumps([c[:2] for c in cases])],
                         capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


def test_the_namespace_handler_lets_each_user_subscribe_to_their_own_channel_only():
    # Given A's and B's identities and channels, when the onSubscribe handler decides each subscription
    decided = run_handler(CASES)
    # Then each is allowed exactly when it is the user's own channel: B is refused on A's
    assert decided == [allowed for *_, allowed in CASES]


@pytest.mark.parametrize("sub,path,allowed", CASES)
def test_the_local_gateway_decides_as_the_handler_does(sub, path, allowed):
    assert channels.may_subscribe(sub, path) is allowed


def test_the_handler_names_the_namespace_the_stack_creates():
    assert f"'{channels.NAMESPACE}'" in HANDLER.read_text()
