"""Where each model the stack can call runs: on demand in some regions, through inference profiles from others.

One source for the CDK config's refusal at synth, preflight, the scheduled lifecycle check, the
Bedrock emulator (which refuses a call in a region without the model, as Bedrock does) and the
docs' table (docs/deploy.md, kept equal to this by a test). Dependency-free on purpose.

Every entry names the page it comes from and when it was read. `checked` says "2026-12" only for
what was read in AWS's documentation then; the other entries carry the date and source of the
statement they rest on, so that a reader knows which ones to re-check first (with `make preflight`,
which asks Bedrock itself).
"""

from __future__ import annotations

from dataclasses import dataclass

# Cross-region (system-defined) inference profile ID prefixes.
PROFILE_PREFIXES = ("us", "eu", "apac", "jp", "au", "ca", "us-gov", "global")

US_PROFILE_REGIONS = ("us-east-1", "us-east-2", "us-west-2")
EU_PROFILE_REGIONS = ("eu-central-1", "eu-west-1", "eu-west-3")
ANY_REGION = ("*",)  # a global profile: called from, and served in, any commercial region

MODEL_CARDS = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-cards.html"
IMAGE_SERVICES_PAGE = "https://docs.aws.amazon.com/bedrock/latest/userguide/stable-image-services.html"
SUPPORTED_MODELS_PAGE = "https://docs.aws.amazon.com/bedrock/latest/userguide/models-supported.html"
CDK_PROFILE_REGIONS_PAGE = ("https://docs.aws.amazon.com/cdk/api/v2/python/aws_cdk.aws_bedrock_alpha/"
                            "CrossRegionInferenceProfileRegion.html")
NOVA_EMBEDDINGS_CARD = ("https://docs.aws.amazon.com/bedrock/latest/userguide/"
                        "model-card-amazon-amazon-nova-multimodal-embeddings.html")


@dataclass(frozen=True)
class Profile:
    """A system-defined inference profile <prefix>.<model id>: called from its source regions, served in
    its destination regions."""

    prefix: str
    sources: tuple[str, ...]
    destinations: tuple[str, ...]


@dataclass(frozen=True)
class Availability:
    model_id: str
    name: str
    on_demand: tuple[str, ...] = ()  # regions where the model ID itself is invoked
    profiles: tuple[Profile, ...] = ()
    source: str = MODEL_CARDS
    as_of: str = ""  # when the statement this rests on was true (YYYY-MM)
    checked: str | None = None  # "2026-12": read in AWS's documentation then

    def profile(self, prefix: str) -> Profile | None:
        return next((p for p in self.profiles if p.prefix == prefix), None)

    def known_regions(self) -> tuple[str, ...]:
        """Every region where Bedrock's control plane knows the model (on demand, source or destination)."""
        regions = [*self.on_demand, *(r for p in self.profiles for r in (*p.sources, *p.destinations))]
        return tuple(sorted(dict.fromkeys(r for r in regions if r not in ANY_REGION)))

    def where(self) -> str:
        """Where the model is offered, in one phrase."""
        parts = []
        if self.on_demand:
            parts.append(f"on demand in {', '.join(self.on_demand)}")
        for p in self.profiles:
            sources = "any commercial region" if p.sources == ANY_REGION else ", ".join(p.sources)
            parts.append(f"through the {p.prefix}.{self.model_id} inference profile from {sources}")
        return "; ".join(parts) or "nowhere this catalog knows"


def _us_service(model_id: str, name: str) -> Availability:
    # Stability AI Image Services: invocable only through the US inference profiles.
    return Availability(model_id, name, profiles=(Profile("us", US_PROFILE_REGIONS, US_PROFILE_REGIONS),),
                        source=IMAGE_SERVICES_PAGE, as_of="2026-11")


def _us_west_2(model_id: str, name: str) -> Availability:
    return Availability(model_id, name, on_demand=("us-west-2",), source=MODEL_CARDS, as_of="2026-11")


