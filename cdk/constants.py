"""Every fixed name and number of the stack, in one place (settings that vary live in config.py)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
LAYER_REQUIREMENTS = ROOT / "layers" / "requirements.txt"
WEB_DIR = ROOT / "web"

# Files of functions/ that never go into the code asset.
CODE_EXCLUDES = ["**/__pycache__", "**/*.pyc", "**/.pytest_cache", "**/*.egg-info"]

# Lambda runtime: the layer is built for exactly this interpreter and architecture.
PYTHON_VERSION = "3.13"
# pip platform tags for arm64 Lambda (Amazon Linux 2023, glibc 2.34): newer wheels (Pillow 13)
# are published as manylinux_2_28 only, older ones as manylinux2014 (= manylinux_2_17).
PIP_PLATFORMS = ("manylinux_2_28_aarch64", "manylinux2014_aarch64")
# What the Lambda Python runtime already ships: dropped from the layer so that the runtime's boto3
# and botocore stay a matching pair (aws-xray-sdk pulls botocore in as a dependency).
LAYER_PRUNE = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py", "bin")
LAYER_PRUNE_DIST_PREFIXES = ("boto3-", "botocore-", "s3transfer-", "jmespath-", "python_dateutil-", "urllib3-", "six-")

API_STAGE = "prod"
API_THROTTLE_RATE = 50  # requests per second, per stage (steady state)
API_THROTTLE_BURST = 100

# Per-function memory (MB). Timeouts and the Bedrock client budget come from studio.routes.FUNCTIONS.
FUNCTION_MEMORY = {
    "translate": 512,
    "suggest": 512,
    "describe": 1024,  # Pillow: downscales reference images
    "generate": 512,
    "generate-worker": 2048,  # Pillow: PNG + WebP thumbnails of up to 5 large images
    "generate-dead-letters": 256,
    "generate-sweeper": 256,
    "gallery": 512,
}

POWERTOOLS_NAMESPACE = "ImagePromptStudio"
POWERTOOLS_LOG_LEVEL = "INFO"

# SQS: visibility timeout = this many times the worker timeout (AWS guidance: at least 6x).
VISIBILITY_TIMEOUT_FACTOR = 6
QUEUE_RETENTION_DAYS = 4
DLQ_RETENTION_DAYS = 14

# Images bucket lifecycle.
NONCURRENT_VERSION_EXPIRY_DAYS = 30
ABORT_MULTIPART_DAYS = 1
ACCESS_LOG_EXPIRY_DAYS = 90
# Rendered images never change under a key: a year at the edge and in browsers.
IMAGE_CACHE_DAYS = 365

CURSOR_SECRET_LENGTH = 64

# Cognito token lifetimes.
ACCESS_TOKEN_MINUTES = 60
ID_TOKEN_MINUTES = 60
REFRESH_TOKEN_DAYS = 30
LOCALHOST_URL = "http://localhost:8080/"

# Alarms.
WORKER_OLDEST_MESSAGE_SECONDS = 900
ALARM_PERIOD_MINUTES = 5

# Cross-region inference profile prefixes (system-defined profiles) and the geography each covers.
INFERENCE_PROFILE_PREFIXES = ("us", "eu", "apac", "jp", "au", "ca", "us-gov", "global")

CLOUDFRONT_PRICE_CLASS = "PRICE_CLASS_100"
