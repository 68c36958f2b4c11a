"""Environment variables, read once per container into one typed model.

Every function reads the same model; a resource a function does not use may be unset for it, and
the adapter that needs a value checks it (settings.require) so a missing one fails loudly.
"""

from __future__ import annotations

import json
import os
from typing import Mapping

from pydantic import BaseModel, Field, field_validator

from studio import caches
from studio.catalog import (
    DEFAULT_EMBEDDING_MODEL_ID,
    DEFAULT_EMBEDDING_REGION,
    DEFAULT_ENABLED_MODEL_IDS,
    DEFAULT_IMAGE_MODEL_ID,
    DEFAULT_PROFILE_PREFIX,
    DEFAULT_TEXT_MODEL_ID,
)

# Environment variable names, used by the CDK stack and the local environment too.
ENV = {
    "table_name": "TABLE_NAME",
    "images_bucket": "IMAGES_BUCKET",
    "jobs_queue_url": "JOBS_QUEUE_URL",
    "cursor_secret_arn": "CURSOR_SECRET_ARN",
    "origin_secret_arn": "ORIGIN_SECRET_ARN",
    "distribution_id_parameter": "DISTRIBUTION_ID_PARAMETER",
    "bedrock_region": "BEDROCK_REGION",
    "text_model_id": "TEXT_MODEL_ID",
    "text_temperature": "TEXT_TEMPERATURE",
    "text_max_tokens": "TEXT_MAX_TOKENS",
    "image_model_id": "IMAGE_MODEL_ID",
    "allowed_image_models": "ALLOWED_IMAGE_MODELS",
    "image_profile_prefix": "IMAGE_PROFILE_PREFIX",
    "daily_image_quota": "DAILY_IMAGE_QUOTA",
    "daily_text_quota": "DAILY_TEXT_QUOTA",
    "image_prices": "IMAGE_PRICES_JSON",
    "text_price_per_1k_input": "TEXT_PRICE_PER_1K_INPUT",
    "text_price_per_1k_output": "TEXT_PRICE_PER_1K_OUTPUT",
    "public_base_url": "PUBLIC_BASE_URL",
    "model_read_timeout": "BEDROCK_READ_TIMEOUT_SECONDS",
    "model_max_attempts": "BEDROCK_MAX_ATTEMPTS",
    "index_queue_url": "INDEX_QUEUE_URL",
    "vector_index_arn": "VECTOR_INDEX_ARN",
    "embedding_model_id": "EMBEDDING_MODEL_ID",
    "embedding_region": "EMBEDDING_REGION",
    # AppSync Events (push): the Events API's HTTP domain; empty: nothing is pushed (clients poll).
    "events_http_domain": "EVENTS_HTTP_DOMAIN",
    # Never set in AWS: the local gateway's base URL that replaces https://<events_http_domain>.
    "events_endpoint_url": "EVENTS_ENDPOINT_URL",
    # Content Credentials (docs/credentials.md): the KMS key that signs, the secret holding an
    # organisation's certificate chain for it (placeholder "unset" until one is set), the SSM
    # parameter holding the day-one chain the stack issues at deploy (used while the secret is
    # unset), an RFC 3161 timestamp authority, and whether manifests carry the prompt.
    "credentials_key_id": "CREDENTIALS_KEY_ID",
    "credentials_chain_secret_arn": "CREDENTIALS_CHAIN_SECRET_ARN",
    "credentials_day_one_parameter": "CREDENTIALS_DAY_ONE_PARAMETER",
    "credentials_tsa_url": "CREDENTIALS_TSA_URL",
    "credentials_include_prompt": "CREDENTIALS_INCLUDE_PROMPT",
    # boto3's standard variable, never set in AWS: a custom S3 endpoint changes how presigned URLs
    # address the bucket (adapters/clients.py).
    "s3_endpoint_url": "AWS_ENDPOINT_URL_S3",
}


class Settings(BaseModel):
    table_name: str = ""
    images_bucket: str = ""
    jobs_queue_url: str = ""
    cursor_secret_arn: str = ""
    origin_secret_arn: str = ""
    # The SSM parameter that holds the CloudFront distribution's id; empty: no CDN to invalidate.
    distribution_id_parameter: str = ""
    bedrock_region: str = Field(default_factory=lambda: os.environ.get("AWS_REGION", "us-east-1"))
    text_model_id: str = DEFAULT_TEXT_MODEL_ID
    text_temperature: float = Field(0.7, ge=0, le=1)
    text_max_tokens: int = Field(1500, ge=100, le=8000)
    image_model_id: str = DEFAULT_IMAGE_MODEL_ID
    allowed_image_models: list[str] = Field(default_factory=lambda: list(DEFAULT_ENABLED_MODEL_IDS))
    # Image Services are invoked through the inference profile <prefix>.<model id> (us, eu, apac...).
    image_profile_prefix: str = Field(DEFAULT_PROFILE_PREFIX, pattern=r"^[a-z]{2,8}$")
    daily_image_quota: int = Field(100, ge=0)
    daily_text_quota: int = Field(200, ge=0)
    image_prices: dict[str, dict[str, float]] = Field(default_factory=dict)
    text_price_per_1k_input: float = 0.001
    text_price_per_1k_output: float = 0.005
    # Absolute base for image URLs (custom domain). Empty: derived per request from the host
    # CloudFront forwards, or relative URLs when there is none.
    public_base_url: str = ""
    model_read_timeout: int = Field(60, ge=1, le=900)
    model_max_attempts: int = Field(3, ge=1, le=10)
    index_queue_url: str = ""
    vector_index_arn: str = ""
    embedding_model_id: str = DEFAULT_EMBEDDING_MODEL_ID
    # Where search calls the embedding model (it runs in fewer regions than the image models).
    embedding_region: str = DEFAULT_EMBEDDING_REGION
    credentials_key_id: str = ""
    credentials_chain_secret_arn: str = ""
    credentials_day_one_parameter: str = ""
    credentials_tsa_url: str = Field("", pattern=r"^(https?://\S+)?$")
    # Off by default: prompts can be private, and a signed file travels wherever it is shared.
    credentials_include_prompt: bool = False
    s3_endpoint_url: str = ""
    events_http_domain: str = ""
    events_endpoint_url: str = ""

    @field_validator("allowed_image_models", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("image_prices", mode="before")
    @classmethod
    def _json(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "Settings":
        values = {field: environ[name] for field, name in ENV.items() if environ.get(name, "") != ""}
        return cls(**values)

    def require(self, field: str) -> str:
        value = getattr(self, field)
        if not value:
            raise RuntimeError(f"environment variable {ENV[field]} is not set for this function")
        return value

    def price_per_image(self, model_id: str, quality: str) -> float:
        from studio.catalog import default_prices

        configured = self.image_prices.get(model_id, {})
        if quality in configured:
            return configured[quality]
        defaults = default_prices(model_id)
        return defaults.get(quality, defaults.get("standard", 0.0))


@caches.cached
def settings() -> Settings:
    """The settings of this container (read at cold start; caches.reset() reads them again)."""
    return Settings.from_env(os.environ)
