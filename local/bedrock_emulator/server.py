"""The HTTP server: Bedrock Runtime's InvokeModel and Converse routes, Bedrock's control-plane reads,
plus admin endpoints.

Routes (as boto3's bedrock-runtime client sends them):
  POST /model/{modelId}/invoke      InvokeModel (raw JSON body)
  POST /model/{modelId}/converse    Converse
Routes (as boto3's bedrock client sends them; see control_plane.py):
  GET /foundation-models/{modelIdentifier}               GetFoundationModel
  GET /inference-profiles/{inferenceProfileIdentifier}   GetInferenceProfile
  GET /inference-profiles                                ListInferenceProfiles
  GET /foundation-model-availability/{modelId}           GetFoundationModelAvailability
Admin:
  GET    /_emulator/health          {"status": "ok", "models": [...], "faults": [...]}
  GET    /_emulator/faults          the armed faults
  POST   /_emulator/faults          {"fault": NAME, "times": n, "target": "image"|"text"|"any",
                                     "seconds": s (hang), "code": ErrorType (error)}
  DELETE /_emulator/faults          clear them
  GET    /_emulator/availability    the per-model access overrides
  POST   /_emulator/availability    {"modelId": ID, "agreement": "PENDING"|"NOT_AVAILABLE"|"ERROR"|"AVAILABLE",
                                     "authorization": ..., "entitlement": ..., "region": ...}
  DELETE /_emulator/availability    every model available again
  GET    /_emulator/lifecycle       the per-model lifecycle overrides
  POST   /_emulator/lifecycle       {"modelId": ID, "status": "ACTIVE"|"LEGACY", "legacy": "YYYY-MM-DD",
                                     "end": "YYYY-MM-DD"} (what GetFoundationModel answers from now on)
  DELETE /_emulator/lifecycle       every model back to its published lifecycle
A model called in a region that does not offer it (the SigV4 credential scope's region, checked against
studio.model_regions) gets Bedrock's ValidationException "The provided model identifier is invalid."
Authorization: an `authorize(method, path, query, headers, body)` hook given to EmulatorServer answers
each model or control-plane call before the emulator does (the local stack checks the caller's IAM
policy there: local/iam/gate.py); it returns None to go on, or (status, headers, body) to refuse.

A marker `[fault:NAME]` in a prompt or message text applies that fault to every call carrying it
(`[fault:error=AccessDeniedException]` for any Bedrock error type).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from studio import model_regions

from . import control_plane, converse, embeddings, errors, image_models, image_services
from .errors import BedrockError

log = logging.getLogger("bedrock_emulator")

FAULTS = ("throttle", "timeout", "hang", "server-error", "filter-input", "filter-input-image", "filter-output",
          "inference-error", "malformed", "error")
TARGETS = ("image", "text", "any")
MARKER = re.compile(r"\[fault:([a-z-]+)(?:=([A-Za-z]+))?\]")
ROUTE = re.compile(r"^/model/(?P<model>.+)/(?P<op>invoke|converse)$")
CONTROL = re.compile(r"^/(?P<kind>foundation-models|inference-profiles|foundation-model-availability)"
                     r"(?:/(?P<id>.+))?$")


@dataclass
class ArmedFault:
    fault: str
    times: int
    target: str
    seconds: float | None = None
    code: str | None = None  # the "error" fault: any Bedrock error type


class FaultBoard:
    """Faults armed through the admin endpoint, consumed one call at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[ArmedFault] = []

    def arm(self, fault: ArmedFault) -> None:
        with self._lock:
            self._armed.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    def take(self, kind: str) -> ArmedFault | None:
        with self._lock:
            for armed in self._armed:
                if armed.target in (kind, "any"):
                    armed.times -= 1
                    if armed.times <= 0:
                        self._armed.remove(armed)
                    return armed
        return None

    def listing(self) -> list[dict]:
        with self._lock:
            return [dict(a.__dict__) for a in self._armed]


