"""What Lambda does around a function besides running it (local/containers.py): deliver SQS batches
and scheduled events.

The queue pollers play the SQS event source mapping with ReportBatchItemFailures, receiving and
deleting as the function's role (as an event source mapping does: the role needs
sqs:ReceiveMessage and sqs:DeleteMessage on the queue): records not listed in `batchItemFailures` are deleted, the
others come back after the visibility timeout (or when the function changed their visibility), and
after maxReceiveCount receives SQS moves them to the DLQ, whose own poller hands them to the
dead-letters function. The scheduler plays EventBridge's schedule rules for the "schedule" functions.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Any, Callable, Protocol

from local import aws
from local.paths import add_functions_to_path

add_functions_to_path()
from studio import routes  # noqa: E402

log = logging.getLogger("local.lambda")


class Invoker(Protocol):
    def invoke(self, name: str, event: dict) -> tuple[Any, Any]: ...


class QueuePoller:
    """The SQS event source mapping for one queue and one function."""

    def __init__(
        self,
        functions: Invoker,
        function_name: str,
        queue_url: str,
        queue_arn: str,
        moto_url: str,
        concurrency: int = 2,
        batch_size: int = 1,
        on_change: Callable[[], None] | None = None,
        credentials: tuple[str, str] = ("local", "local"),
    ) -> None:
        self.functions = functions
        self.function_name = function_name
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.moto_url = moto_url
        self.credentials = credentials  # the function role's key: the mapping reads the queue as that role
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
        sqs = aws.client("sqs", self.moto_url, self.credentials)
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
            if self._stop.is_set():  # stopping (Ctrl+C): the batch stays queued for the next start, no traceback
                log.info("%s: stopped before it answered; the batch stays queued", self.function_name)
                return
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

    def __init__(self, functions: Invoker, interval_seconds: float | None = None,
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
