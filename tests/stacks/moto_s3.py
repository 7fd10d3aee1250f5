"""A real S3 endpoint for tests: moto's server on a free loopback port, checking credentials like AWS.

moto accepts any credentials unless told otherwise; this server enforces them (moto's
``/moto-api/reset-auth``): it lets the first few requests through unchecked to create an IAM
user allowed everything, with an access key, then checks every request's signature and the
user's policy, so a wrong secret gets ``SignatureDoesNotMatch`` and an unknown key
``InvalidAccessKeyId`` as from AWS.

moto's state and its authentication switch are global to the process: one server serves a whole
test session (:func:`shared_s3_server`); use its credentials (or users made with them) for every
request, including those of other moto servers or ``mock_aws`` in the same process.
"""

from __future__ import annotations

import atexit
import threading
import uuid
from typing import Any, NamedTuple

REGION = "us-east-1"
#: Requests moto lets through unchecked: create the user, allow it everything, give it a key.
_UNCHECKED_SETUP_REQUESTS = 3


class S3Server(NamedTuple):
    """Where the server is, its bucket (empty at first), and credentials allowed everything."""

    endpoint_url: str
    bucket: str
    access_key: str
    secret_key: str


_lock = threading.Lock()
_shared: S3Server | None = None


def client(server: S3Server, service: str = "s3", **credentials: str) -> Any:
    """A boto3 client of ``service`` on ``server`` (its credentials, unless given)."""
    import boto3

    return boto3.client(
        service,
        endpoint_url=server.endpoint_url,
        region_name=REGION,
        aws_access_key_id=credentials.get("key", server.access_key),
        aws_secret_access_key=credentials.get("secret", server.secret_key),
    )


def add_user(server: S3Server, policy: dict[str, Any] | None = None) -> tuple[str, str]:
    """A new IAM user with ``policy`` (none: allowed nothing); its (access key id, secret access key)."""
    import json

    iam = client(server, "iam")
    name = f"user-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    if policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def _start() -> S3Server:
    import json
    import logging

    import boto3
    import requests
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    atexit.register(server.stop)

    requests.post(f"{endpoint}/moto-api/reset-auth", data=str(_UNCHECKED_SETUP_REQUESTS).encode(), timeout=10)
    iam = boto3.client(
        "iam", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="setup", aws_secret_access_key="setup"
    )
    iam.create_user(UserName="waypost-tests")
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    iam.put_user_policy(UserName="waypost-tests", PolicyName="all", PolicyDocument=json.dumps(everything))
    key = iam.create_access_key(UserName="waypost-tests")["AccessKey"]
    shared = S3Server(endpoint, "waypost-tests", key["AccessKeyId"], key["SecretAccessKey"])
    # From here on every request is checked: this one proves the new key works.
    client(shared).create_bucket(Bucket=shared.bucket)
    return shared


def shared_s3_server() -> S3Server:
    """The process's S3 server, started on first use and stopped at exit."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = _start()
        return _shared
