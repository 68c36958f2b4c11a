"""Scheduled functions run in this process (under moto's in-process mock), not in a container."""

from __future__ import annotations

import importlib


class InProcess:
    """The Scheduler's `functions`: the function's handler called here, with a Lambda context."""

    def invoke(self, name, event):
        from local.container import LambdaContext
        from studio import routes

        module, _, attribute = routes.function(name).handler.rpartition(".")
        context = LambdaContext(name, routes.function(name).timeout_seconds * 1000, 128)
        return getattr(importlib.import_module(module), attribute)(event, context), context
