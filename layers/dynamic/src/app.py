"""Example application: the smallest useful stack behind an HTTPS endpoint.

GET /health answers 200 with the stack's identity; the orchestrator polls it after deploying
this layer (domains.yaml `health_check`), so a stack that cannot serve fails its deploy.
"""

import json
import os

IDENTITY = {
    "stack": os.environ["STACK_NAME"],
    "domain": os.environ["DOMAIN"],
    "environment": os.environ["ENVIRONMENT"],
}


def response(status, body):
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", "cache-control": "no-store"},
        "body": json.dumps(body),
    }


def handler(event, context):
    # HTTP API payload format 2.0.
    method = event["requestContext"]["http"]["method"]
    path = event.get("rawPath", "/")

    if path == "/health" and method in ("GET", "HEAD"):
        return response(200, {"status": "ok", **IDENTITY})
    if path == "/":
        return response(200, {"message": "hello from " + IDENTITY["stack"]})
    return response(404, {"error": "not found", "path": path})
