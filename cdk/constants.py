"""Every fixed name and number of the stack, in one place (settings that vary live in config.py)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
LAYER_REQUIREMENTS = ROOT / "layers" / "requirements.txt"
# The whole dependency tree of the layer, pinned with hashes (`make lock` compiles it from
# LAYER_REQUIREMENTS for LOCK_PLATFORM); the layer is built from it alone, with --require-hashes.
LAYER_LOCK = ROOT / "layers" / "requirements.lock"
# The Content Credentials layer (C2PA bindings and cryptography, about 36 MB): only the functions that
# sign or read manifests get it. Its lock is compiled against LAYER_LOCK and keeps only what that lacks.
CREDENTIALS_LAYER_REQUIREMENTS = ROOT / "layers" / "credentials" / "requirements.txt"
CREDENTIALS_LAYER_LOCK = ROOT / "layers" / "credentials" / "requirements.lock"
CREDENTIALS_LAYER_FUNCTIONS = ("generate-worker", "gallery", "credentials-issuer")  # the issuer: cryptography
LOCK_PLATFORM = "aarch64-manylinux_2_34"  # Lambda's Amazon Linux 2023 (glibc 2.34) on arm64
WEB_DIR = ROOT / "web"

# Files of functions/ that never go into the code asset.
CODE_EXCLUDES = ["**/__pycache__", "**/*.pyc", "**/.pytest_cache", "**/*.egg-info"]

# Lambda runtime: the layer is built for exactly this interpreter and architecture.
PYTHON_VERSION = "3.13"
# pip platform tags for arm64 Lambda (Amazon Linux 2023, glibc 2.34): newer wheels (Pillow 13)
# are published as manylinux_2_28 only, older ones as manylinux2014 (= manylinux_2_17).
PIP_PLATFORMS = ("manylinux_2_28_aarch64", "manylinux2014_aarch64")
# What the functions never run: console scripts. The AWS SDK stays: the layer's boto3 and botocore
# (pinned in layers/requirements.txt, the versions every test runs on) shadow the runtime's own.
# c2pa-python's wheel also carries the Rust static library and its build manifest (31 MB the
# bindings never load: they open libc2pa_c.so).
LAYER_PRUNE = ("bin", "c2pa/libs/libc2pa_c.rlib", "c2pa/libs/libc2pa_c.d")
LAYER_PRUNE_DIST_PREFIXES: tuple[str, ...] = ()

# With SnapStart on, the API and the queues invoke this alias of the latest published version.
LIVE_ALIAS = "live"

API_STAGE = "prod"
API_THROTTLE_RATE = 50  # requests per second, per stage (steady state)
API_THROTTLE_BURST = 100

# Per-function memory (MB). Timeouts and the Bedrock client budget come from studio.routes.FUNCTIONS.
FUNCTION_MEMORY = {
    "translate": 512,
    "suggest": 512,
    "describe": 1024,  # Pillow: downscales reference images
    "generate": 512,
    "generate-worker": 2048,  # Pillow: PNG + WebP thumbnails of up to 5 large images; C2PA signing
    "generate-dead-letters": 256,
    "generate-sweeper": 256,
    "gallery": 512,
    "index": 1024,  # Pillow: re-encodes thumbnails for the vision model
    "model-lifecycle": 256,
    "credentials-issuer": 256,  # issues one P-256 certificate per deploy at most
}
# Index jobs processed in parallel (each is a few Bedrock calls; search is not urgent).
INDEX_CONCURRENCY = 2

POWERTOOLS_NAMESPACE = "ImagePromptStudio"
POWERTOOLS_LOG_LEVEL = "INFO"

# SQS: visibility timeout = this many times the worker timeout (AWS guidance: at least 6x).
VISIBILITY_TIMEOUT_FACTOR = 6
QUEUE_RETENTION_DAYS = 4
DLQ_RETENTION_DAYS = 14

# The SSM parameter that hands the distribution id to the gallery function (format with the stack name):
# through SSM, because the function's environment cannot reference the distribution (a cycle).
DISTRIBUTION_ID_PARAMETER = "/{stack}/distribution-id"
# The day-one Content Credentials chain the stack issues at deploy (format with the stack name):
# written only by the credentials-issuer custom resource, read by the worker while the organisation's
# chain secret is unset (functions/studio/adapters/day_one_chain.py).
DAY_ONE_CHAIN_PARAMETER = "/{stack}/content-credentials/day-one-chain"

# Images bucket lifecycle. Deleted rendered images (images/) keep their old version one day (S3's
# minimum; removal runs asynchronously after it); everything else keeps old versions 30 days.
NONCURRENT_VERSION_EXPIRY_DAYS = 30
DELETED_IMAGE_VERSION_EXPIRY_DAYS = 1
ABORT_MULTIPART_DAYS = 1
ACCESS_LOG_EXPIRY_DAYS = 90
# Rendered images never change under a key: a year at the edge and in browsers.
IMAGE_CACHE_DAYS = 365

CURSOR_SECRET_LENGTH = 64
ORIGIN_SECRET_LENGTH = 48

# Cognito token lifetimes.
ACCESS_TOKEN_MINUTES = 60
ID_TOKEN_MINUTES = 60
REFRESH_TOKEN_DAYS = 30
LOCALHOST_URL = "http://localhost:8080/"
# Managed login's branding: the product's colours (web/css/app.css --accent, --accent-hover, --accent-ink, --bg).
BRAND_ACCENT = "#2f3a8f"
BRAND_ACCENT_HOVER = "#26307a"
BRAND_ACCENT_INK = "#ffffff"
BRAND_PAGE = "#f6f5f1"

# Alarms.
WORKER_OLDEST_MESSAGE_SECONDS = 900
INDEX_OLDEST_MESSAGE_SECONDS = 1800
ALARM_PERIOD_MINUTES = 5
# Published daily by the model-lifecycle function (studio/logic/model_watch.py METRIC).
MODEL_LIFECYCLE_METRIC = "ModelsNeedingAttention"
MODEL_LIFECYCLE_ALARM_THRESHOLD = 1  # one model leaving is enough

CLOUDFRONT_PRICE_CLASS = "PRICE_CLASS_100"

# Regions that must be enabled per account (opt-in). CloudFront's legacy access logs cannot be
# delivered to a bucket in these; the stack uses standard logging v2 there (cdk/edge_logs.py).
OPT_IN_REGIONS = frozenset({
    "af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-6", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1",
    "me-central-1", "me-south-1", "mx-central-1",
})
# CloudFront is a global service: its vended-log delivery source is configured in us-east-1.
CLOUDFRONT_REGION = "us-east-1"
CLOUDFRONT_LOG_PREFIX = "cloudfront/"
