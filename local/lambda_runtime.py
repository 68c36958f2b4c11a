"""What Lambda does around a handler: load it once, give it a context, and deliver SQS batches.

Handlers are looked up by the handler strings of studio.routes.FUNCTIONS (the ones the stack
deploys) and imported once, like a warm container. The queue pollers play the SQS event source
mapping with ReportBatchItemFailures: records not listed in `batchItemFailures` are deleted, the
others come back after the visibility timeout (or when the function changed their visibility), and
after maxReceiveCount receives SQS moves them to the DLQ, whose own poller hands them to the
dead-letters function. The scheduler plays EventBridge's schedule rules for the "schedule" functions.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import threading
import time
import uuid
from typing import Any, Callable

from local import aws
from local.paths import add_functions_to_path

add_functions_to_path()
from studio import routes  # noqa: E402

log = logging.getLogger("local.lambda")

FUNCTION_TIMEOUT_MS = {"generate-worker": 120_000, "generate-dead-letters": 60_000, "generate-sweeper": 120_000}
DEFAULT_TIMEOUT_MS = 29_000


class LambdaContext:
    def __init__(self, function_name: str, timeout_ms: int) -> None:
        self.function_name = f"image-prompt-studio-{function_name}"
        self.function_version = "$LATEST"
        self.invoked_function_arn = (
            f"arn:aws:lambda:{aws.REGION}:{aws.ACCOUNT_ID}:function:{self.function_name}"
        )
        self.memory_limit_in_mb = 512
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        self._deadline = time.monotonic() + timeout_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class Functions:
    """Lambda's containers: each handles one event at a time, and a busy function gets another.

    A container is a separate copy of the function's handler module (its module-level state, such as
    a Powertools BatchProcessor, is per container, as in Lambda); the shared studio package is
    imported once. One process cannot isolate everything a container would, though: Powertools'
    REST resolver keeps the current event in a class attribute shared by every resolver
    (BaseRouter.current_event), so two API events handled at the same time in one process could read
    each other's claims. API functions therefore run one event at a time (API_LOCK); queue
    functions, which do not use the resolver, run concurrently in their own containers.
    """

    def __init__(self) -> None:
        self._idle: dict[str, list[Callable]] = {}
        self._count: dict[str, int] = {}
        self._lock = threading.Lock()
        self._api_lock = threading.Lock()
        self._import_lock = threading.Lock()

    def _new_container(self, name: str) -> Callable:
        # One import at a time: concurrent first imports of the same libraries from several threads
        # can see partially initialized modules (seen with Powertools' batch utilities).
        with self._import_lock:
            return self._load(name)

    def _load(self, name: str) -> Callable:
        module_name, _, attr = routes.function(name).handler.rpartition(".")
        with self._lock:
            n = self._count.get(name, 0)
            self._count[name] = n + 1
        if n == 0:
            module = importlib.import_module(module_name)
        else:
            spec = importlib.util.find_spec(module_name)
            copy_spec = importlib.util.spec_from_file_location(f"{module_name}__container{n}", spec.origin)
            module = importlib.util.module_from_spec(copy_spec)
            module.__package__ = module_name.rpartition(".")[0]
            copy_spec.loader.exec_module(module)
        return getattr(module, attr)

    def handler(self, name: str) -> Callable:
        """Import the function (a warm container), e.g. at start-up."""
        container = self._acquire(name)
        self._release(name, container)
        return container

    def _acquire(self, name: str) -> Callable:
        with self._lock:
            idle = self._idle.setdefault(name, [])
            if idle:
                return idle.pop()
        return self._new_container(name)

    def _release(self, name: str, container: Callable) -> None:
        with self._lock:
            self._idle[name].append(container)

    def invoke(self, name: str, event: dict) -> tuple[Any, LambdaContext]:
        container = self._acquire(name)
        try:
            context = LambdaContext(name, FUNCTION_TIMEOUT_MS.get(name, DEFAULT_TIMEOUT_MS))
            if routes.function(name).trigger == "api":
                with self._api_lock:
                    return container(event, context), context
            return container(event, context), context
        finally:
            self._release(name, container)


class QueuePoller:
    """The SQS event source mapping for one queue and one function."""

    def __init__(
        self,
        functions: Functions,
        function_name: str,
        queue_url: str,
        queue_arn: str,
        moto_url: str,
        concurrency: int = 2,
        batch_size: int = 1,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.functions = functions
        self.function_name = function_name
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.moto_url = moto_url
        self.concurrency = concurrency
        self.batch_size = batch_size
        self.on_change = on_change or (lambda: None)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for i in range(self.concurrency):
            thread = threading.Thread(target=self._loop, name=f"{self.function_name}-poller-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))

    def _loop(self) -> None:
        sqs = aws.client("sqs", self.moto_url)
        while not self._stop.is_set():
            try:
                got = sqs.receive_message(
                    QueueUrl=self.queue_url,
                    MaxNumberOfMessages=self.batch_size,
                    WaitTimeSeconds=1,
                    AttributeNames=["All"],
                    MessageAttributeNames=["All"],
                )
            except Exception:
                if self._stop.is_set():
                    return
                log.exception("receive failed")
                self._stop.wait(1)
                continue
            messages = got.get("Messages", [])
            if not messages:
                # moto's long poll returns early on an empty queue; do not spin.
                self._stop.wait(0.3)
                continue
            self._deliver(sqs, messages)

    def _deliver(self, sqs, messages: list[dict]) -> None:
        event = {"Records": [self._record(m) for m in messages]}
        try:
            result, _ = self.functions.invoke(self.function_name, event)
        except Exception:
            log.exception("%s failed; the batch will be retried after the visibility timeout", self.function_name)
            self.on_change()
            return
        failed = {
            f.get("itemIdentifier")
            for f in ((result or {}).get("batchItemFailures") or [])
            if isinstance(f, dict)
        }
        entries = [
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
            for i, m in enumerate(messages)
            if m["MessageId"] not in failed
        ]
        if entries:
            sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
        self.on_change()

    def _record(self, message: dict) -> dict:
        attributes = dict(message.get("Attributes", {}))
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": {
                "ApproximateReceiveCount": attributes.get("ApproximateReceiveCount", "1"),
                "SentTimestamp": attributes.get("SentTimestamp", str(int(time.time() * 1000))),
                "SenderId": attributes.get("SenderId", aws.ACCOUNT_ID),
                "ApproximateFirstReceiveTimestamp": attributes.get(
                    "ApproximateFirstReceiveTimestamp", str(int(time.time() * 1000))
                ),
            },
            "messageAttributes": {
                name: {
                    "stringValue": value.get("StringValue"),
                    "binaryValue": value.get("BinaryValue"),
                    "stringListValues": [],
                    "binaryListValues": [],
                    "dataType": value.get("DataType"),
                }
                for name, value in (message.get("MessageAttributes") or {}).items()
            },
            "md5OfBody": message.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": aws.REGION,
        }


def scheduled_event(function_name: str) -> dict:
    """The event EventBridge sends a rule's Lambda target."""
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
        "account": aws.ACCOUNT_ID, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "region": aws.REGION,
        "resources": [f"arn:aws:events:{aws.REGION}:{aws.ACCOUNT_ID}:rule/image-prompt-studio-{function_name}"],
        "detail": {},
    }


