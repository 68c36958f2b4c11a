"""The stack's settings: every value comes from CDK context, validated into one typed model.

Defaults live in cdk.json ("context"); `cdk deploy -c key=value` (or CONTEXT="-c key=value" with
make) overrides them. Values given on the command line arrive as strings, so each field accepts the
string form too ("true", "30", "a,b", JSON for maps). A bad value stops the synth with a message
that names the context key, what it must be, and what it got.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cdk.constants import ROOT

sys.path.insert(0, str(ROOT / "functions"))
from studio import catalog, model_regions  # noqa: E402  (dependency-free modules shared with the handlers)
from studio.model_regions import split_profile_id  # noqa: E402,F401  (cdk modules import it from here)

CDK_JSON = ROOT / "cdk.json"

# The values CloudWatch Logs accepts for a log group's retention, in days.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                      2922, 3288, 3653)

_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CERT_ARN = re.compile(r"^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate/[0-9a-f-]{36}$")
_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")
_COGNITO_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


class ConfigError(ValueError):
    """A context value is missing or wrong; the message names the key."""


def _split_list(value: object) -> object:
    """'a,b' or '["a","b"]' (command line) or a JSON list (cdk.json) -> list."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [v.strip() for v in text.split(",") if v.strip()]
    return value


def _empty_to_none(value: object) -> object:
    return None if isinstance(value, str) and value.strip() in ("", "none", "null") else value


