"""The site's security headers: one definition for CloudFront's response headers policy and the
local gateway. Dependency-free on purpose (the local environment imports it without aws_cdk)."""

from __future__ import annotations


def content_security_policy(connect_sources: list[str]) -> str:
    """Scripts and styles only from the site itself (no inline code); API calls to the site, plus
    the sign-in and upload endpoints in `connect_sources`."""
    return "; ".join([
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src " + " ".join(["'self'", *connect_sources]),
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ])


FRAME_OPTIONS = "DENY"
REFERRER_POLICY = "strict-origin-when-cross-origin"
HSTS_SECONDS = 2 * 365 * 24 * 3600