def marker_fault(texts: list[str]) -> ArmedFault | None:
    for text in texts:
        for match in MARKER.finditer(text or ""):
            if match.group(1) in FAULTS:
                return ArmedFault(match.group(1), 1, "any", code=match.group(2))
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "BedrockEmulator/1.0"
    server: "_Server"

    def log_message(self, fmt: str, *args: object) -> None:  # quiet by default
        log.debug("%s - %s", self.address_string(), fmt % args)

    # --- plumbing ----------------------------------------------------------------------------
    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, payload: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def _json(self, status: int, data: object, headers: dict | None = None) -> None:
        self._send(status, json.dumps(data).encode("utf-8"), headers)

    def _error(self, exc: BedrockError) -> None:
        self._json(exc.status, {"message": exc.message}, {"x-amzn-ErrorType": exc.code})

    def _refused(self, body: bytes) -> bool:
        """Whether the authorization hook refused the call (its answer is then sent)."""
        authorize = self.server.authorize
        if authorize is None:
            return False
        split = urllib.parse.urlsplit(self.path)
        refusal = authorize(self.command, split.path, split.query, {k.lower(): v for k, v in self.headers.items()},
                            body)
        if refusal is None:
            return False
        from local.responses import send

        send(self, *refusal)
        return True

    # --- verbs -------------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802
        path = urllib.parse.urlsplit(self.path).path
        control = CONTROL.match(path)
        if control and self._refused(b""):
            return
        if control:
            self._control_plane(control.group("kind"), urllib.parse.unquote(control.group("id") or ""))
        elif path == "/_emulator/availability":
            self._json(200, {"availability": self.server.availability.listing()})
        elif path == "/_emulator/lifecycle":
            self._json(200, {"lifecycle": self.server.lifecycles.listing()})
        elif path == "/_emulator/health":
            self._json(200, {"status": "ok", "models": {"image": image_models.model_ids(),
                                                        "text": "any Anthropic, Nova, Meta, Mistral... text model ID"},
                             "faults": self.server.board.listing(), "hangSeconds": self.server.hang_seconds})
        elif path == "/_emulator/faults":
            self._json(200, {"faults": self.server.board.listing()})
        else:
            self._error(BedrockError("UnknownOperationException", f"No route for GET {path}", 404))

    def do_DELETE(self) -> None:  # noqa: N802
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_emulator/faults":
            self.server.board.clear()
            self._json(200, {"faults": []})
        elif path == "/_emulator/availability":
            self.server.availability.clear()
            self._json(200, {"availability": {}})
        elif path == "/_emulator/lifecycle":
            self.server.lifecycles.clear()
            self._json(200, {"lifecycle": {}})
        else:
            self._error(BedrockError("UnknownOperationException", f"No route for DELETE {self.path}", 404))

    def do_POST(self) -> None:  # noqa: N802
        path = urllib.parse.urlsplit(self.path).path
        body = self._body()
        if path == "/_emulator/faults":
            self._arm(body)
            return
        if path == "/_emulator/availability":
            self._set_availability(body)
            return
        if path == "/_emulator/lifecycle":
            self._set_lifecycle(body)
            return
        match = ROUTE.match(path)
        if not match:
            self._error(BedrockError("UnknownOperationException", f"No route for POST {path}", 404))
            return
        if self._refused(body):
            return
        model_id = urllib.parse.unquote(match.group("model"))
        try:
            if match.group("op") == "invoke":
                self._invoke(model_id, body)
            else:
                self._converse(model_id, body)
        except BedrockError as exc:
            self._error(exc)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:  # noqa: BLE001 - the emulator must answer in Bedrock's shape
            log.exception("emulator failure")
            self._error(BedrockError("InternalServerException", f"The emulator failed: {exc}"))

    def _arm(self, body: bytes) -> None:
        try:
            data = json.loads(body or b"{}")
            fault, target = data["fault"], data.get("target", "any")
            times = int(data.get("times", 1))
            seconds = data.get("seconds")
            code = data.get("code")
            if fault not in FAULTS or target not in TARGETS or times < 1:
                raise ValueError
            if fault == "error" and code not in errors.STATUS:
                raise ValueError
        except (ValueError, KeyError, TypeError, json.JSONDecodeError):
            self._json(400, {"message": f"Expected {{\"fault\": one of {list(FAULTS)}, \"times\": n >= 1, "
                                        f"\"target\": one of {list(TARGETS)}, \"code\" (for error): one of "
                                        f"{sorted(errors.STATUS)}}}"},
                       {"x-amzn-ErrorType": "ValidationException"})
            return
        self.server.board.arm(ArmedFault(fault, times, target, float(seconds) if seconds is not None else None,
                                         code))
        self._json(200, {"faults": self.server.board.listing()})

    def _set_availability(self, body: bytes) -> None:
        try:
            data = json.loads(body or b"{}")
            model_id = data.pop("modelId")
            if not isinstance(model_id, str) or not data:
                raise ValueError
            self.server.availability.set(model_id, **data)
        except (ValueError, KeyError, TypeError, AttributeError, json.JSONDecodeError):
            choices = {k: list(v) for k, v in control_plane.CHOICES.items()}
            self._json(400, {"message": f"Expected a JSON object with modelId and one or more of {choices}"},
                       {"x-amzn-ErrorType": "ValidationException"})
            return
        self._json(200, {"availability": self.server.availability.listing()})

    def _set_lifecycle(self, body: bytes) -> None:
        try:
            data = json.loads(body or b"{}")
            self.server.lifecycles.set(data["modelId"], data["status"], data.get("legacy"), data.get("end"))
        except (ValueError, KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            self._json(400, {"message": f"Expected {{\"modelId\", \"status\": ACTIVE|LEGACY, \"legacy\", \"end\": "
                                        f"YYYY-MM-DD}}: {exc}"}, {"x-amzn-ErrorType": "ValidationException"})
            return
        self._json(200, {"lifecycle": self.server.lifecycles.listing()})

    def _control_plane(self, kind: str, identifier: str) -> None:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        region = control_plane.request_region(self.headers.get("Authorization"))
        try:
            if kind == "foundation-models" and identifier:
                answer = control_plane.get_foundation_model(identifier, region,
                                                            self.server.lifecycles.of(identifier))
            elif kind == "inference-profiles" and identifier:
                answer = control_plane.get_inference_profile(identifier, region)
            elif kind == "inference-profiles":
                answer = control_plane.list_inference_profiles(
                    region, int(query.get("maxResults", ["1000"])[0]), query.get("nextToken", [None])[0],
                    query.get("type", [None])[0])
            elif kind == "foundation-model-availability" and identifier:
                answer = self.server.availability.answer(identifier)
            else:
                raise BedrockError("UnknownOperationException", f"No route for GET {self.path}", 404)
        except BedrockError as exc:
            self._error(exc)
            return
        self._json(200, answer)

    # --- faults shared by both operations ----------------------------------------------------
    def _generic_fault(self, armed: ArmedFault | None) -> None:
        """Raise (or sleep for) the faults that look the same for every model."""
        if armed is None:
            return
        if armed.fault == "throttle":
            raise BedrockError("ThrottlingException", "Too many requests, please wait before trying again.")
        if armed.fault == "timeout":
            raise BedrockError("ModelTimeoutException", "Model has timed out in processing the request. Try your "
                               "request again.")
        if armed.fault == "server-error":
            raise BedrockError("InternalServerException", "The server encountered an internal error while "
                               "processing the request.")
        if armed.fault == "error":
            code = armed.code if armed.code in errors.STATUS else "InternalServerException"
            raise BedrockError(code, f"{code} raised by the emulator's fault switch.")
        if armed.fault == "hang":
            seconds = armed.seconds if armed.seconds is not None else self.server.hang_seconds
            self.server.stopping.wait(seconds)

    def _region_check(self, model_id: str) -> None:
        """Bedrock's answer for a model called in a region that does not offer it (the SigV4 scope's
        region; where each model runs comes from the app's own catalog, studio.model_regions)."""
        region = control_plane.request_region(self.headers.get("Authorization"))
        model_id = image_services.foundation_id(model_id)
        prefix, _ = model_regions.split_profile_id(model_id)
        where = model_regions.availability(model_id)
        if prefix is not None and where is not None and where.profile(prefix) is None:
            return  # no such profile at all: answered as an unknown model further on
        if model_regions.offered(model_id, region) is False:
            raise errors.validation(control_plane.INVALID_MODEL)

    def _invoke(self, model_id: str, body: bytes) -> None:
        refusal = image_models.image_services.on_demand_refusal(model_id)
        if refusal is not None:
            raise refusal
        self._region_check(model_id)
        if embeddings.is_embeddings_model(model_id):
            self._json(200, embeddings.answer(body))
            return
        if not image_models.is_image_model(model_id):
            if converse.is_text_model(model_id):
                raise errors.validation(f"The offline Bedrock emulator answers InvokeModel for the image models "
                                        f"only ({', '.join(sorted(image_models.IMAGE_MODELS))}); use Converse "
                                        f"for {model_id}.")
            raise errors.not_found(model_id)
        self.server.availability.check_invoke(model_id)
        job = image_models.parse(model_id, body)
        armed = marker_fault(job.texts) or self.server.board.take("image")
        self._generic_fault(armed)
        fault = armed.fault if armed else None
        if fault == "malformed":
            self._send(200, image_models.malformed_body(job))
            return
        if fault in ("filter-input", "filter-input-image"):
            what = "input image" if fault == "filter-input-image" else "prompt"
            self._json(200, image_models.filtered_input(job, what))  # raises for Titan/Nova
            return
        if fault == "filter-output":
            self._json(200, image_models.filtered_output(job))
            return
        if fault == "inference-error":
            self._json(200, image_models.inference_error(job))  # raises for Titan/Nova
            return
        self._json(200, image_models.run(job))

    def _converse(self, model_id: str, body: bytes) -> None:
        self._region_check(model_id)
        if image_models.is_image_model(model_id):
            raise errors.validation(converse.NOT_CHAT_MODEL)
        if not converse.is_text_model(model_id):
            raise errors.not_found(model_id)
        try:
            request = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise errors.validation(f"Malformed input request: {exc}{errors.MALFORMED_SUFFIX}") from None
        if not isinstance(request, dict):
            raise errors.validation("Malformed input request: #: expected type: JSONObject"
                                    + errors.MALFORMED_SUFFIX)
        converse.validate(request)
        armed = marker_fault(converse.texts(request)) or self.server.board.take("text")
        self._generic_fault(armed)
        fault = armed.fault if armed else None
        if fault == "filter-input":
            raise errors.validation(errors.CONTENT_FILTER_CONVERSE)
        if fault == "filter-output":
            self._json(200, converse.filtered_output(request))
            return
        if fault == "malformed":
            self._json(200, converse.malformed_answer(request))
            return
        self._json(200, converse.answer(request))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for a request in flight (a `hang` fault sleeps)
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], hang_seconds: float, authorize=None) -> None:
        super().__init__(address, Handler)
        self.authorize = authorize
        self.board = FaultBoard()
        self.availability = control_plane.Availability()
        self.lifecycles = control_plane.Lifecycles()
        self.hang_seconds = hang_seconds
        self.stopping = threading.Event()


class EmulatorServer:
    """Bedrock Runtime on loopback for boto3: `AWS_ENDPOINT_URL_BEDROCK_RUNTIME=<server.url>`.

    >>> server = EmulatorServer(port=0).start()
    >>> server.url  # doctest: +SKIP
    'http://127.0.0.1:54321'
    >>> server.stop()
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, hang_seconds: float = 30.0, authorize=None) -> None:
        self.host = host
        self._httpd = _Server((host, port), hang_seconds, authorize)
        self.port = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def faults(self) -> FaultBoard:
        return self._httpd.board

    @property
    def availability(self) -> control_plane.Availability:
        return self._httpd.availability

    @property
    def lifecycles(self) -> control_plane.Lifecycles:
        return self._httpd.lifecycles

    @property
    def hang_seconds(self) -> float:
        return self._httpd.hang_seconds

    @hang_seconds.setter
    def hang_seconds(self, value: float) -> None:
        self._httpd.hang_seconds = value

    def start(self) -> "EmulatorServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="bedrock-emulator", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "EmulatorServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_ready(url: str, timeout: float = 5.0) -> bool:
    import urllib.request
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_emulator/health", timeout=1) as resp:
                return resp.status == 200
        except OSError:
            time.sleep(0.05)
    return False