class StudioConfig(BaseModel):
    """Everything an operations team can set. Field aliases are the context keys."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", frozen=True)

    stack_name: str = Field("ImagePromptStudio", alias="stackName")
    region: str | None = Field(None, alias="region")
    bedrock_region: str = Field("us-west-2", alias="bedrockRegion")  # Core, Ultra and SD3.5 live there
    # Nova Multimodal Embeddings runs in us-east-1 only (studio/model_regions.py): search calls it there.
    embedding_region: str = Field(catalog.DEFAULT_EMBEDDING_REGION, alias="embeddingRegion")
    # "refuse": synth stops when a model is called where the catalog says Bedrock does not offer it;
    # "warn": an operator who knows better (a region newer than the catalog) gets a warning instead.
    model_region_check: Literal["refuse", "warn"] = Field("refuse", alias="modelRegionCheck")
    image_model_id: str = Field(catalog.DEFAULT_IMAGE_MODEL_ID, alias="imageModelId")
    allowed_image_models: tuple[str, ...] = Field(catalog.DEFAULT_ENABLED_MODEL_IDS, alias="allowedImageModels")
    image_profile_prefix: str = Field(catalog.DEFAULT_PROFILE_PREFIX, alias="imageProfilePrefix")
    text_model_id: str = Field(catalog.DEFAULT_TEXT_MODEL_ID, alias="textModelId")
    text_temperature: float = Field(0.7, ge=0, le=1, alias="textTemperature")
    text_max_tokens: int = Field(1500, ge=100, le=8000, alias="textMaxTokens")
    daily_image_quota: int = Field(100, ge=0, alias="dailyImageQuota")
    daily_text_quota: int = Field(200, ge=0, alias="dailyTextQuota")
    image_prices: dict[str, dict[str, float]] = Field(default_factory=dict, alias="imagePrices")
    text_price_per_1k_input: float = Field(0.001, ge=0, alias="textPricePer1kInput")
    text_price_per_1k_output: float = Field(0.005, ge=0, alias="textPricePer1kOutput")
    self_sign_up: bool = Field(False, alias="selfSignUp")
    allowed_email_domains: tuple[str, ...] = Field((), alias="allowedEmailDomains")
    custom_domain: str | None = Field(None, alias="customDomain")
    certificate_arn: str | None = Field(None, alias="certificateArn")
    cognito_domain_prefix: str | None = Field(None, alias="cognitoDomainPrefix")
    threat_protection: bool = Field(True, alias="threatProtection")
    waf: bool = Field(False, alias="waf")
    waf_rate_limit: int = Field(1000, ge=10, le=2_000_000_000, alias="wafRateLimit")
    log_retention_days: int = Field(30, alias="logRetentionDays")
    removal_policy: Literal["retain", "destroy"] = Field("retain", alias="removalPolicy")
    worker_concurrency: int = Field(2, ge=2, le=1000, alias="workerConcurrency")
    alarm_email: str | None = Field(None, alias="alarmEmail")
    allow_localhost_callback: bool = Field(False, alias="allowLocalhostCallback")
    # The Secrets Manager VersionId of the origin secret CloudFront sends (after a rotation); empty = AWSCURRENT.
    origin_secret_version: str | None = Field(None, alias="originSecretVersion")
    snap_start: bool = Field(False, alias="snapStart")
    # Content Credentials (docs/credentials.md): the prompt in every signed manifest (off: prompts can
    # be private and a signed file travels wherever it is shared), and an RFC 3161 timestamp authority.
    credentials_include_prompt: bool = Field(False, alias="credentialsIncludePrompt")
    credentials_tsa_url: str = Field("", alias="credentialsTsaUrl", pattern=r"^(https?://\S+)?$")

    # ---- parsing of command-line strings -------------------------------------------------------
    @field_validator("allowed_image_models", "allowed_email_domains", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _split_list(value)

    @field_validator("image_prices", mode="before")
    @classmethod
    def _prices_json(cls, value: object) -> object:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @field_validator("region", "custom_domain", "certificate_arn", "alarm_email", "cognito_domain_prefix",
                     "origin_secret_version", mode="before")
    @classmethod
    def _optional(cls, value: object) -> object:
        return _empty_to_none(value)

    @field_validator("removal_policy", "model_region_check", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    # ---- single values ---------------------------------------------------------------------------
    @field_validator("stack_name")
    @classmethod
    def _stack_name(cls, value: str) -> str:
        if not _STACK_NAME.match(value):
            raise ValueError("must start with a letter and contain only letters, digits and hyphens (max 128)")
        return value

    @field_validator("region", "bedrock_region", "embedding_region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and not _REGION.match(value):
            raise ValueError("must be an AWS region code such as us-east-1")
        return value

    @field_validator("image_model_id")
    @classmethod
    def _image_model(cls, value: str) -> str:
        if value not in catalog.IMAGE_MODELS_BY_ID:
            raise ValueError(f"must be one of the catalogued image models: {', '.join(catalog.IMAGE_MODELS_BY_ID)}")
        return value

    @field_validator("allowed_image_models")
    @classmethod
    def _allowed(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        known = (*catalog.IMAGE_MODELS_BY_ID, *catalog.EDIT_MODEL_IDS)
        unknown = [m for m in value if m not in known]
        if unknown:
            raise ValueError(f"unknown image model(s) {', '.join(unknown)}; catalogued: {', '.join(known)}")
        if not value:
            raise ValueError("must list at least one image model")
        return tuple(dict.fromkeys(value))

    @field_validator("image_profile_prefix")
    @classmethod
    def _profile_prefix(cls, value: str) -> str:
        if value not in model_regions.PROFILE_PREFIXES:
            raise ValueError(f"must be an inference profile prefix: one of {', '.join(model_regions.PROFILE_PREFIXES)}")
        return value

    @field_validator("text_model_id")
    @classmethod
    def _text_model(cls, value: str) -> str:
        if not re.match(r"^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?(:[0-9a-z]+)?$", value):
            raise ValueError("must be a Bedrock model or inference profile ID such as "
                             f"{catalog.DEFAULT_TEXT_MODEL_ID}")
        return value

    @field_validator("allowed_email_domains")
    @classmethod
    def _domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        domains = tuple(d.lower().lstrip("@") for d in value)
        bad = [d for d in domains if not _DOMAIN.match(d)]
        if bad:
            raise ValueError(f"not e-mail domains: {', '.join(bad)} (write example.com, without @)")
        return domains

    @field_validator("custom_domain")
    @classmethod
    def _custom_domain(cls, value: str | None) -> str | None:
        if value is not None and not _DOMAIN.match(value.lower()):
            raise ValueError("must be a host name such as studio.example.com (no scheme, no path)")
        return value.lower() if value else value

    @field_validator("certificate_arn")
    @classmethod
    def _certificate(cls, value: str | None) -> str | None:
        if value is not None and not _CERT_ARN.match(value):
            raise ValueError("must be the ARN of an ACM certificate in us-east-1 (CloudFront only uses those)")
        return value

    @field_validator("cognito_domain_prefix")
    @classmethod
    def _cognito_prefix(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not _COGNITO_PREFIX.match(value) or any(w in value for w in ("aws", "amazon", "cognito")):
            raise ValueError("must be lowercase letters, digits and hyphens, without aws, amazon or cognito")
        return value

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise ValueError(f"must be one of the CloudWatch Logs retention values: "
                             f"{', '.join(map(str, LOG_RETENTION_DAYS))}")
        return value

    @field_validator("alarm_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError("must be an e-mail address")
        return value

    # ---- combinations ----------------------------------------------------------------------------
    @model_validator(mode="after")
    def _together(self) -> "StudioConfig":
        if self.image_model_id not in self.allowed_image_models:
            raise _SettingError("allowedImageModels", f"must include imageModelId ({self.image_model_id})",
                            list(self.allowed_image_models))
        if (self.custom_domain is None) != (self.certificate_arn is None):
            key = "certificateArn" if self.certificate_arn is None else "customDomain"
            raise _SettingError(key, "customDomain and certificateArn must be set together, or neither",
                            getattr(self, "certificate_arn" if key == "certificateArn" else "custom_domain"))
        for model_id, prices in self.image_prices.items():
            qualities = tuple(catalog.default_prices(model_id))
            if not qualities:
                raise _SettingError("imagePrices", f"unknown image model {model_id}", self.image_prices)
            for quality, price in prices.items():
                if quality not in qualities:
                    raise _SettingError("imagePrices", f"{model_id} has no quality {quality!r} "
                                    f"(it has {', '.join(qualities)})", self.image_prices)
                if price < 0:
                    raise _SettingError("imagePrices", f"price of {model_id}/{quality} must be >= 0", self.image_prices)
        # Models the catalog does not know (a custom text model): at least the profile's geography.
        # Catalogued ones are checked against where they run (model_region_problems, at load_config).
        checks = [("textModelId", self.text_model_id), ("imageModelId", self.image_model_id)]
        checks += [("imageProfilePrefix", m) for m in self.image_invocation_ids() if split_profile_id(m)[0]]
        for key, model_id in checks:
            problem = None if model_regions.availability(model_id) else profile_region_problem(model_id,
                                                                                               self.bedrock_region)
            if problem:
                raise _SettingError(key, problem, model_id)
        return self

    # ---- derived values --------------------------------------------------------------------------
    @property
    def retain_data(self) -> bool:
        return self.removal_policy == "retain"

    def image_invocation_ids(self) -> list[str]:
        """The ids the worker invokes: Image Services through <imageProfilePrefix>.<model id>."""
        return [catalog.invocation_id(m, self.image_profile_prefix) for m in self.allowed_image_models]

    def model_calls(self) -> list[model_regions.ModelCall]:
        """Every model the stack calls, each in the region it is called in."""
        return model_regions.stack_calls(
            image_ids=self.image_invocation_ids(), image_model_id=self.image_model_id,
            text_model_id=self.text_model_id, embedding_model_id=catalog.DEFAULT_EMBEDDING_MODEL_ID,
            bedrock_region=self.bedrock_region, embedding_region=self.embedding_region)

    def model_region_problems(self) -> list[str]:
        """One sentence per model called where the catalog says Bedrock does not offer it."""
        problems = []
        for call in self.model_calls():
            problem = model_regions.problem(call.model_id, call.region)
            if problem:
                region_key = "embeddingRegion" if "embeddingRegion" in call.keys else "bedrockRegion"
                settings = " / ".join(k for k in call.keys if k != "embeddingRegion")
                change = f"change {region_key}" + (f" or {settings}" if settings else "")
                problems.append(f"{problem} ({change}; checked against studio/model_regions.py)")
        return problems

    def region_warnings(self) -> list[str]:
        """The model-region problems, as warnings, when modelRegionCheck=warn (else they stop the synth)."""
        if self.model_region_check != "warn":
            return []
        return [f"{p}. modelRegionCheck=warn: synthesized anyway." for p in self.model_region_problems()]

    def lifecycle_warnings(self, today: str) -> list[str]:
        """One sentence per enabled model that is not active, for synth and preflight to say."""
        warnings = []
        for model_id in self.allowed_image_models:
            model = catalog.image_model(model_id)
            if model is None or model.lifecycle.status == "active":
                continue
            life = model.lifecycle
            if life.past_end_of_life(today):
                warnings.append(f"{model_id} is past its end of life ({life.end_of_life}): Bedrock refuses it. Remove "
                                "it from allowedImageModels (cdk.json).")
            else:
                warnings.append(f"{model_id} is {life.status}" + (f", end of life {life.end_of_life}" if life.end_of_life
                                                                  else "") + ": new AWS accounts cannot use it.")
        return warnings

    def image_prices_json(self) -> str:
        """IMAGE_PRICES_JSON: catalogue defaults for the allowed models, overridden by imagePrices."""
        prices: dict[str, dict[str, float]] = {}
        for model_id in self.allowed_image_models:
            merged = dict(catalog.default_prices(model_id))
            merged.update(self.image_prices.get(model_id, {}))
            prices[model_id] = merged
        return json.dumps(prices, sort_keys=True, separators=(",", ":"))

    @property
    def public_base_url(self) -> str:
        return f"https://{self.custom_domain}" if self.custom_domain else ""


class _SettingError(ValueError):
    def __init__(self, key: str, message: str, got: Any) -> None:
        super().__init__(message)
        self.key, self.message, self.got = key, message, got


def profile_region_problem(model_id: str, bedrock_region: str) -> str | None:
    """Why a geography's inference profile cannot be called from bedrock_region, or None."""
    prefix, _ = split_profile_id(model_id)
    if prefix in (None, "global"):
        return None
    geography = {"us": ("us-",), "us-gov": ("us-gov-",), "eu": ("eu-",), "apac": ("ap-",), "jp": ("ap-northeast-",),
                 "au": ("ap-southeast-",), "ca": ("ca-",)}[prefix]
    if not bedrock_region.startswith(geography) or (prefix == "us" and bedrock_region.startswith("us-gov-")):
        return (f"the {prefix}. inference profile is only callable from {prefix} regions, "
                f"but bedrockRegion is {bedrock_region}: change bedrockRegion or the model ID's prefix")
    return None


