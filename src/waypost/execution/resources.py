"""Resource sampling for step runs: CPU, memory and GPU use over time.

One daemon thread per process (and sampling interval), started on first use, samples every
``interval`` seconds while at least one step is tracked and appends the sample to every
tracked step. Each step also gets a sample when tracking starts and when it stops, so even
a step of a few milliseconds has two. A sample is::

    {"t": unix time, "cpu_percent": 12.5, "rss_bytes": 123456789,
     "system_mem_percent": 41.0,
     "gpu": [{"index": 0, "util_percent": 87, "mem_used_bytes": ..., "mem_total_bytes": ...}]}

``cpu_percent`` is the process's CPU time over wall time since the previous sample (100 is
one core busy), ``rss_bytes`` its resident memory, ``system_mem_percent`` the machine's.
``gpu`` is present only when ``pynvml`` (the ``gpu`` extra, ``nvidia-ml-py``) is installed
and finds GPUs; that is found out once, in the sampler thread. The start and stop samples
are cheap and reuse the thread's latest GPU reading.

Steps that run in parallel threads of one process share that process: their samples
describe the whole process (and not child processes it starts), not the step alone.

On Linux the readings come straight from ``/proc``, as psutil takes them there: importing
psutil costs a short script about 6 ms. Elsewhere, or where ``/proc`` says something unusual,
psutil takes them.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import time
from typing import Any, ClassVar

__all__ = ["ResourceSampler", "ResourceTrack", "Sample"]

Sample = dict[str, Any]

# Over a shorter window the percentage mostly measures the runner's own work between a
# step's stop and the next step's start; a sample taken sooner repeats the last value.
_MIN_CPU_WINDOW = 0.1


#: Where an NVIDIA driver shows on Linux: natively, in a container given GPUs, and under WSL2.
_NVIDIA_DRIVER_MARKERS = ("/proc/driver/nvidia", "/dev/nvidiactl", "/dev/dxg")


class _Gpus:
    """The GPUs that NVML sees; built by :meth:`detect` or not at all."""

    def __init__(self, nvml: Any, handles: list[Any]) -> None:
        self._nvml = nvml
        self._handles = handles

    @classmethod
    def detect(cls) -> _Gpus | None:
        if (
            "pynvml" not in sys.modules
            and sys.platform.startswith("linux")
            and not any(os.path.exists(p) for p in _NVIDIA_DRIVER_MARKERS)
        ):
            # No driver, so NVML cannot start: skip loading pynvml (~20 ms of a short script's CPU).
            return None
        try:
            nvml = importlib.import_module("pynvml")  # optional: the ``gpu`` extra
            nvml.nvmlInit()
            count = int(nvml.nvmlDeviceGetCount())
            handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
        # ImportError, NVMLError (no driver, no device) or anything else NVML raises:
        except Exception:  # every failure means "no GPU fields"
            return None
        return cls(nvml, handles) if handles else None

    def read(self) -> list[dict[str, Any]]:
        return [r for i, h in enumerate(self._handles) if (r := self._read_one(i, h))]

    def _read_one(self, index: int, handle: Any) -> dict[str, Any] | None:
        try:
            util = self._nvml.nvmlDeviceGetUtilizationRates(handle)
            mem = self._nvml.nvmlDeviceGetMemoryInfo(handle)
        except Exception:  # a device that fails a read is left out of it
            return None
        return {
            "index": index,
            "util_percent": int(util.gpu),
            "mem_used_bytes": int(mem.used),
            "mem_total_bytes": int(mem.total),
        }


class _Readings:
    """This process's resident memory, the machine's memory use and the process's start time.

    The values psutil would give: on Linux read from ``/proc`` as psutil reads them, else (or
    when a file is missing or unusual) asked of psutil, imported then.
    """

    def __init__(self) -> None:
        self._proc = sys.platform.startswith("linux")
        self._process: Any = None  # psutil.Process, made on first need

    def _psutil_process(self) -> Any:
        if self._process is None:
            import psutil  # only where /proc cannot answer (~6 ms to import)

            self._process = psutil.Process()
        return self._process

    def rss_bytes(self) -> int:
        if self._proc:
            try:
                with open("/proc/self/statm", "rb") as f:
                    return int(f.readline().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, ValueError, IndexError):
                self._proc = False
        return int(self._psutil_process().memory_info().rss)

    def system_mem_percent(self) -> float:
        if self._proc:
            fields: dict[bytes, int] = {}
            try:
                with open("/proc/meminfo", "rb") as f:
                    for line in f:
                        name, value = line.split()[:2]
                        fields[name] = int(value)
            except (OSError, ValueError):
                pass
            total, available = fields.get(b"MemTotal:", 0), fields.get(b"MemAvailable:", 0)
            # psutil's formula; it estimates a missing or zero MemAvailable and caps it in containers.
            if 0 < available <= total:
                return round((total - available) / total * 100, 1)
        import psutil  # only where /proc cannot answer (~6 ms to import)

        return float(psutil.virtual_memory().percent)

    def start_time(self) -> float:
        """When this process started, in seconds since the epoch."""
        if self._proc:
            try:
                with open("/proc/self/stat", "rb") as f:
                    stat = f.read()
                ticks = int(stat[stat.rfind(b")") + 2 :].split()[19])  # field 22: start time, in clock ticks after boot
                with open("/proc/stat", "rb") as f:
                    boot = next(float(line.split()[1]) for line in f if line.startswith(b"btime"))
                return ticks / os.sysconf("SC_CLK_TCK") + boot
            except (OSError, ValueError, IndexError, StopIteration):
                pass
        return float(self._psutil_process().create_time())


class ResourceTrack:
    """The samples of one tracked step; get them with :meth:`stop`."""

    def __init__(self, sampler: ResourceSampler) -> None:
        self._sampler = sampler
        self._lock = threading.Lock()
        self._samples: list[Sample] = []
        self._stride = 1  # keep every n-th background sample (grows for long steps)
        self._skipped = 0
        self._stopped = False

    def stop(self) -> list[Sample]:
        """Stop tracking, take a last sample and return all samples, oldest first."""
        self._sampler._untrack(self)
        with self._lock:
            if not self._stopped:
                self._stopped = True
                self._samples.append(self._sampler._quick_sample())
            return list(self._samples)

    def _add(self, sample: Sample, *, always: bool = False) -> None:
        with self._lock:
            if self._stopped:
                return
            self._skipped += 1
            if not always and self._skipped < self._stride:
                return
            self._skipped = 0
            self._samples.append(sample)
            if len(self._samples) >= self._sampler.max_samples:
                # Halve the resolution (keeping the first sample) instead of growing.
                del self._samples[1::2]
                self._stride *= 2


class ResourceSampler:
    """Samples this process every ``interval`` seconds for the steps it tracks.

    Args:
        interval: Seconds between background samples.
        max_samples: Most samples kept per step; a longer step keeps every 2nd, 4th, …
            sample, so its whole duration stays covered.

    Use :meth:`shared` in the runner; build one directly only in tests.
    """

    _shared: ClassVar[dict[float, ResourceSampler]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, interval: float = 1.0, *, max_samples: int = 3600) -> None:
        if interval <= 0 or max_samples < 4:
            raise ValueError("interval must be positive and max_samples at least 4")
        self.interval = interval
        self.max_samples = max_samples
        self._pid = os.getpid()
        self._readings = _Readings()
        self._lock = threading.Condition()  # guards the tracks and the thread
        self._tracks: set[ResourceTrack] = set()
        self._thread: threading.Thread | None = None
        self._cpu_lock = threading.Lock()
        self._cpu_base: tuple[float, float] | None = None  # (monotonic, cpu seconds)
        self._cpu_percent = 0.0
        self._system_mem: tuple[float, float] | None = None  # (monotonic, percent)
        self._gpu_latest: list[dict[str, Any]] | None = None

    @classmethod
    def shared(cls, interval: float = 1.0) -> ResourceSampler:
        """The process's sampler for ``interval`` (one thread serves all steps)."""
        sampler = cls._shared.get(interval)
        if sampler is not None and sampler._pid == os.getpid():
            return sampler
        with cls._shared_lock:
            sampler = cls._shared.get(interval)
            if sampler is None or sampler._pid != os.getpid():  # new, or forked
                sampler = cls._shared[interval] = cls(interval)
            return sampler

    def track(self) -> ResourceTrack:
        """Start sampling for a step; the first sample is taken now."""
        track = ResourceTrack(self)
        track._add(self._quick_sample(), always=True)
        with self._lock:
            self._tracks.add(track)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="waypost-resource-sampler", daemon=True)
                self._thread.start()
            elif len(self._tracks) == 1:
                self._lock.notify()
        return track

    def _untrack(self, track: ResourceTrack) -> None:
        with self._lock:
            self._tracks.discard(track)

    def _run(self) -> None:
        gpus = _Gpus.detect()
        next_at = time.monotonic() + self.interval
        while True:
            with self._lock:
                while not self._tracks:
                    self._lock.wait()
                    next_at = time.monotonic() + self.interval
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            next_at = max(next_at + self.interval, time.monotonic())
            if gpus is not None:
                self._gpu_latest = gpus.read()
            sample = self._quick_sample(fresh=True)
            with self._lock:
                tracks = list(self._tracks)
            for track in tracks:
                track._add(dict(sample))

    def _quick_sample(self, *, fresh: bool = False) -> Sample:
        """A sample from cheap reads; system memory is re-read at most once an interval."""
        now = time.monotonic()
        sample: Sample = {
            "t": time.time(),
            "cpu_percent": self._cpu(now),
            "rss_bytes": self._readings.rss_bytes(),
        }
        system_mem = self._system_mem
        if fresh or system_mem is None or now - system_mem[0] >= self.interval:
            system_mem = self._system_mem = (now, self._readings.system_mem_percent())
        sample["system_mem_percent"] = system_mem[1]
        if self._gpu_latest is not None:
            sample["gpu"] = self._gpu_latest
        return sample

    def _cpu(self, now: float) -> float:
        used = time.process_time()  # user + system CPU seconds, without reading /proc
        with self._cpu_lock:
            if self._cpu_base is None:
                # No previous sample: the average since the process started.
                age = time.time() - self._readings.start_time()
                self._cpu_percent = 100.0 * used / age if age > 0 else 0.0
                self._cpu_base = (now, used)
            elif now - self._cpu_base[0] >= _MIN_CPU_WINDOW:
                since, used_before = self._cpu_base
                self._cpu_percent = max(0.0, 100.0 * (used - used_before) / (now - since))
                self._cpu_base = (now, used)
            return round(self._cpu_percent, 1)