MODEL_AVAILABILITY: dict[str, Availability] = {a.model_id: a for a in (
    # Stable Image Core, Ultra and SD3.5 Large: on demand in us-west-2 only (their model cards, as the
    # project recorded them in November 2026; a third-party SDK's release notes say the same).
    _us_west_2("stability.stable-image-core-v1:1", "Stable Image Core"),
    _us_west_2("stability.stable-image-ultra-v1:1", "Stable Image Ultra"),
    _us_west_2("stability.sd3-5-large-v1:0", "Stable Diffusion 3.5 Large"),
    _us_service("stability.stable-image-control-structure-v1:0", "Stable Image Control Structure"),
    _us_service("stability.stable-image-control-sketch-v1:0", "Stable Image Control Sketch"),
    _us_service("stability.stable-image-style-guide-v1:0", "Stable Image Style Guide"),
    _us_service("stability.stable-style-transfer-v1:0", "Stable Image Style Transfer"),
    _us_service("stability.stable-image-inpaint-v1:0", "Stable Image Inpaint"),
    _us_service("stability.stable-image-erase-object-v1:0", "Stable Image Erase Object"),
    _us_service("stability.stable-image-search-replace-v1:0", "Stable Image Search and Replace"),
    _us_service("stability.stable-image-search-recolor-v1:0", "Stable Image Search and Recolor"),
    _us_service("stability.stable-image-remove-background-v1:0", "Stable Image Remove Background"),
    _us_service("stability.stable-outpaint-v1:0", "Stable Outpaint"),
    _us_service("stability.stable-fast-upscale-v1:0", "Stable Fast Upscale"),
    _us_service("stability.stable-conservative-upscale-v1:0", "Stable Conservative Upscale"),
    _us_service("stability.stable-creative-upscale-v1:0", "Stable Creative Upscale"),
    # Read in the "Supported foundation models" table (2026-12): amazon.nova-canvas-v1:0 in us-east-1,
    # ap-northeast-1, eu-west-1. Legacy, end of life 2026-09-30.
    Availability("amazon.nova-canvas-v1:0", "Amazon Nova Canvas", on_demand=("us-east-1", "ap-northeast-1", "eu-west-1"),
                 source=SUPPORTED_MODELS_PAGE, as_of="2026-12", checked="2026-12"),
    Availability("amazon.titan-image-generator-v2:0", "Amazon Titan Image Generator v2",
                 on_demand=("us-east-1", "us-west-2"), source=SUPPORTED_MODELS_PAGE, as_of="2026-06"),
    # The default text model: Claude Haiku 4.5 through cross-region profiles only. The US and EU
    # geographies' regions as the CDK's CrossRegionInferenceProfileRegion page lists them (read 2026-12);
    # the model card may add source regions (us-west-1...): preflight asks Bedrock.
    Availability("anthropic.claude-haiku-4-5-20251001-v1:0", "Claude Haiku 4.5",
                 profiles=(Profile("us", US_PROFILE_REGIONS, US_PROFILE_REGIONS),
                           Profile("eu", EU_PROFILE_REGIONS, EU_PROFILE_REGIONS),
                           Profile("global", ANY_REGION, ANY_REGION)),
                 source=CDK_PROFILE_REGIONS_PAGE, as_of="2026-12", checked="2026-12"),
    # Nova Multimodal Embeddings: us-east-1 only, no inference profile (Bedrock's model list as late as
    # 2026-08, issue #17; the model card could not be read here past its first lines).
    Availability("amazon.nova-2-multimodal-embeddings-v1:0", "Amazon Nova Multimodal Embeddings",
                 on_demand=("us-east-1",), source=NOVA_EMBEDDINGS_CARD, as_of="2026-08"),
)}


