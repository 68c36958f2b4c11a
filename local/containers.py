"""Lambda's containers, locally: each function runs in processes of its own, as its own role.

A container is a `python -m local.container` process with the function's environment: the variables
the stack gives it (synthesized, resolved to the local resources), the SDK's endpoints pointed at
the local emulators, and its role's own access key (local/iam/gate.py knows which role signs with
which key). It imports the handler once and serves one event at a time; a busy function gets
another container, up to its limit, as Lambda scales out. Nothing is shared between functions or
between containers: module state, the SDK's clients and Powertools' resolver (whose current event
is a class attribute) are each container's own, so API handlers run concurrently.

An invocation that outlives the function's timeout is cut short as Lambda does: the container is
killed and the caller gets an error ("Task timed out").
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from local.container import LambdaContext, receive, send
from local.paths import ROOT, add_functions_to_path

add_functions_to_path()
from studio import routes  # noqa: E402

log = logging.getLogger("local.lambda")

# What a container inherits from `make local`'s own environment (the rest is the function's).
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ", "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE",
             "PYTHONUNBUFFERED", "COVERAGE_PROCESS_START", "COVERAGE_PROCESS_CONFIG", "COVERAGE_FILE",
             "COV_CORE_SOURCE", "COV_CORE_CONFIG", "COV_CORE_DATAFILE", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
START_DEADLINE = 120  # seconds for a container's init (imports), generous for a busy machine
IDLE_SECONDS = 60  # a function's idle containers beyond its first stop after this long (Lambda reclaims them too)
STOP_GRACE = 5  # seconds a container has to exit after its socket closes (coverage writes its data)
TIMEOUT_GRACE = 2  # seconds past the function's timeout before the container is killed


class FunctionError(Exception):
    """The function failed (raised, timed out, or its container died): Lambda's error for the caller."""

    def __init__(self, function: str, kind: str, message: str) -> None:
        super().__init__(f"{function}: {kind}: {message}")
        self.kind, self.message = kind, message


@dataclass
class Limits:
    timeout_ms: int
    memory_mb: int = 512
    max_containers: int = 4


