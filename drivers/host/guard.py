"""Make the operating system kill a worker when its parent dies, even when the worker cannot run Python code.

The worker notices its parent's death by end of file on the request pipe and exits on its own (see
:mod:`drivers.host.worker_main`). That needs the worker's main thread to run, which a vendor call stuck *holding the
GIL* (a C library called without releasing it) prevents. This module is the backstop for that case:

* **Linux**: the worker asks for ``PR_SET_PDEATHSIG`` = ``SIGKILL``. The kernel sends the signal when the *thread*
  that started the worker ends, not the process, so every worker is started from one long-lived daemon thread
  (:func:`start_on_spawner_thread`), which ends only with the parent process.
* **Windows**: the parent puts each worker in a job object made with ``JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE`` whose
  handle it never closes; when the parent dies, Windows closes the handle and kills the job's processes.
  ``JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK`` keeps processes the vendor library itself starts out of the job. Nested
  jobs need Windows 8 or later; if the assignment fails it is logged and only the pipe check remains.
* **macOS** and others: nothing; the pipe check only.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """In the worker: ask the kernel to kill this process when the parent's spawning thread ends (Linux only).

    If the parent is already gone (this process was re-parented before the request took effect), exit now. A
    different parent process id alone is not enough: a launcher between the two would make it differ.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            log.warning("PR_SET_PDEATHSIG failed (errno %d); only the pipe tells the worker of its parent's death", ctypes.get_errno())
            return
    except (OSError, AttributeError):
        log.warning("prctl is not available; the worker relies on the pipe to notice its parent's death")
        return
    if os.getppid() != parent_pid and not _exists(parent_pid):  # re-parented before the request took effect
        os._exit(0)


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Spawner:
    """One daemon thread that runs every worker start, so that PR_SET_PDEATHSIG refers to a thread that lives as long
    as the parent process (Linux). Elsewhere the start runs on the caller's thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue[tuple[Callable[[], object], Future[object]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pid = -1

    def run(self, fn: Callable[[], T]) -> T:
        if not sys.platform.startswith("linux"):
            return fn()
        future: Future[object] = Future()
        with self._lock:
            if self._thread is None or self._pid != os.getpid():  # a forked copy of the parent has no such thread
                self._jobs = queue.SimpleQueue()
                self._thread = threading.Thread(target=self._loop, args=(self._jobs,), name="device-host-spawner", daemon=True)
                self._thread.start()
                self._pid = os.getpid()
            self._jobs.put((fn, future))
        result: T = future.result()  # type: ignore[assignment]
        return result

    @staticmethod
    def _loop(jobs: queue.SimpleQueue[tuple[Callable[[], object], Future[object]]]) -> None:
        while True:
            fn, future = jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as exc:
                future.set_exception(exc)


_spawner = _Spawner()


def start_on_spawner_thread(fn: Callable[[], T]) -> T:
    """Run ``fn`` (which starts a worker process) on the long-lived spawner thread and return its result."""
    return _spawner.run(fn)


if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes

    _JobObjectExtendedLimitInformation = 9
    _JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK = 0x1000
    _JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x2000
    _PROCESS_TERMINATE = 0x0001
    _PROCESS_SET_QUOTA = 0x0100

    class _IoCounters(ctypes.Structure):
        _fields_ = [
            ("ReadOperationCount", ctypes.c_ulonglong),
            ("WriteOperationCount", ctypes.c_ulonglong),
            ("OtherOperationCount", ctypes.c_ulonglong),
            ("ReadTransferCount", ctypes.c_ulonglong),
            ("WriteTransferCount", ctypes.c_ulonglong),
            ("OtherTransferCount", ctypes.c_ulonglong),
        ]

    class _BasicLimitInformation(ctypes.Structure):
        _fields_ = [
            ("PerProcessUserTimeLimit", ctypes.c_int64),
            ("PerJobUserTimeLimit", ctypes.c_int64),
            ("LimitFlags", wintypes.DWORD),
            ("MinimumWorkingSetSize", ctypes.c_size_t),
            ("MaximumWorkingSetSize", ctypes.c_size_t),
            ("ActiveProcessLimit", wintypes.DWORD),
            ("Affinity", ctypes.c_size_t),
            ("PriorityClass", wintypes.DWORD),
            ("SchedulingClass", wintypes.DWORD),
        ]

    class _ExtendedLimitInformation(ctypes.Structure):
        _fields_ = [
            ("BasicLimitInformation", _BasicLimitInformation),
            ("IoInfo", _IoCounters),
            ("ProcessMemoryLimit", ctypes.c_size_t),
            ("JobMemoryLimit", ctypes.c_size_t),
            ("PeakProcessMemoryUsed", ctypes.c_size_t),
            ("PeakJobMemoryUsed", ctypes.c_size_t),
        ]

    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _kernel32.CreateJobObjectW.argtypes = [ctypes.c_void_p, wintypes.LPCWSTR]
    _kernel32.CreateJobObjectW.restype = wintypes.HANDLE
    _kernel32.SetInformationJobObject.argtypes = [wintypes.HANDLE, ctypes.c_int, ctypes.c_void_p, wintypes.DWORD]
    _kernel32.SetInformationJobObject.restype = wintypes.BOOL
    _kernel32.OpenProcess.argtypes = [wintypes.DWORD, wintypes.BOOL, wintypes.DWORD]
    _kernel32.OpenProcess.restype = wintypes.HANDLE
    _kernel32.AssignProcessToJobObject.argtypes = [wintypes.HANDLE, wintypes.HANDLE]
    _kernel32.AssignProcessToJobObject.restype = wintypes.BOOL
    _kernel32.CloseHandle.argtypes = [wintypes.HANDLE]
    _kernel32.CloseHandle.restype = wintypes.BOOL

    _job_lock = threading.Lock()
    _job: int | None = None

    def _the_job() -> int:
        global _job
        with _job_lock:
            if _job is None:
                job = _kernel32.CreateJobObjectW(None, None)
                if not job:
                    raise ctypes.WinError(ctypes.get_last_error())
                info = _ExtendedLimitInformation()
                info.BasicLimitInformation.LimitFlags = _JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | _JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK
                if not _kernel32.SetInformationJobObject(job, _JobObjectExtendedLimitInformation, ctypes.byref(info), ctypes.sizeof(info)):
                    error = ctypes.get_last_error()
                    _kernel32.CloseHandle(job)
                    raise ctypes.WinError(error)
                _job = job  # never closed: Windows closes it when this process ends, which kills the workers
            return _job if _job is not None else 0

    def bind_to_parent(pid: int) -> None:
        """In the parent, right after starting a worker: put it in the kill-on-close job (Windows)."""
        try:
            job = _the_job()
            process = _kernel32.OpenProcess(_PROCESS_SET_QUOTA | _PROCESS_TERMINATE, False, pid)
            if not process:
                raise ctypes.WinError(ctypes.get_last_error())
            try:
                if not _kernel32.AssignProcessToJobObject(job, process):
                    raise ctypes.WinError(ctypes.get_last_error())
            finally:
                _kernel32.CloseHandle(process)
        except OSError as exc:
            log.warning("could not tie worker pid %d to this process (%s); it relies on the pipe to notice the parent's death", pid, exc)

else:

    def bind_to_parent(pid: int) -> None:
        """In the parent, right after starting a worker: nothing to do outside Windows."""
