"""`python -m local`: the whole product on one machine, offline, in one process.

moto (S3, DynamoDB, SQS, Secrets Manager, Cognito) + the Bedrock Runtime emulator + the local
gateway (CloudFront + API Gateway + the SQS event source mappings) around the deployed handlers.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

from local import aws
from local.iam.gate import ADMIN_KEY, ADMIN_SECRET
from local.paths import DEFAULT_DATA_DIR, add_functions_to_path

add_functions_to_path()
from studio import routes, storage_layout  # noqa: E402
from studio.settings import ENV  # noqa: E402

DEFAULT_DEMO_USER = "demo@studio.local"
DEFAULT_DEMO_PASSWORD = "Studio-Demo-2026!"
POLLER_STOP_SECONDS = 3  # how long the queue pollers may take to finish the job in hand when stopping
REAP_SECONDS = 15  # how often idle containers beyond each function's first are looked for
API_CONTAINERS = 4  # containers an API function may run at once here (Lambda scales further; two cores do not)
DENIALS_FILE = "iam-denials.jsonl"  # every call the IAM gate refused, one JSON line each
HARNESS_FILE = "stack.json"  # where the emulators listen and the harness's key: for tests and tools (0600)
LOOPBACK = ("127.0.0.1", "localhost", "::1")
log = logging.getLogger("local")


# Settings the local world runs with instead of the deployed ones, each overridable from the shell:
# a generous daily quota for trying things out, and model timeouts short enough that the emulator's
# `hang` fault (30 s) ends in model_timeout within a minute. They apply to the functions whose
# deployed environment has the variable; nothing else of a function's environment is local.
LOCAL_SETTINGS = {"DAILY_IMAGE_QUOTA": "200", "DAILY_TEXT_QUOTA": "500", "BEDROCK_READ_TIMEOUT_SECONDS": "20",
                  "BEDROCK_MAX_ATTEMPTS": "2"}
# Model choices a developer may change from the shell (the IAM policy still comes from the
# synthesized stack: a model it does not grant is refused, as in the cloud; pass -c to synthesize).
SHELL_SETTINGS = ("IMAGE_MODEL_ID", "ALLOWED_IMAGE_MODELS", "IMAGE_PRICES_JSON")
# The AWS SDK's endpoint variables of the services the functions call, and where each is served here.
MOTO_SERVICES = ("DYNAMODB", "SQS", "SECRETS_MANAGER", "SSM", "CLOUDFRONT", "S3VECTORS", "KMS",
                 "COGNITO_IDENTITY_PROVIDER")


def function_environment(spec, identity, *, moto_url: str, s3_endpoint: str, bedrock_endpoint: str | None,
                         verbose: bool, events_endpoint: str = "") -> dict[str, str]:
    """A container's environment: the function's deployed variables (synthesized, resolved to the
    local resources), the local settings, the SDK's endpoints and its role's access key."""
    from local.containers import base_environment

    env = base_environment()
    env.update(spec.environment)
    for name, value in LOCAL_SETTINGS.items():
        if name in spec.environment:
            env[name] = os.environ.get(name, value)
    for name in SHELL_SETTINGS:
        if name in spec.environment and os.environ.get(name):
            env[name] = os.environ[name]
    env.update({f"AWS_ENDPOINT_URL_{service}": moto_url for service in MOTO_SERVICES})
    env["AWS_ENDPOINT_URL_S3"] = s3_endpoint
    if events_endpoint and ENV["events_http_domain"] in spec.environment:  # push: the gateway serves AppSync Events
        env[ENV["events_endpoint_url"]] = events_endpoint
    if bedrock_endpoint:
        env["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] = env["AWS_ENDPOINT_URL_BEDROCK"] = bedrock_endpoint
    env.update({
        "AWS_ACCESS_KEY_ID": identity.access_key, "AWS_SECRET_ACCESS_KEY": identity.secret_key,
        "AWS_REGION": aws.REGION, "AWS_DEFAULT_REGION": aws.REGION, "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_LAMBDA_FUNCTION_NAME": spec.lambda_name, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "POWERTOOLS_TRACE_DISABLED": "true",
    })
    if not verbose:
        env["POWERTOOLS_LOG_LEVEL"] = os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING")
        env["POWERTOOLS_METRICS_DISABLED"] = "true"
        # Powertools warns when a function emitted no metric; with metrics off that is every event.
        env["PYTHONWARNINGS"] = "ignore::UserWarning:aws_lambda_powertools.metrics.provider.base"
    return env


class Stack:
    def __init__(self, port: int = 8080, host: str = "127.0.0.1", data_dir: Path = DEFAULT_DATA_DIR,
                 demo_user: str | None = None, demo_password: str | None = None, workers: int | None = None,
                 persist: bool = True, verbose: bool = False, web_dir: Path | None = None,
                 schedule_seconds: float | None = None, context: dict[str, str] | None = None,
                 template: Path | None = None) -> None:
        self.port = port
        self.host = host
        self.data_dir = Path(data_dir)
        self.demo_user = demo_user or os.environ.get("STUDIO_DEMO_USER") or DEFAULT_DEMO_USER
        self.demo_password = demo_password or os.environ.get("STUDIO_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        self.workers = workers  # concurrent generations; default: the worker's MaximumConcurrency as deployed
        self.persist = persist
        self.verbose = verbose
        self.web_dir = web_dir
        # How often the scheduled functions (the sweeper) run; default: their deployed rate.
        self.schedule_seconds = schedule_seconds or float(os.environ.get("STUDIO_SCHEDULE_SECONDS") or 0) or None
        self.context = dict(context or {})  # -c key=value: the stack synthesized with these settings
        self.template = template  # a synthesized template to run under instead (e.g. cdk.out's)
        self.bedrock_note = ""
        self._stopped = threading.Event()

    def start(self) -> "Stack":
        from local import synth
        from local.auth import Authorizer
        from local.containers import Functions, Limits
        from local.gateway import Gateway
        from local.iam import deployment
        from local import events
        from local.iam.gate import Gate, Identities
        from local.lambda_runtime import QueuePoller, Scheduler
        from local.persistence import Store

        started = time.perf_counter()
        if not self.port:
            self.port = aws.free_port(self.host)
        template_path = self.template or synth.template_path(self.context)
        template = json.loads(Path(template_path).read_text())
        self.moto = aws.MotoServer(host="127.0.0.1").start()
        if self.persist:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        public_host = f"localhost:{self.port}"
        origins = [f"http://localhost:{self.port}", f"http://127.0.0.1:{self.port}"]
        from local import credentials

        self.res = aws.bootstrap(self.moto.url, origins,
                                 Store.saved_cursor_secret(self.data_dir) if self.persist else None,
                                 distribution_parameter=deployment.distribution_parameter(template),
                                 credentials_authority=credentials.authority(self.data_dir if self.persist else None)
                                 if os.environ.get(credentials.ORGANISATION_CA_SWITCH) == "1" else None)
        self.store = Store(self.data_dir, self.res)
        try:
            self.restored = self.store.restore() if self.persist else {}
        except Exception as exc:
            self.moto.stop()
            # Starting empty would overwrite the saved data at the first snapshot: refuse instead.
            raise RuntimeError(
                f"cannot restore the data in {self.data_dir} ({type(exc).__name__}: {exc}). Move it away, or "
                "run `make local-reset` to start clean."
            ) from exc
        try:
            self.demo_sub = aws.ensure_user(self.moto.url, self.res.user_pool_id, self.demo_user, self.demo_password)
        except aws.BadUser as exc:
            self.moto.stop()
            raise RuntimeError(f"the demo user (STUDIO_DEMO_USER / STUDIO_DEMO_PASSWORD): {exc}.") from None

        # Every function as its own role, under the policy the stack synthesizes (local/iam).
        self.deployment = deployment.read(template, self.res, deployment.Place(aws.ACCOUNT_ID, aws.REGION))
        self.identities = Identities(self.deployment)
        self.state_dir = self.data_dir  # the harness file and the refusals, kept there even with --no-persist
        self.state_dir.mkdir(parents=True, exist_ok=True)
        record = self.state_dir / DENIALS_FILE
        record.unlink(missing_ok=True)
        self.gate = Gate(self.deployment, self.identities, account=aws.ACCOUNT_ID, region=aws.REGION,
                         distribution_arn=f"arn:aws:cloudfront::{aws.ACCOUNT_ID}:distribution/{self.res.distribution_id}",
                         secret_arn=self._secret_arn, profile_destinations=profile_destinations, record=record)
        self.moto.gate = self.gate

        # Bedrock: an endpoint the user set, real Bedrock, or the emulator.
        self.emulator = self.bedrock_proxy = None
        mode = os.environ.get("STUDIO_BEDROCK", "").lower()
        bedrock_endpoint = os.environ.get("AWS_ENDPOINT_URL_BEDROCK_RUNTIME")
        if bedrock_endpoint:
            self.bedrock_note = (f"Bedrock Runtime: {bedrock_endpoint} (AWS_ENDPOINT_URL_BEDROCK_RUNTIME; the "
                                 "functions' Bedrock grants are not checked there)")
        elif mode == "aws":
            from local.bedrock_proxy import BedrockProxy

            self.bedrock_proxy = BedrockProxy(self.gate.authorize_http).start()
            bedrock_endpoint = self.bedrock_proxy.url
            self.bedrock_note = ("Bedrock: real Amazon Bedrock with your AWS credentials (STUDIO_BEDROCK=aws), each "
                                 "call checked against the function's role first")
            if not self.bedrock_proxy.has_credentials():
                self.bedrock_note += "\n  WARNING: no AWS credentials found; model calls will fail (set a profile or keys)"
        else:
            from local.bedrock_emulator import EmulatorServer

            self.emulator = EmulatorServer(host="127.0.0.1", port=0, authorize=self.gate.authorize_http)
            self.emulator.start()
            bedrock_endpoint = self.emulator.url
            self.bedrock_note = f"Bedrock: offline emulator at {bedrock_endpoint}"

        s3_endpoint = f"http://{public_host}/_s3"

        def environment(name: str) -> dict[str, str]:
            return function_environment(self.deployment.functions[name], self.identities.functions[name],
                                        moto_url=self.moto.url, s3_endpoint=s3_endpoint,
                                        bedrock_endpoint=bedrock_endpoint, verbose=self.verbose,
                                        events_endpoint=f"http://{public_host}{events.PREFIX}")

        limits = {}
        for spec in self.deployment.functions.values():
            trigger = routes.function(spec.name).trigger
            most = API_CONTAINERS if trigger == "api" else max(1, spec.max_concurrency or 1)
            if spec.name == "generate-worker" and self.workers:
                most = self.workers
            limits[spec.name] = Limits(timeout_ms=spec.timeout_seconds * 1000, memory_mb=spec.memory_mb,
                                       max_containers=most)
        self.functions = Functions(environment, limits)
        # The stack's custom resources that are product functions (the day-one certificate's issuer), run
        # once now as a deployment creates them: in their container, under their role's policy.
        self.deploy_answers = self._run_deploy_resources()
        from local.auth import install_signing_key, signing_key

        self.jwks = install_signing_key(self.res.user_pool_id, signing_key(self.data_dir if self.persist else None))
        jwks_url = os.environ.get("STUDIO_JWKS_URL") or None
        self.authorizer = Authorizer(self.res, jwks_url, None if jwks_url else self.jwks)
        on_change = self.store.mark_dirty if self.persist else None
        self.gateway = Gateway(self.res, self.functions, self.authorizer, self.host, self.port,
                               public_host, on_change=on_change, identities=self.identities,
                               **({"web_dir": self.web_dir} if self.web_dir else {}))
        self.gateway.bedrock_url = self.emulator.url if self.emulator is not None else None
        self.gateway.gate = self.gate

        self._write_harness_file(bedrock_endpoint)
        self._gateway_thread = threading.Thread(target=self.gateway.server.serve_forever, name="gateway", daemon=True)
        self._gateway_thread.start()
        queues = {self.res.jobs_queue_arn: self.res.jobs_queue_url, self.res.dlq_arn: self.res.dlq_url,
                  self.res.index_queue_arn: self.res.index_queue_url}
        self.pollers = []
        for spec in self.deployment.functions.values():
            identity = self.identities.functions[spec.name]
            for queue_arn in spec.event_sources:
                self.pollers.append(QueuePoller(
                    self.functions, spec.name, queues[queue_arn], queue_arn, self.moto.url,
                    concurrency=limits[spec.name].max_containers, on_change=on_change,
                    credentials=(identity.access_key, identity.secret_key)))
        for poller in self.pollers:
            poller.start()
        self.scheduler = Scheduler(self.functions, self.schedule_seconds, on_change=on_change)
        self.scheduler.start()
        if self.persist:
            self.store.start()
        if self.restored and self.restored.get("items"):
            self._reindex_restored()
        self.startup_seconds = time.perf_counter() - started
        # Start one container of each function in the background, like provisioned concurrency, and
        # stop the extra ones a burst started once they have been idle a while.
        threading.Thread(target=self._warm, name="warm", daemon=True).start()
        threading.Thread(target=self._reap, name="reap", daemon=True).start()
        return self

    def _run_deploy_resources(self) -> dict[str, dict]:
        """Send each of the deployment's product custom resources a Create, as CloudFormation would (without a
        ResponseURL: the answer comes back from the invoke); refuse to start when one fails."""
        answers = {}
        for resource in self.deployment.custom_resources:
            event = {"RequestType": "Create", "RequestId": f"local-{resource.logical_id}", "StackId": "local",
                     "LogicalResourceId": resource.logical_id, "ResourceType": resource.resource_type,
                     "ResourceProperties": resource.properties}
            try:
                answer, _ = self.functions.invoke(resource.function, event)
            except Exception as exc:
                answer = {"Status": "FAILED", "Reason": f"{type(exc).__name__}: {exc}"}
            if not isinstance(answer, dict) or answer.get("Status") != "SUCCESS":
                reason = answer.get("Reason") if isinstance(answer, dict) else answer
                self.functions.stop()
                for server in (self.emulator, self.bedrock_proxy, self.moto):
                    if server is not None:
                        server.stop()
                raise RuntimeError(f"the stack's {resource.resource_type} ({resource.function}) failed: {reason}")
            answers[resource.logical_id] = answer
        return answers

    def _reap(self) -> None:
        while not self._stopped.wait(REAP_SECONDS):
            self.functions.reap()

    def _write_harness_file(self, bedrock_endpoint: str | None) -> None:
        """What a test or tool needs to act as an administrator here (moto's address and the harness's
        key), readable by this user only; the emulators listen on loopback only."""
        path = self.state_dir / HARNESS_FILE
        path.write_text(json.dumps({
            "motoUrl": self.moto.url, "bedrockUrl": bedrock_endpoint, "region": aws.REGION,
            "userPoolId": self.res.user_pool_id, "denials": str(self.gate.record),
            "admin": {"accessKeyId": ADMIN_KEY, "secretAccessKey": ADMIN_SECRET},
            "resources": self.res.to_json(),
        }, indent=1))
        os.chmod(path, 0o600)

    def _secret_arn(self, secret_id: str) -> str:
        """A secret's full ARN from the id a caller gave (its ARN or its name), as IAM sees it."""
        for arn in (self.res.cursor_secret_arn, self.res.origin_secret_arn, self.res.credentials_chain_secret_arn):
            name = arn.split(":secret:", 1)[1].rsplit("-", 1)[0]
            if secret_id in (arn, name) or arn.startswith(secret_id):
                return arn
        return secret_id if secret_id.startswith("arn:") else \
            f"arn:aws:secretsmanager:{aws.REGION}:{aws.ACCOUNT_ID}:secret:{secret_id}"

    def _reindex_restored(self) -> None:
        """moto keeps no vectors across restarts: queue an index job for every restored completed
        generation (the same job the worker queues), so search finds them again."""
        ddb, sqs = aws.client("dynamodb", self.moto.url), aws.client("sqs", self.moto.url)
        for page in ddb.get_paginator("scan").paginate(
                TableName=self.res.table_name, FilterExpression="#s = :c AND #k = :g",
                ExpressionAttributeNames={"#s": "status", "#k": storage_layout.SORT_KEY},
                ExpressionAttributeValues={":c": {"S": "COMPLETE"}, ":g": {"S": "GEN"}}):
            for item in page.get("Items", []):
                sqs.send_message(QueueUrl=self.res.index_queue_url,
                                 MessageBody=json.dumps({"generationId": item["id"]["S"]}))

    def _warm(self) -> None:
        for name in self.deployment.functions:
            if self._stopped.is_set():
                return
            try:
                self.functions.warm(name)
            except Exception as exc:  # reported again when the function is called
                log.warning("cannot start %s: %s", name, exc)

    @property
    def denials(self) -> list:
        return list(self.gate.denials)

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def banner(self) -> str:
        lines = [
            "",
            f"  Image Prompt Studio is running at {self.url}",
            f"  Sign in as {self.demo_user} / {self.demo_password}",
            f"  API client (OAuth2 client credentials at {self.url}/oauth2/token): "
            f"{self.res.machine_client_id} / {self.res.machine_client_secret}",
            f"  {self.bedrock_note}",
            f"  IAM: each function runs as its own role under the synthesized stack's policy; refusals are "
            f"logged and kept in {self.gate.record}",
            (f"  Data: {self.data_dir} (kept across restarts; `make local-reset` forgets it)" if self.persist
             else "  Data: not kept (--no-persist)"),
        ]
        if self.restored and any(self.restored.values()):
            r = self.restored
            lines.append(f"  Restored {r['users']} users, {r['items']} records, {r['objects']} objects, {r['jobs']} queued jobs")
        lines += [
            f"  Try the API: python -m local.cli --base-url {self.url} --help",
            f"  Ready in {self.startup_seconds:.1f} s. Ctrl-C stops.",
            "",
        ]
        return "\n".join(lines)

    def stop(self) -> None:
        """Stop promptly, even under load: no new connections, the pollers get a bounded join (a job
        cut short comes back from the queue after its visibility timeout), the containers exit, then
        the data is saved. Open connections and requests in flight are daemon threads and do not
        hold the stop up."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self.gateway.server.shutdown()
        deadline = time.monotonic() + POLLER_STOP_SECONDS
        for poller in self.pollers:
            poller.stop(timeout=max(0.0, deadline - time.monotonic()))
        self.scheduler.stop(timeout=max(0.0, deadline - time.monotonic()))
        self.gateway.server.server_close()
        self.functions.stop()
        if self.persist:
            try:
                self.store.stop()
            except Exception:
                log.exception("final snapshot failed")
        for server in (self.emulator, self.bedrock_proxy):
            if server is not None:
                try:
                    server.stop()
                except Exception:
                    log.exception("%s stop failed", type(server).__name__)
        self.moto.stop()


def profile_destinations(profile_id: str) -> list[str]:
    """The regions a cross-region inference profile may route a call to (studio/model_regions.py)."""
    from studio.model_regions import destinations

    return list(destinations(profile_id))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8080)),
                        help="gateway port (default 8080; 0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help="where users, records and images are kept (default .local-data/)")
    parser.add_argument("--web-dir", type=Path, default=None, help="the static site to serve (default web/)")
    parser.add_argument("--no-persist", action="store_true", help="start empty and keep nothing")
    parser.add_argument("--workers", type=int, default=None,
                        help="concurrent generations (default: the worker's MaximumConcurrency as deployed)")
    parser.add_argument("--verbose", action="store_true", help="handler logs (Powertools) and metrics on stdout")
    parser.add_argument("--schedule-seconds", type=float, default=None,
                        help="how often scheduled functions (the sweeper) run (default: their deployed rate; "
                             "or STUDIO_SCHEDULE_SECONDS)")
    parser.add_argument("-c", "--context", action="append", default=[], metavar="KEY=VALUE",
                        help="a stack setting, as `cdk synth -c` takes it (the functions run under that stack)")
    parser.add_argument("--template", type=Path, default=None,
                        help="run under this synthesized template instead of synthesizing (e.g. cdk.out/...json)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.verbose:
        import warnings

        warnings.filterwarnings("ignore", category=UserWarning, module=r"aws_lambda_powertools\..*")
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    context = dict(pair.split("=", 1) for pair in args.context if "=" in pair)
    stack = Stack(port=args.port, host=args.host, data_dir=args.data_dir, workers=args.workers,
                  persist=not args.no_persist, verbose=args.verbose, web_dir=args.web_dir,
                  schedule_seconds=args.schedule_seconds, context=context, template=args.template)
    stop = threading.Event()

    def on_signal(signum, _frame) -> None:
        if stop.is_set():  # a second Ctrl-C or SIGTERM: do not wait for the clean stop
            os._exit(128 + signum)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        stack.start()
    except OSError as exc:
        print(f"cannot start: {exc} (is port {args.port} in use? try --port)", file=sys.stderr)
        return 1
    except RuntimeError as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        return 1
    print(stack.banner(), flush=True)
    if args.host not in LOOPBACK:
        print(f"  WARNING: listening on {args.host}, not only this machine. Anyone who can reach port {stack.port}\n"
              "  can use the app, the emulator's fault switches (/_bedrock) and the sign-up endpoint. The stack is\n"
              "  built for one developer's machine: prefer the default (127.0.0.1).\n", file=sys.stderr, flush=True)
    while not stop.wait(0.5):
        pass
    print("Stopping: saving data...", flush=True)
    started = time.perf_counter()
    stack.stop()
    print(f"Stopped in {time.perf_counter() - started:.1f} s.", flush=True)
    # Everything is saved and every server closed. Tearing the interpreter down would only wait for
    # the requests still in flight (daemon threads) and collect moto's state: seconds, and under
    # load most of a minute. Leave now.
    logging.shutdown()
    sys.stderr.flush()
    os._exit(0)
