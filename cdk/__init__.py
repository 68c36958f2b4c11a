"""The CDK app of Image Prompt Studio: one stack composed of one construct per capability.

Modules: config (validated settings from CDK context), constants (fixed names and numbers),
layer (dependencies built without Docker), functions (one role and log group per function),
permissions (every grant), storage, auth, api, generation, web, monitoring, stack, preflight.
"""
