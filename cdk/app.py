"""Builds the CDK App: context (cdk.json + CLI + -c), validated config, the stack, cdk-nag."""

from __future__ import annotations

import os
from typing import Any, Mapping

from aws_cdk import App, Environment, Tags, Validations
from cdk_nag import AwsSolutionsChecks

from cdk.config import StudioConfig, app_context, load_config
from cdk.stack import StudioStack


def build_app(argv: list[str] | None = None, *, context: Mapping[str, Any] | None = None,
              outdir: str | None = None, nag: bool = True) -> App:
    """The app with its one stack. `context` replaces cdk.json + CLI context (tests)."""
    ctx = dict(context) if context is not None else app_context(argv)
    config = load_config(ctx)
    outdir = outdir or os.environ.get("CDK_OUTDIR") or "cdk.out"
    app = App(context=ctx, outdir=outdir)
    stack_for(app, config)
    if nag:
        Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


def stack_for(app: App, config: StudioConfig) -> StudioStack:
    region = config.region or os.environ.get("CDK_DEFAULT_REGION")
    account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    env = Environment(account=account, region=region) if (account or region) else None
    stack = StudioStack(app, config.stack_name, config=config, env=env, stack_name=config.stack_name)
    Tags.of(stack).add("app", "image-prompt-studio")
    return stack