class Container:
    def __init__(self, name: str, handler: str, environment: dict[str, str]) -> None:
        self.name = name
        parent, child = socket.socketpair()
        self.sock = parent
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local.container", str(child.fileno()), handler],
            cwd=ROOT, env=environment, pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL,
            # Its own process group: Ctrl+C in the terminal goes to `make local` only, which stops its
            # containers in order (before, each one died mid-call and printed a KeyboardInterrupt traceback).
            process_group=0)
        child.close()
        self.sock.settimeout(START_DEADLINE)
        hello = receive(self.sock)
        if not hello or not hello.get("ready"):
            error = (hello or {}).get("error") or {"type": "Runtime.ExitError", "message": "the container exited"}
            self.stop()
            raise FunctionError(name, error["type"], f"init failed: {error['message']}")

    def invoke(self, event: dict, limits: Limits) -> tuple[Any, LambdaContext]:
        context = LambdaContext(f"image-prompt-studio-{self.name}", limits.timeout_ms, limits.memory_mb)
        self.sock.settimeout(limits.timeout_ms / 1000 + TIMEOUT_GRACE)
        try:
            send(self.sock, {"event": event, "context": {
                "function_name": context.function_name, "timeout_ms": limits.timeout_ms,
                "memory_mb": limits.memory_mb, "request_id": context.aws_request_id}})
            reply = receive(self.sock)
        except socket.timeout:
            self.kill()
            raise FunctionError(self.name, "Sandbox.Timedout",
                                f"Task timed out after {limits.timeout_ms / 1000:.2f} seconds") from None
        except OSError as error:
            self.kill()
            raise FunctionError(self.name, "Runtime.ExitError", f"the container failed: {error}") from None
        if reply is None:
            self.kill()
            raise FunctionError(self.name, "Runtime.ExitError", "the container exited during the invocation")
        if "error" in reply:
            raise FunctionError(self.name, reply["error"]["type"], reply["error"]["message"])
        return reply["result"], context

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Close the socket: the container leaves its loop and exits normally."""
        try:
            send(self.sock, {"stop": True})
        except OSError:
            pass
        self.sock.close()
        try:
            self.process.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        self.sock.close()
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class Functions:
    """Every function's containers: invoke(name, event) runs the event in an idle container of that
    function, or in a new one while the function has fewer than its limit, else waits for one."""

    def __init__(self, environment: Callable[[str], dict[str, str]], limits: dict[str, Limits]) -> None:
        self._environment, self._limits = environment, limits
        self._idle: dict[str, list[Container]] = {}
        self._idle_since: dict[Container, float] = {}
        self._count: dict[str, int] = {}
        self._freed = threading.Condition()
        self._closed = False
        self.invocations: dict[str, int] = {}

    def limits(self, name: str) -> Limits:
        return self._limits[name]

    def _acquire(self, name: str) -> Container:
        with self._freed:
            while True:
                if self._closed:
                    raise FunctionError(name, "Runtime.Stopped", "the local stack is stopping")
                idle = self._idle.setdefault(name, [])
                while idle:
                    container = idle.pop()
                    self._idle_since.pop(container, None)
                    if container.alive():
                        return container
                    self._count[name] -= 1
                if self._count.get(name, 0) < self._limits[name].max_containers:
                    self._count[name] = self._count.get(name, 0) + 1
                    break
                self._freed.wait()
        try:
            return self._start(name)
        except BaseException:
            with self._freed:
                self._count[name] -= 1
                self._freed.notify_all()
            raise

    def _start(self, name: str) -> Container:
        started = time.perf_counter()
        container = Container(name, routes.function(name).handler, self._environment(name))
        log.debug("%s: new container in %.2f s", name, time.perf_counter() - started)
        return container

    def _release(self, name: str, container: Container) -> None:
        with self._freed:
            keep = container.alive() and not self._closed
            if keep:
                self._idle[name].append(container)
                self._idle_since[container] = time.monotonic()
            else:
                self._count[name] -= 1
            self._freed.notify_all()
        if not keep:
            container.stop() if container.alive() else container.kill()

    def invoke(self, name: str, event: dict) -> tuple[Any, LambdaContext]:
        container = self._acquire(name)
        try:
            self.invocations[name] = self.invocations.get(name, 0) + 1
            return container.invoke(event, self._limits[name])
        finally:
            self._release(name, container)

    def reap(self, idle_seconds: float = IDLE_SECONDS) -> int:
        """Stop the containers idle for longer than `idle_seconds`, keeping one per function; how many."""
        old = []
        with self._freed:
            now = time.monotonic()
            for name, idle in self._idle.items():
                for container in sorted(idle, key=lambda c: self._idle_since.get(c, now)):
                    if self._count[name] <= 1 or now - self._idle_since.get(container, now) <= idle_seconds:
                        break
                    idle.remove(container)
                    self._idle_since.pop(container, None)
                    self._count[name] -= 1
                    old.append(container)
        for container in old:
            container.stop()
        return len(old)

    def warm(self, name: str) -> None:
        """Start one container of the function now (a provisioned container), if it has none."""
        with self._freed:
            if self._count.get(name, 0):
                return
        self._release(name, self._acquire(name))

    def stop(self) -> None:
        """Stop every idle container (each exits normally); busy ones stop when their event ends."""
        with self._freed:
            self._closed = True
            idle = [c for containers in self._idle.values() for c in containers]
            self._idle.clear()
            self._freed.notify_all()
        threads = [threading.Thread(target=c.stop, daemon=True) for c in idle]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(STOP_GRACE + 1)


def base_environment() -> dict[str, str]:
    """What every container inherits from this process (coverage, locale, paths), nothing of AWS."""
    env = {k: v for k, v in os.environ.items() if k in INHERITED}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "functions"), str(ROOT)])
    return env
