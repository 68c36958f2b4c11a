"""The offline environment: moto for AWS, a Bedrock Runtime emulator, and a local gateway that plays
CloudFront + API Gateway + the SQS event source mapping around the very handlers the stack deploys.

`python -m local --port 8080` starts everything in one process; `python -m local.cli` is a client.
"""
