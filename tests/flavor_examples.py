"""One example configuration per built-in flavor, using each kind of field its schema has.

Numbers, enums, lists, objects, secret references and optional strings: the CLI and API
round-trip tests register each one and read it back unchanged.
"""

from __future__ import annotations

from typing import Any

EXAMPLES: dict[tuple[str, str], dict[str, Any]] = {
    ("orchestrator", "local"): {"max_parallel_steps": 3},
    ("orchestrator", "dask"): {
        "scheduler_address": "tcp://10.0.0.5:8786",
        "n_workers": 4,
        "threads_per_worker": 2,
        "memory_limit": "4GiB",
        "server_url": "https://waypost.example.com",
        "worker_api_key": "{{secret.workers.key}}",
        "worker_resources": {"GPU": 1, "MEMORY": 8e9},
    },
    ("artifact_store", "local"): {"path": "/srv/waypost/artifacts"},
    ("artifact_store", "s3"): {
        "path": "s3://ml-artifacts/team-a",
        "endpoint_url": "http://127.0.0.1:9000",
        "region": "eu-west-1",
        "key": "{{secret.aws.key}}",
        "secret": "{{secret.aws.secret}}",
    },
    ("artifact_store", "fsspec"): {"uri": "memory://team-a", "storage_options": {"skip_instance_cache": True}},
    ("alerter", "slack"): {"webhook_url": "{{secret.hook.url}}", "channel": "#ml", "username": "wp", "timeout_s": 5.0},
    ("alerter", "email"): {
        "host": "smtp.example.com",
        "port": 2525,
        "security": "none",
        "from_address": "wp@example.com",
        "to": ["a@example.com", "b@example.com"],
        "username": "wp",
        "password": "{{secret.smtp.password}}",
    },
    ("data_validator", "great_expectations"): {"context_root_dir": "/srv/gx"},
    ("data_validator", "evidently"): {},
}
SECRETS = {
    "aws": {"key": "AKIA-EXAMPLE", "secret": "s3cret"},
    "hook": {"url": "http://x"},
    "smtp": {"password": "pw"},
    "workers": {"key": "wp-worker-key-example"},
}
