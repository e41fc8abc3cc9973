"""Health check: proves that the account's private network reaches the outside world.

It runs on a schedule inside the VPC's private subnets, so one success shows that the subnets,
route tables, NAT gateway and internet gateway all work. With PHONE_HOME_URL set it GETs that URL,
so a central endpoint sees which accounts are alive; otherwise it calls STS GetCallerIdentity,
which needs no permission. Any failure raises: the Lambda Errors metric, and its alarm, see it.
"""

import json
import logging
import os
import urllib.request

import boto3
from botocore.config import Config

TIMEOUT_SECONDS = 10

logger = logging.getLogger()
logger.setLevel(logging.INFO)

# Created once per execution environment and reused by warm invocations.
sts = boto3.client(
    "sts",
    config=Config(
        connect_timeout=TIMEOUT_SECONDS,
        read_timeout=TIMEOUT_SECONDS,
        retries={"max_attempts": 2, "mode": "standard"},
    ),
)


def phone_home(url, source):
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": "orchestrator-health-check/1",
            # The function ARN names the account and region, so the receiver knows who called.
            "X-Health-Check-Source": source,
        },
    )
    # urlopen raises HTTPError on 4xx/5xx, which fails the invocation as intended.
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        return {"target": url, "status": response.status}


def caller_identity():
    identity = sts.get_caller_identity()
    return {
        "target": "sts:GetCallerIdentity",
        "account": identity["Account"],
        "arn": identity["Arn"],
    }


def handler(event, context):
    url = os.environ.get("PHONE_HOME_URL")
    try:
        result = phone_home(url, context.invoked_function_arn) if url else caller_identity()
    except Exception as error:
        logger.error(json.dumps({"health_check": "failed", "error": repr(error)}))
        raise
    logger.info(json.dumps({"health_check": "ok", **result}))
    return result