KNOWN_KEYS = frozenset(f.alias for f in StudioConfig.model_fields.values() if f.alias)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    return json.dumps(value) if not isinstance(value, (set, tuple)) else json.dumps(list(value))


_NUMBER_ERRORS = ("int_parsing", "int_type", "int_from_float", "float_parsing", "float_type",
                  "greater_than_equal", "less_than_equal", "greater_than", "less_than")


def _field(alias: str):
    return next((f for f in StudioConfig.model_fields.values() if f.alias == alias), None)


def _bounds(alias: str) -> str:
    field = _field(alias)
    bounds = []
    for meta in field.metadata if field else ():
        for name, sign in (("ge", ">="), ("le", "<=")):
            if getattr(meta, name, None) is not None:
                bounds.append(f"{sign} {getattr(meta, name)}")
    return " and ".join(bounds)


def _friendly(error: Mapping[str, Any], key: str) -> str:
    """One clear sentence for a pydantic error on context key `key`."""
    kind, ctx, msg = error["type"], error.get("ctx") or {}, error["msg"]
    if kind in _NUMBER_ERRORS:
        field = _field(key)
        base = "must be an integer" if field is not None and field.annotation is int else "must be a number"
        return f"{base} {_bounds(key)}".strip()
    if kind in ("bool_parsing", "bool_type"):
        return "must be true or false"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}".replace("'", "")
    if kind == "value_error":
        return str(ctx.get("error", msg)).removeprefix("Value error, ")
    if kind == "json_invalid":
        return "must be valid JSON"
    return msg[0].lower() + msg[1:]


