"""Run a device service in a worker process of its own, so that a crashing or hanging vendor library cannot take
the client down. Generic: it knows nothing of PKCS#11 or PC/SC.

::

    host = DeviceProcess("drivers.pkcs11.service:Pkcs11Service", library_path, name="pkcs11")
    info = host.call("token_info", serial, timeout=5.0, cancel=cancel_event)
    host.call("generate_key", serial, "RSA-2048", timeout=120.0, cancel=cancel_event, progress=on_progress)
    host.close()

* The service, ``"package.module:ClassName"``, is imported and constructed **in the worker**, on its one owner
  thread, which then runs every call in order (architecture convention 3). The parent never imports it.
* A call that outlives its ``timeout``, or whose ``cancel`` event is set, stops the worker (terminate, then kill
  after ``kill_grace``) and raises :class:`DeviceTimeoutError` / :class:`DeviceCancelledError`. A worker that dies
  raises :class:`DeviceCrashedError`. The next call starts a new worker, which makes a new service object: vendor
  contexts (PKCS#11 ``C_Initialize``, PC/SC ``SCardEstablishContext``) are made afresh. :attr:`DeviceProcess.generation`
  and ``on_restart`` tell the caller that happened (sessions and logins are gone).
* The service's own exceptions come back as themselves, attributes included (:mod:`drivers.host.remote`).
* Every error of the host is a :class:`DeviceHostError` with a stable ``code``: ``timeout``, ``cancelled``,
  ``crashed``, ``start_failed``, ``call_failed``, ``closed``.
* The worker's log records at INFO and above reach the parent's logging. Neither side logs call arguments or
  results, only method names and durations.
* The worker ends when the parent does: end of file on its request pipe, and (for a worker stuck in a vendor call
  that holds the GIL) the OS as a backstop (:mod:`drivers.host.guard`).

Modules: :mod:`~drivers.host.device_process` (the API), :mod:`~drivers.host.worker` (parent side of one worker
process), :mod:`~drivers.host.worker_main` (the worker process), :mod:`~drivers.host.protocol` (messages),
:mod:`~drivers.host.remote` (exceptions across the boundary), :mod:`~drivers.host.turnstile` (first-come,
first-served turns), :mod:`~drivers.host.guard` (parent-death backstops), :mod:`~drivers.host.errors`.

**Start method.** Always ``multiprocessing`` ``spawn`` (``fork`` is unsafe with threads and Qt; Windows only has
spawn). Spawn starts a new interpreter from ``sys.executable`` and, outside a frozen build, imports the parent's
``__main__`` module in the worker as ``__mp_main__``: the program's entry module must keep its work under
``if __name__ == "__main__":`` (the ``teller-client`` console script does), and its imports count towards the worker's
start time. On POSIX the first worker also starts ``multiprocessing``'s resource tracker process, one per client.
Spawning asks ``multiprocessing.get_start_method()``, which fixes the process-wide default start method as a side
effect; code that later calls ``multiprocessing.set_start_method()`` needs ``force=True``.

**Frozen with PyInstaller (one-dir).** The worker is the same executable started again with
``--multiprocessing-fork ...`` arguments; it loads its code from the same ``_internal/`` folder (nothing is unpacked,
and in one-dir mode the bootloader adds no second process, so the worker's parent is the client itself). For the
executable to act as a worker instead of running the client, **the entry script must call
``multiprocessing.freeze_support()`` first**, before importing the client (whose imports would otherwise be paid by
every worker)::

    if __name__ == "__main__":
        import multiprocessing
        multiprocessing.freeze_support()  # in a device worker: runs the worker, then exits
        from teller_client.cli import main
        sys.exit(main())

CPython's own ``freeze_support()`` acts only on Windows (before 3.14); PyInstaller's runtime hook
``pyi_rth_multiprocessing`` replaces it with one that works on every OS and also diverts the resource tracker's
``-c`` launch. Without the call the worker runs the client's ``main()`` with ``--multiprocessing-fork`` arguments,
argparse exits with code 2, and every start fails with :class:`DeviceStartError` ("the worker died while starting
(exit code 2)"). The service module is imported by name at run time, so PyInstaller's analysis cannot see it: it must
be bundled explicitly (the project's spec already collects every ``drivers`` submodule). Checked on Linux with
PyInstaller 6.22 (one-dir): start, calls, timeout, segfault, parent SIGKILL; not yet on Windows.
"""

from __future__ import annotations

from drivers.host.device_process import DeviceProcess, OnRestart, Progress
from drivers.host.errors import (
    ERROR_CODES,
    DeviceCallError,
    DeviceCancelledError,
    DeviceClosedError,
    DeviceCrashedError,
    DeviceHostError,
    DeviceHostErrorCode,
    DeviceStartError,
    DeviceTimeoutError,
)
from drivers.host.remote import RemoteTraceback

__all__ = [
    "ERROR_CODES",
    "DeviceCallError",
    "DeviceCancelledError",
    "DeviceClosedError",
    "DeviceCrashedError",
    "DeviceHostError",
    "DeviceHostErrorCode",
    "DeviceProcess",
    "DeviceStartError",
    "DeviceTimeoutError",
    "OnRestart",
    "Progress",
    "RemoteTraceback",
]