def split_profile_id(model_id: str) -> tuple[str | None, str]:
    """('us', 'anthropic.claude...') for a system inference profile ID, (None, id) for a model ID."""
    head, _, rest = model_id.partition(".")
    if head in PROFILE_PREFIXES and rest:
        return head, rest
    return None, model_id


def availability(model_id: str) -> Availability | None:
    """Where the model of `model_id` (a model or an inference profile ID) runs, if catalogued."""
    return MODEL_AVAILABILITY.get(split_profile_id(model_id)[1])


def destinations(profile_id: str) -> tuple[str, ...]:
    """The regions an inference profile may route a call to ("*" for a global profile; none when unknown)."""
    prefix, base = split_profile_id(profile_id)
    where = MODEL_AVAILABILITY.get(base)
    profile = where.profile(prefix) if where is not None and prefix is not None else None
    return profile.destinations if profile is not None else ()


def offered(model_id: str, region: str) -> bool | None:
    """Can `model_id` (model or profile ID) be invoked in `region`? None when the catalog does not know it."""
    prefix, base = split_profile_id(model_id)
    where = MODEL_AVAILABILITY.get(base)
    if where is None:
        return None
    if prefix is None:
        return region in where.on_demand
    profile = where.profile(prefix)
    return profile is not None and (profile.sources == ANY_REGION or region in profile.sources)


def problem(model_id: str, region: str) -> str | None:
    """Why calling `model_id` in `region` fails, naming where it is offered; None if it is offered (or unknown)."""
    if offered(model_id, region) is not False:
        return None
    where = availability(model_id)
    prefix, base = split_profile_id(model_id)
    called = f"{where.name} ({model_id})"
    if prefix is not None and where.profile(prefix) is None:
        return f"{called}: no {prefix}. inference profile reaches {base}; it is offered {where.where()}"
    return f"{called} is not offered in {region}: it is offered {where.where()}"


@dataclass(frozen=True)
class ModelCall:
    """One model the stack calls: the ID it invokes, the region it calls it in, and the settings that name it."""

    model_id: str
    region: str
    keys: tuple[str, ...]

    @property
    def base_model(self) -> str:
        return split_profile_id(self.model_id)[1]


def stack_calls(*, image_ids: list[str] | tuple[str, ...], image_model_id: str, text_model_id: str,
                embedding_model_id: str, bedrock_region: str, embedding_region: str) -> list[ModelCall]:
    """Every model the stack calls, each once, in the region it is called in (image IDs as invoked)."""
    keys: dict[tuple[str, str], list[str]] = {}
    keys.setdefault((text_model_id, bedrock_region), []).append("textModelId")
    for model_id in image_ids:
        named = ["imageModelId"] if split_profile_id(model_id)[1] == image_model_id else []
        keys.setdefault((model_id, bedrock_region), []).extend(
            [*named, "allowedImageModels", *(["imageProfilePrefix"] if split_profile_id(model_id)[0] else [])])
    keys.setdefault((embedding_model_id, embedding_region), []).append("embeddingRegion")
    return [ModelCall(model_id, region, tuple(dict.fromkeys(k))) for (model_id, region), k in keys.items()]


def markdown_table() -> str:
    """docs/deploy.md's table of which model runs where (a test keeps the doc equal to this)."""
    rows = ["| model | on demand in | inference profiles (called from → served in) | source | as of |",
            "|---|---|---|---|---|"]
    for where in MODEL_AVAILABILITY.values():
        profiles = "; ".join(
            f"`{p.prefix}.` {'any region' if p.sources == ANY_REGION else ', '.join(p.sources)} → "
            f"{'any region' if p.destinations == ANY_REGION else ', '.join(p.destinations)}" for p in where.profiles)
        checked = f"{where.as_of}, checked {where.checked}" if where.checked else f"{where.as_of}, not re-read"
        rows.append(f"| {where.name} `{where.model_id}` | {', '.join(where.on_demand) or '—'} | {profiles or '—'} | "
                    f"[page]({where.source}) | {checked} |")
    return "\n".join(rows)
