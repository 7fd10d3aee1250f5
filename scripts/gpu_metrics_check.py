"""Check the GPU metrics path on a machine with an NVIDIA GPU (needs torch and nvidia-ml-py).

Runs a one-step pipeline that keeps the GPU busy for a few seconds, then prints the
step's recorded GPU samples and fails unless utilization and memory were seen.
    python scripts/gpu_metrics_check.py [OUT_DIR]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time

os.environ.setdefault("WAYPOST_DATA_DIR", tempfile.mkdtemp(prefix="wp-gpu-"))
os.environ["WAYPOST_EXECUTION__RESOURCE_SAMPLE_INTERVAL_S"] = "0.25"
os.environ["WAYPOST_EXECUTION__SHOW_PROGRESS"] = "false"

from waypost import pipeline, step
from waypost.client import Client


@step(enable_cache=False, resources={"gpu_count": 1})
def burn_gpu(seconds: float = 4.0) -> float:
    import torch

    a = torch.randn(8192, 8192, device="cuda")
    end = time.time() + seconds
    total = 0.0
    while time.time() < end:
        total += float((a @ a).sum().item())
    return total


@pipeline(name="gpu_metrics_check")
def gpu_check() -> None:
    burn_gpu()


def main() -> int:
    run = gpu_check()
    step_run = Client().get_step_run(run.id, "burn_gpu")
    gpu = [s["gpu"] for s in step_run.resource_samples if s.get("gpu")]
    peak_util = max((g["util_percent"] for sample in gpu for g in sample), default=0)
    peak_mem = max((g["mem_used_bytes"] for sample in gpu for g in sample), default=0)
    report = {
        "run": run.name,
        "status": run.status,
        "samples": len(step_run.resource_samples),
        "samples_with_gpu": len(gpu),
        "peak_util_percent": peak_util,
        "peak_mem_used_gib": round(peak_mem / 2**30, 2),
        "first_gpu_sample": gpu[0] if gpu else None,
    }
    print(json.dumps(report, indent=2, default=str))
    if len(sys.argv) > 1:
        with open(os.path.join(sys.argv[1], "gpu_report.json"), "w") as fh:
            json.dump(report, fh, indent=2, default=str)
    return 0 if peak_util > 0 and peak_mem > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