def load_config(context: Mapping[str, Any]) -> StudioConfig:
    """Validate the context (cdk.json defaults merged with overrides) into a StudioConfig."""
    values = {k: v for k, v in context.items() if k in KNOWN_KEYS}
    unknown = sorted(k for k in context if _looks_like_ours(k) and k not in KNOWN_KEYS)
    if unknown:
        raise ConfigError("\n".join(
            f'cdk.json context "{k}": unknown setting; known settings: {", ".join(sorted(KNOWN_KEYS))}'
            for k in unknown))
    try:
        config = StudioConfig(**values)
    except _SettingError as err:  # pragma: no cover - pydantic wraps it; kept for direct raises
        raise ConfigError(f'cdk.json context "{err.key}": {err.message}, got {_describe(err.got)}') from None
    except ValidationError as err:
        lines = []
        for e in err.errors(include_url=False):
            inner = (e.get("ctx") or {}).get("error")
            if isinstance(inner, _SettingError):
                lines.append(f'cdk.json context "{inner.key}": {inner.message}, got {_describe(inner.got)}')
                continue
            key = str(e["loc"][0]) if e["loc"] else "?"
            got = context.get(key, e.get("input"))
            lines.append(f'cdk.json context "{key}": {_friendly(e, key)}, got {_describe(got)}')
        raise ConfigError("\n".join(dict.fromkeys(lines))) from None
    except json.JSONDecodeError as err:
        raise ConfigError(f'cdk.json context: a value is not valid JSON ({err})') from None
    if config.model_region_check == "refuse":
        problems = config.model_region_problems()
        if problems:
            raise ConfigError("\n".join(
                [f"a model is called where Bedrock does not offer it: {p}" for p in problems]
                + ['(an operator who knows better: -c modelRegionCheck=warn makes these warnings)']))
    return config