class Scheduler:
    """EventBridge's schedule rules: every "schedule" function of studio.routes.FUNCTIONS runs every
    `interval_seconds` (default: its deployed rate, schedule_minutes). `run_now` runs one at once."""

    def __init__(self, functions: Functions, interval_seconds: float | None = None,
                 on_change: Callable[[], None] | None = None) -> None:
        self.functions = functions
        self.names = [f.name for f in routes.FUNCTIONS if f.trigger == "schedule"]
        self.intervals = {f.name: interval_seconds or f.schedule_minutes * 60
                          for f in routes.FUNCTIONS if f.trigger == "schedule"}
        self.on_change = on_change or (lambda: None)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_now(self, name: str) -> Any:
        result, _ = self.functions.invoke(name, scheduled_event(name))
        self.on_change()
        return result

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)

    def _loop(self) -> None:
        due = {name: time.monotonic() + self.intervals[name] for name in self.names}
        while due and not self._stop.wait(max(0.0, min(due.values()) - time.monotonic())):
            for name, at in list(due.items()):
                if at > time.monotonic():
                    continue
                try:
                    self.run_now(name)
                except Exception:  # a failed run is retried at the next one, like a rule's target
                    log.exception("scheduled %s failed", name)
                due[name] = time.monotonic() + self.intervals[name]
