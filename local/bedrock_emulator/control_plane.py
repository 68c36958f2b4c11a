"""Bedrock's control plane, as much as preflight reads: GetFoundationModel, GetInferenceProfile,
ListInferenceProfiles and GetFoundationModelAvailability (boto3's `bedrock` client, rest-json).

Shapes follow the API reference (botocore's `bedrock` service model): `modelDetails.modelLifecycle`
{status ACTIVE|LEGACY, startOfLifeTime, endOfLifeTime, legacyTime}, `inferenceTypesSupported`
ON_DEMAND|INFERENCE_PROFILE, inference profiles with `models[].modelArn` in their destination
regions, availability {agreementAvailability{status}, authorizationStatus, entitlementAvailability,
regionAvailability}. Lifecycle data is AWS's as of 2026-12-01: Nova Canvas LEGACY since 2026-03-30,
end of life 2026-09-30; Titan Image Generator v2 LEGACY, end of life 2026-06-30; the Stability
models ACTIVE.

Regions: a model is known only where Bedrock offers it (on demand, or as an inference profile's
source or destination region; studio.model_regions, the app's own catalog), elsewhere
GetFoundationModel answers ValidationException "The provided model identifier is invalid." and
GetInferenceProfile ResourceNotFoundException, as Bedrock does. `Lifecycles.set(model_id,
status="LEGACY", legacy=..., end=...)` or `POST /_emulator/lifecycle` moves a model's lifecycle (tests of
the scheduled lifecycle check).

An operator-side switch simulates a model that is not yet usable (a Marketplace offer not accepted):
`Availability.set(model_id, agreement="PENDING")` or `POST /_emulator/availability`. Such a model's
InvokeModel then answers 403 AccessDeniedException, as Bedrock does before the subscription.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from studio import model_regions

from . import converse, errors, image_services
from .errors import BedrockError

ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
PROFILE_REGIONS = {
    "us": ("us-east-1", "us-east-2", "us-west-2"),
    "eu": ("eu-central-1", "eu-west-1", "eu-west-3"),
    "apac": ("ap-northeast-1", "ap-southeast-1", "ap-southeast-2"),
    "global": ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "ap-northeast-1"),
}
PROFILE_GEOGRAPHY = {"us": "US", "eu": "EU", "apac": "APAC", "global": "Global"}
CREDENTIAL_REGION = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/")
INVALID_MODEL = "The provided model identifier is invalid."


@dataclass(frozen=True)
class FoundationModel:
    model_id: str
    name: str
    provider: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    inference_types: tuple[str, ...]
    status: str = "ACTIVE"
    start: str | None = None
    legacy: str | None = None
    end: str | None = None

    def details(self, region: str, moved: dict | None = None) -> dict:
        """GetFoundationModel's modelDetails; `moved` overrides the lifecycle (status, legacy, end)."""
        life = {"status": self.status, "legacy": self.legacy, "end": self.end, **(moved or {})}
        lifecycle: dict = {"status": life["status"]}
        for key, value in (("startOfLifeTime", self.start), ("legacyTime", life["legacy"]),
                           ("endOfLifeTime", life["end"])):
            if value:
                lifecycle[key] = f"{value}T00:00:00Z"
        return {
            "modelArn": model_arn(region, self.model_id), "modelId": self.model_id, "modelName": self.name,
            "providerName": self.provider, "inputModalities": list(self.inputs),
            "outputModalities": list(self.outputs), "responseStreamingSupported": False,
            "customizationsSupported": [], "inferenceTypesSupported": list(self.inference_types),
            "modelLifecycle": lifecycle,
        }


def _image(model_id: str, name: str, provider: str, inputs: tuple[str, ...], profile_only: bool = False,
           **lifecycle: str) -> FoundationModel:
    kinds = ("INFERENCE_PROFILE",) if profile_only else ("ON_DEMAND",)
    return FoundationModel(model_id, name, provider, inputs, ("IMAGE",), kinds, **lifecycle)


