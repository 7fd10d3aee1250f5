"""Resource sampling: real psutil readings; a stand-in pynvml where no GPU is present."""

from __future__ import annotations

import sys
import time
import types
from typing import Any

import pytest

from waypost.execution.resources import ResourceSampler


def test_shared_sampler_is_one_per_interval() -> None:
    assert ResourceSampler.shared(1.0) is ResourceSampler.shared(1.0)
    assert ResourceSampler.shared(0.5) is not ResourceSampler.shared(1.0)


def test_short_step_gets_start_and_stop_samples() -> None:
    samples = ResourceSampler(60.0).track().stop()
    assert len(samples) == 2
    for sample in samples:
        assert sample["rss_bytes"] > 0
        assert sample["cpu_percent"] >= 0
        assert 0 < sample["system_mem_percent"] <= 100
    assert samples[0]["t"] <= samples[1]["t"]


def test_background_samples_go_to_every_tracked_step() -> None:
    sampler = ResourceSampler(0.05)
    first, second = sampler.track(), sampler.track()
    time.sleep(0.4)
    a, b = first.stop(), second.stop()
    assert len(a) >= 4
    assert len(b) >= 4
    assert [s["t"] for s in a] == sorted(s["t"] for s in a)
    assert first.stop() == a  # stopping twice changes nothing


def test_long_steps_keep_a_bounded_thinned_history() -> None:
    sampler = ResourceSampler(0.01, max_samples=8)
    track = sampler.track()
    time.sleep(0.5)
    samples = track.stop()
    assert len(samples) <= 9
    assert samples[-1]["t"] - samples[0]["t"] >= 0.45


def test_cpu_percent_reflects_busy_work() -> None:
    sampler = ResourceSampler(60.0)
    sampler.track().stop()  # sets the baseline
    track = sampler.track()
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass
    busy = track.stop()[-1]["cpu_percent"]
    idle_track = sampler.track()
    time.sleep(0.3)
    idle = idle_track.stop()[-1]["cpu_percent"]
    # On a loaded machine the busy loop gets less than a full core; it still stands out.
    assert busy > 10
    assert busy > idle + 5


def test_missing_pynvml_omits_gpu_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", None)  # makes `import pynvml` fail
    sampler = ResourceSampler(0.02)
    track = sampler.track()
    time.sleep(0.2)
    samples = track.stop()
    assert len(samples) >= 3
    assert all("gpu" not in s for s in samples)


def _fake_nvml(devices: int, failing: int = -1) -> types.ModuleType:
    """Stands in for NVIDIA's library on machines without a GPU."""
    nvml = types.ModuleType("pynvml")

    class NVMLError(Exception):
        pass

    def rates(handle: int) -> Any:
        if handle == failing:
            raise NVMLError("gone")
        return types.SimpleNamespace(gpu=40 + handle, memory=0)

    def memory(handle: int) -> Any:
        return types.SimpleNamespace(used=(handle + 1) * 2**30, total=80 * 2**30, free=0)

    nvml.NVMLError = NVMLError  # type: ignore[attr-defined]
    nvml.nvmlInit = lambda: None  # type: ignore[attr-defined]
    nvml.nvmlDeviceGetCount = lambda: devices  # type: ignore[attr-defined]
    nvml.nvmlDeviceGetHandleByIndex = lambda i: i  # type: ignore[attr-defined]
    nvml.nvmlDeviceGetUtilizationRates = rates  # type: ignore[attr-defined]
    nvml.nvmlDeviceGetMemoryInfo = memory  # type: ignore[attr-defined]
    return nvml


def test_gpu_fields_per_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", _fake_nvml(2))
    sampler = ResourceSampler(0.02)
    track = sampler.track()
    time.sleep(0.3)  # NVML is probed in the sampler thread, then read every interval
    samples = track.stop()
    assert "gpu" in samples[-1]
    assert samples[-1]["gpu"] == [
        {"index": 0, "util_percent": 40, "mem_used_bytes": 2**30, "mem_total_bytes": 80 * 2**30},
        {"index": 1, "util_percent": 41, "mem_used_bytes": 2**31, "mem_total_bytes": 80 * 2**30},
    ]


def test_no_gpus_found_omits_gpu_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", _fake_nvml(0))
    sampler = ResourceSampler(0.02)
    track = sampler.track()
    time.sleep(0.15)
    assert all("gpu" not in s for s in track.stop())


def test_a_device_failing_a_read_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", _fake_nvml(3, failing=1))
    sampler = ResourceSampler(0.02)
    track = sampler.track()
    time.sleep(0.3)
    assert [g["index"] for g in track.stop()[-1]["gpu"]] == [0, 2]
