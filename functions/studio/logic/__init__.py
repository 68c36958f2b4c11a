"""Application logic: plain functions over pydantic models; I/O only through studio.adapters."""