FOUNDATION_MODELS: dict[str, FoundationModel] = {m.model_id: m for m in (
    _image("amazon.nova-canvas-v1:0", "Nova Canvas", "Amazon", ("TEXT", "IMAGE"), status="LEGACY",
           start="2024-12-03", legacy="2026-03-30", end="2026-09-30"),
    _image("amazon.titan-image-generator-v2:0", "Titan Image Generator G1 v2", "Amazon", ("TEXT", "IMAGE"),
           status="LEGACY", start="2024-08-06", end="2026-06-30"),
    _image("stability.stable-image-core-v1:1", "Stable Image Core 1.0", "Stability AI", ("TEXT",)),
    _image("stability.stable-image-ultra-v1:1", "Stable Image Ultra 1.0", "Stability AI", ("TEXT",)),
    _image("stability.sd3-5-large-v1:0", "Stable Diffusion 3.5 Large", "Stability AI", ("TEXT", "IMAGE")),
    *(_image(spec.model_id, spec.title, "Stability AI", ("TEXT", "IMAGE"), profile_only=True)
      for spec in image_services.SERVICES.values()),
    FoundationModel("amazon.nova-2-multimodal-embeddings-v1:0", "Nova Multimodal Embeddings", "Amazon",
                    ("TEXT", "IMAGE", "AUDIO", "VIDEO"), ("EMBEDDING",), ("ON_DEMAND",), start="2025-10-28"),
)}


def model_arn(region: str, model_id: str) -> str:
    return f"arn:aws:bedrock:{region}::foundation-model/{model_id}"


def request_region(authorization: str | None) -> str:
    """The region the SigV4 signature was made for (boto3's client region)."""
    match = CREDENTIAL_REGION.search(authorization or "")
    return match.group(1) if match else DEFAULT_REGION


def foundation_model(model_id: str) -> FoundationModel | None:
    """A known image model, or any text model the Converse emulator answers (ACTIVE)."""
    model_id = image_services.foundation_id(model_id)
    if model_id in FOUNDATION_MODELS:
        return FOUNDATION_MODELS[model_id]
    if converse.is_text_model(model_id) and _split_profile(model_id)[0] is None:
        kinds = ("INFERENCE_PROFILE",) if model_id.startswith("anthropic.") else ("ON_DEMAND", "INFERENCE_PROFILE")
        provider = model_id.split(".", 1)[0].capitalize()
        return FoundationModel(model_id, model_id, provider, ("TEXT", "IMAGE"), ("TEXT",), kinds)
    return None


def _split_profile(model_id: str) -> tuple[str | None, str]:
    prefix, _, rest = model_id.partition(".")
    if prefix in PROFILE_REGIONS and rest:
        return prefix, rest
    return None, model_id


def known_in(model_id: str, region: str) -> bool:
    """Does Bedrock's control plane in `region` know the model (the catalog's regions; any, if uncatalogued)?"""
    where = model_regions.availability(model_id)
    return (where is None or region in where.known_regions()
            or any(p.sources == model_regions.ANY_REGION for p in where.profiles))


def get_foundation_model(model_id: str, region: str, moved: dict | None = None) -> dict:
    model = foundation_model(model_id)
    if model is None or not known_in(model.model_id, region):
        raise errors.validation(INVALID_MODEL)
    return {"modelDetails": model.details(region, moved)}