def _looks_like_ours(key: str) -> bool:
    """Context keys without ':' '@' or '/' are this app's (CDK's own keys all carry one)."""
    return re.match(r"^[a-z][A-Za-z0-9]*$", key) is not None


def cdk_json_context(path: Path = CDK_JSON) -> dict[str, Any]:
    return dict(json.loads(path.read_text()).get("context", {}))


def parse_context_args(argv: list[str]) -> dict[str, str]:
    """`-c key=value` / `--context key=value` / `--context=key=value` pairs from a command line."""
    out: dict[str, str] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        pair = None
        if arg in ("-c", "--context") and i + 1 < len(argv):
            pair, i = argv[i + 1], i + 2
        elif arg.startswith("--context="):
            pair, i = arg.split("=", 1)[1], i + 1
        elif arg.startswith("-c") and len(arg) > 2:
            pair, i = arg[2:], i + 1
        else:
            raise ConfigError(f"unexpected argument {arg!r}; pass settings as -c key=value")
        if "=" not in pair:
            raise ConfigError(f"context override {pair!r} must be key=value")
        key, value = pair.split("=", 1)
        out[key.strip()] = value
    return out


def app_context(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """cdk.json defaults, then what the CDK CLI passes (CDK_CONTEXT_JSON), then -c arguments."""
    environ = os.environ if environ is None else environ
    context = cdk_json_context()
    cli = environ.get("CDK_CONTEXT_JSON")
    if cli:
        context.update(json.loads(cli))
    context.update(parse_context_args(argv or []))
    return context
