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
from local.paths import DEFAULT_DATA_DIR, add_functions_to_path

add_functions_to_path()
from studio import catalog, settings as studio_settings, storage_layout  # noqa: E402

DEFAULT_DEMO_USER = "demo@studio.local"
DEFAULT_DEMO_PASSWORD = "Studio-Demo-2026!"
POLLER_STOP_SECONDS = 3  # how long the queue pollers may take to finish the job in hand when stopping
log = logging.getLogger("local")


def model_regions() -> tuple[str, str]:
    """bedrockRegion and embeddingRegion as the stack deploys them (cdk.json through cdk/config.py), so
    the functions call each model where they would in the cloud (the emulator refuses other regions)."""
    from cdk.config import cdk_json_context, load_config

    config = load_config(cdk_json_context())
    return config.bedrock_region, config.embedding_region


def handler_environment(res: aws.Resources, s3_endpoint: str, bedrock_endpoint: str | None,
                        real_credentials: bool) -> dict[str, str]:
    """Every variable the handlers read (studio.settings.ENV) and the AWS SDK's endpoints."""
    env_names = studio_settings.ENV
    bedrock_region, embedding_region = model_regions()
    # Like cdk.json: every active model and edit service, none past its end of life.
    image_ids = catalog.DEFAULT_ENABLED_MODEL_IDS
    defaults = {
        env_names["image_model_id"]: catalog.DEFAULT_IMAGE_MODEL_ID,
        env_names["allowed_image_models"]: ",".join(image_ids),
        env_names["image_profile_prefix"]: catalog.DEFAULT_PROFILE_PREFIX,
        env_names["daily_image_quota"]: "200",
        env_names["daily_text_quota"]: "500",
        # No CDN locally: nothing to invalidate (functions/studio/adapters/cdn.py).
        env_names["distribution_id_parameter"]: "",
        env_names["bedrock_region"]: bedrock_region,
        env_names["embedding_region"]: embedding_region,
        env_names["text_model_id"]: catalog.DEFAULT_TEXT_MODEL_ID,
        env_names["text_temperature"]: "0.7",
        env_names["text_max_tokens"]: "1500",
        env_names["image_prices"]: "{}",
        env_names["text_price_per_1k_input"]: "0.001",
        env_names["text_price_per_1k_output"]: "0.005",
        env_names["public_base_url"]: "",
        # Long enough for a 16-megapixel upscale on a loaded machine, shorter than the emulator's 30 s
        # `hang` fault (so that fault ends in model_timeout within a minute).
        env_names["model_read_timeout"]: "20",
        env_names["model_max_attempts"]: "2",
        env_names["embedding_model_id"]: catalog.DEFAULT_EMBEDDING_MODEL_ID,
    }
    env = {name: os.environ.get(name, value) for name, value in defaults.items()}
    env.update({
        env_names["table_name"]: res.table_name,
        env_names["images_bucket"]: res.images_bucket,
        env_names["jobs_queue_url"]: res.jobs_queue_url,
        env_names["cursor_secret_arn"]: res.cursor_secret_arn,
        env_names["index_queue_url"]: res.index_queue_url,
        env_names["vector_index_arn"]: res.vector_index_arn,
        "AWS_ENDPOINT_URL_S3VECTORS": res.moto_url,
        env_names["origin_secret_arn"]: res.origin_secret_arn,
        "AWS_ENDPOINT_URL_S3": s3_endpoint,
        "AWS_ENDPOINT_URL_DYNAMODB": res.moto_url,
        "AWS_ENDPOINT_URL_SQS": res.moto_url,
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": res.moto_url,
        "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": res.moto_url,
        "AWS_DEFAULT_REGION": aws.REGION,
        "AWS_REGION": aws.REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": os.environ.get("POWERTOOLS_SERVICE_NAME", "image-prompt-studio"),
        "POWERTOOLS_METRICS_NAMESPACE": "ImagePromptStudio",
        "POWERTOOLS_TRACE_DISABLED": "true",
    })
    # Every variable is checked against the list the handlers read, so a renamed one fails here.
    missing = set(env_names.values()) - set(env)
    assert not missing, f"no local value for {missing}"
    if bedrock_endpoint:
        env["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] = bedrock_endpoint
    if not real_credentials:
        env.update({"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_SESSION_TOKEN": ""})
    return env


class Stack:
    def __init__(self, port: int = 8080, host: str = "127.0.0.1", data_dir: Path = DEFAULT_DATA_DIR,
                 demo_user: str | None = None, demo_password: str | None = None, workers: int = 2,
                 persist: bool = True, verbose: bool = False, web_dir: Path | None = None,
                 schedule_seconds: float | None = None) -> None:
        self.port = port
        self.host = host
        self.data_dir = Path(data_dir)
        self.demo_user = demo_user or os.environ.get("STUDIO_DEMO_USER") or DEFAULT_DEMO_USER
        self.demo_password = demo_password or os.environ.get("STUDIO_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        self.workers = workers
        self.persist = persist
        self.verbose = verbose
        self.web_dir = web_dir
        # How often the scheduled functions (the sweeper) run; default: their deployed rate.
        self.schedule_seconds = schedule_seconds or float(os.environ.get("STUDIO_SCHEDULE_SECONDS") or 0) or None
        self.bedrock_note = ""
        self._stopped = threading.Event()

    def start(self) -> "Stack":
        from local.auth import Authorizer
        from local.gateway import Gateway
        from local.lambda_runtime import Functions, QueuePoller, Scheduler
        from local.persistence import Store

        started = time.perf_counter()
        if not self.port:
            self.port = aws.free_port(self.host)
        self.moto = aws.MotoServer(host="127.0.0.1").start()
        if self.persist:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        public_host = f"localhost:{self.port}"
        origins = [f"http://localhost:{self.port}", f"http://127.0.0.1:{self.port}"]
        self.res = aws.bootstrap(self.moto.url, origins, Store.saved_cursor_secret(self.data_dir) if self.persist else None)
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

        # Bedrock: an endpoint the user set, real Bedrock, or the emulator.
        self.emulator = None
        mode = os.environ.get("STUDIO_BEDROCK", "").lower()
        bedrock_endpoint = os.environ.get("AWS_ENDPOINT_URL_BEDROCK_RUNTIME")
        if bedrock_endpoint:
            self.bedrock_note = f"Bedrock Runtime: {bedrock_endpoint} (AWS_ENDPOINT_URL_BEDROCK_RUNTIME)"
        elif mode == "aws":
            self.bedrock_note = "Bedrock Runtime: real Amazon Bedrock with your AWS credentials (STUDIO_BEDROCK=aws)"
            import boto3

            if boto3.Session().get_credentials() is None:
                self.bedrock_note += "\n  WARNING: no AWS credentials found; model calls will fail (set a profile or keys)"
        else:
            from local.bedrock_emulator import EmulatorServer

            self.emulator = EmulatorServer(host="127.0.0.1", port=0)
            self.emulator.start()
            bedrock_endpoint = self.emulator.url
            self.bedrock_note = f"Bedrock Runtime: offline emulator at {bedrock_endpoint}"

        self.functions = Functions()
        self.authorizer = Authorizer(self.res, os.environ.get("STUDIO_JWKS_URL") or None)
        on_change = self.store.mark_dirty if self.persist else None
        self.gateway = Gateway(self.res, self.functions, self.authorizer, self.host, self.port,
                               public_host, on_change=on_change, **({"web_dir": self.web_dir} if self.web_dir else {}))
        self.gateway.bedrock_url = self.emulator.url if self.emulator is not None else None
        env = handler_environment(self.res, f"http://{public_host}/_s3", bedrock_endpoint,
                                  real_credentials=(mode == "aws"))
        if self.emulator is not None:  # its control plane too: the scheduled lifecycle check reads it
            env["AWS_ENDPOINT_URL_BEDROCK"] = self.emulator.url
        if not self.verbose:
            env.setdefault("POWERTOOLS_LOG_LEVEL", os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"))
            env.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
        os.environ.update(env)
        if os.environ.get("AWS_SESSION_TOKEN") == "":
            del os.environ["AWS_SESSION_TOKEN"]
        if mode != "aws":
            os.environ.pop("AWS_PROFILE", None)

        self._gateway_thread = threading.Thread(target=self.gateway.server.serve_forever, name="gateway", daemon=True)
        self._gateway_thread.start()
        self.pollers = [
            QueuePoller(self.functions, "generate-worker", self.res.jobs_queue_url, self.res.jobs_queue_arn,
                        self.moto.url, concurrency=self.workers, on_change=on_change),
            QueuePoller(self.functions, "generate-dead-letters", self.res.dlq_url, self.res.dlq_arn,
                        self.moto.url, concurrency=1, on_change=on_change),
            QueuePoller(self.functions, "index", self.res.index_queue_url, self.res.index_queue_arn,
                        self.moto.url, concurrency=1, on_change=on_change),
        ]
        for poller in self.pollers:
            poller.start()
        self.scheduler = Scheduler(self.functions, self.schedule_seconds, on_change=on_change)
        self.scheduler.start()
        if self.persist:
            self.store.start()
        if self.restored and self.restored.get("items"):
            self._reindex_restored()
        self.startup_seconds = time.perf_counter() - started
        # Warm the handlers (imports) in the background, like provisioned containers.
        threading.Thread(target=self._warm, name="warm", daemon=True).start()
        return self

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
        from studio import routes

        for function in routes.FUNCTIONS:
            try:
                self.functions.handler(function.name)
            except Exception as exc:  # reported when the route is called
                log.warning("cannot import %s (%s): %s", function.name, function.handler, exc)

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
        cut short comes back from the queue after its visibility timeout), then the data is saved.
        Open connections and requests in flight are daemon threads and do not hold the stop up."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self.gateway.server.shutdown()
        deadline = time.monotonic() + POLLER_STOP_SECONDS
        for poller in self.pollers:
            poller.stop(timeout=max(0.0, deadline - time.monotonic()))
        self.scheduler.stop(timeout=max(0.0, deadline - time.monotonic()))
        self.gateway.server.server_close()
        if self.persist:
            try:
                self.store.stop()
            except Exception:
                log.exception("final snapshot failed")
        if self.emulator is not None:
            try:
                self.emulator.stop()
            except Exception:
                log.exception("emulator stop failed")
        self.moto.stop()


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
    parser.add_argument("--workers", type=int, default=2, help="concurrent generations (default 2)")
    parser.add_argument("--verbose", action="store_true", help="handler logs (Powertools) and metrics on stdout")
    parser.add_argument("--schedule-seconds", type=float, default=None,
                        help="how often scheduled functions (the sweeper) run (default: their deployed rate; "
                             "or STUDIO_SCHEDULE_SECONDS)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.verbose:
        import warnings

        warnings.filterwarnings("ignore", category=UserWarning, module=r"aws_lambda_powertools\..*")
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stack = Stack(port=args.port, host=args.host, data_dir=args.data_dir, workers=args.workers,
                  persist=not args.no_persist, verbose=args.verbose, web_dir=args.web_dir,
                  schedule_seconds=args.schedule_seconds)
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