def _profile_regions(prefix: str, base: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(source, destination) regions of <prefix>.<base>: the catalog's, else the geography's."""
    where = model_regions.availability(base)
    if where is None:
        return PROFILE_REGIONS[prefix], PROFILE_REGIONS[prefix]
    profile = where.profile(prefix)
    if profile is None:
        return None
    if profile.sources == model_regions.ANY_REGION:  # global: any region calls it; shown as the geography's
        return profile.sources, PROFILE_REGIONS[prefix]
    return profile.sources, profile.destinations


def _profile(profile_id: str, region: str) -> dict | None:
    prefix, base = _split_profile(image_services.foundation_id(profile_id))
    model = foundation_model(base) if prefix else None
    if model is None or "INFERENCE_PROFILE" not in model.inference_types:
        return None
    regions = _profile_regions(prefix, base)
    if regions is None or (regions[0] != model_regions.ANY_REGION and region not in regions[0]):
        return None  # no such profile, or not callable from this region
    geography = PROFILE_GEOGRAPHY[prefix]
    profile_id = f"{prefix}.{base}"
    return {
        "inferenceProfileName": f"{geography} {model.name}",
        "description": f"Routes requests to {model.name} in {', '.join(regions[1])}.",
        "createdAt": "2024-10-01T00:00:00Z", "updatedAt": "2024-10-01T00:00:00Z",
        "inferenceProfileArn": f"arn:aws:bedrock:{region}:{ACCOUNT}:inference-profile/{profile_id}",
        "models": [{"modelArn": model_arn(r, base)} for r in regions[1]],
        "inferenceProfileId": profile_id, "status": "ACTIVE", "type": "SYSTEM_DEFINED",
    }


def get_inference_profile(profile_id: str, region: str) -> dict:
    profile = _profile(profile_id, region)
    if profile is None:
        raise BedrockError("ResourceNotFoundException", f"Inference profile {profile_id} not found.")
    return profile


def list_inference_profiles(region: str, max_results: int = 1000, next_token: str | None = None,
                            type_equals: str | None = None) -> dict:
    """The Image Services' US profiles (the emulator's text profiles are answered by ID only)."""
    ids = sorted(f"us.{m}" for m in image_services.SERVICES)
    if type_equals == "APPLICATION" or region not in model_regions.US_PROFILE_REGIONS:
        ids = []
    start = int(next_token) if next_token and next_token.isdigit() else 0
    page = ids[start:start + max_results]
    answer: dict = {"inferenceProfileSummaries": [_profile(i, region) for i in page]}
    if start + max_results < len(ids):
        answer["nextToken"] = str(start + max_results)
    return answer


# --- lifecycle overrides (a model moved to LEGACY, or given an end of life) ---------------------
LIFECYCLE_STATUSES = ("ACTIVE", "LEGACY")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Lifecycles:
    """Per-model lifecycle overrides: {"status", "legacy" (YYYY-MM-DD), "end" (YYYY-MM-DD)}."""

    _moved: dict[str, dict[str, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, model_id: str, status: str, legacy: str | None = None, end: str | None = None) -> None:
        if status not in LIFECYCLE_STATUSES or any(d is not None and not _DAY.match(d) for d in (legacy, end)):
            raise ValueError(f"status must be one of {LIFECYCLE_STATUSES}, legacy and end YYYY-MM-DD days")
        if foundation_model(model_id) is None:
            raise ValueError(f"unknown model {model_id}")
        moved = {"status": status, **({"legacy": legacy} if legacy else {}), **({"end": end} if end else {})}
        with self._lock:
            self._moved[model_id] = moved

    def clear(self) -> None:
        with self._lock:
            self._moved.clear()

    def of(self, model_id: str) -> dict | None:
        with self._lock:
            moved = self._moved.get(image_services.foundation_id(model_id))
            return dict(moved) if moved else None

    def listing(self) -> dict[str, dict[str, str]]:
        with self._lock:
            return {k: dict(v) for k, v in self._moved.items()}


# --- availability (model access, Marketplace agreement) ----------------------------------------
AVAILABLE = {"agreement": "AVAILABLE", "authorization": "AUTHORIZED", "entitlement": "AVAILABLE",
             "region": "AVAILABLE"}
CHOICES = {"agreement": ("AVAILABLE", "PENDING", "NOT_AVAILABLE", "ERROR"),
           "authorization": ("AUTHORIZED", "NOT_AUTHORIZED"), "entitlement": ("AVAILABLE", "NOT_AVAILABLE"),
           "region": ("AVAILABLE", "NOT_AVAILABLE")}


@dataclass
class Availability:
    """Per-model access overrides (default: everything available)."""

    _overrides: dict[str, dict[str, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, model_id: str, **states: str) -> None:
        unknown = [k for k, v in states.items() if k not in CHOICES or v not in CHOICES[k]]
        if unknown:
            raise ValueError(f"unknown availability settings: {unknown}; expected {CHOICES}")
        with self._lock:
            self._overrides.setdefault(model_id, {}).update(states)

    def clear(self) -> None:
        with self._lock:
            self._overrides.clear()

    def of(self, model_id: str) -> dict[str, str]:
        with self._lock:
            return {**AVAILABLE, **self._overrides.get(model_id, {})}

    def listing(self) -> dict[str, dict[str, str]]:
        with self._lock:
            return {k: dict(v) for k, v in self._overrides.items()}

    def answer(self, model_id: str) -> dict:
        if foundation_model(model_id) is None:
            raise errors.validation("The provided model identifier is invalid.")
        state = self.of(model_id)
        agreement: dict = {"status": state["agreement"]}
        if state["agreement"] == "ERROR":
            agreement["errorMessage"] = "The Marketplace offer could not be checked."
        return {"modelId": model_id, "agreementAvailability": agreement,
                "authorizationStatus": state["authorization"], "entitlementAvailability": state["entitlement"],
                "regionAvailability": state["region"]}

    def check_invoke(self, model_id: str) -> None:
        """Bedrock's 403 for invoking a model whose access or agreement is not in place."""
        _, base = _split_profile(image_services.foundation_id(model_id))
        state = self.of(base)
        if state != AVAILABLE:
            raise BedrockError("AccessDeniedException", "You don't have access to the model with the specified "
                               "model ID.")


__all__ = ["FOUNDATION_MODELS", "Availability", "Lifecycles", "get_foundation_model", "get_inference_profile",
           "list_inference_profiles", "request_region"]
