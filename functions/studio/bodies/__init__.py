"""The HTTP API's request and response bodies (JSON, camelCase), as pydantic models, by area.

These models are the contract: the handlers validate with them, the OpenAPI document is
generated from them, and the web UI and the CLI speak them. The shared base classes and field
types are in `common`; each area of the API has its module.
"""
