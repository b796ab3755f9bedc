"""The device host (drivers/host): a service in its own worker process, with timeouts, cancels, crashes and restarts.

The services are in tests/support/host_services.py; they misbehave on demand the way vendor libraries do. Waits poll
real process state (``/proc``) with deadlines, never fixed sleeps, except where a test needs a call to be running.
"""

from __future__ import annotations

import logging
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from drivers.host import (
    ERROR_CODES,
    DeviceCallError,
    DeviceCancelledError,
    DeviceClosedError,
    DeviceCrashedError,
    DeviceHostError,
    DeviceProcess,
    DeviceStartError,
    DeviceTimeoutError,
    RemoteTraceback,
)
from drivers.host.turnstile import Turnstile, Wait
from tests.support.host_services import DataclassDeviceError, TypedDeviceError

pytestmark = [pytest.mark.device, pytest.mark.timeout(60)]

TOY = "tests.support.host_services:ToyService"
ROOT = Path(__file__).resolve().parents[2]
GRACE = 0.5  # kill_grace of the hosts made here
SLACK = 1.0  # scheduling slack on top of the bounds the host promises
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc, uses POSIX signals")


def is_gone(pid: int) -> bool:
    """True when the process no longer exists or is a zombie (ended, not yet reaped by whoever its parent is now)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def wait_gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if is_gone(pid):
            return True
        time.sleep(0.02)
    return is_gone(pid)


def wait_until(condition: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)


def in_thread(fn: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    """Run ``fn`` on a new thread; the dict gets ``result`` or ``error``."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["result"] = fn()
        except BaseException as exc:
            out["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


@pytest.fixture(scope="module")
def shared() -> Iterator[DeviceProcess]:
    """One worker for the tests that do not break it."""
    with DeviceProcess(TOY, "hello ", name="toy-shared", kill_grace=GRACE) as host:
        host.start()
        yield host


@pytest.fixture
def make_host() -> Iterator[Callable[..., DeviceProcess]]:
    """Fresh hosts for the tests that kill, hang or close them; all closed at the end."""
    made: list[DeviceProcess] = []

    def make(service: str = TOY, *args: Any, **kwargs: Any) -> DeviceProcess:
        kwargs.setdefault("kill_grace", GRACE)
        kwargs.setdefault("close_timeout", 2.0)
        host = DeviceProcess(service, *args, **kwargs)
        made.append(host)
        return host

    yield make
    for host in made:
        host.close(timeout=1.0)


# --- plain calls -------------------------------------------------------------------------------------------------


def test_results_come_back(shared: DeviceProcess) -> None:
    assert shared.call("greet", "world", timeout=5) == "hello world"
    assert shared.call("add", 2, b=40, timeout=5) == 42
    value = {"bytes": b"\x00\xff", "tuple": (1, 2.5, None), "nested": [{"a": frozenset({1})}]}
    assert shared.call("echo", value, timeout=5) == value
    first = shared.call("counter", timeout=5)
    assert shared.call("counter", timeout=5) == first + 1
    assert shared.pid is not None and shared.pid != os.getpid()
    assert shared.call("pid", timeout=5) == shared.pid


def test_one_owner_thread_makes_the_service_and_runs_every_call(shared: DeviceProcess) -> None:
    made_on = shared.call("made_on_thread", timeout=5)
    seen: set[int] = set()

    def many() -> None:
        for _ in range(25):
            seen.add(shared.call("thread_ident", timeout=5))

    threads = [threading.Thread(target=many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {made_on}
    assert made_on != shared.call("main_thread_ident", timeout=5)


def test_concurrent_callers_get_their_own_answers(shared: DeviceProcess) -> None:
    errors: list[str] = []

    def worker(t: int) -> None:
        for i in range(50):
            got = shared.call("add", t * 1000, i, timeout=10)
            if got != t * 1000 + i:
                errors.append(f"thread {t} call {i}: {got}")

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_calls_run_in_the_order_they_were_made(shared: DeviceProcess) -> None:
    blocker, _ = in_thread(lambda: shared.call("sleep", 0.5, timeout=10))
    wait_until(lambda: shared.busy)  # the sleep holds the turn, so the calls below queue up behind it
    tags = [f"call-{i}" for i in range(6)]
    threads = []
    for i, tag in enumerate(tags):
        thread, _ = in_thread(lambda tag=tag: shared.call("record", tag, timeout=10))  # type: ignore[misc]
        threads.append(thread)
        # This call is in the queue (or, on a slow machine where the sleep already ended, done) before the next starts.
        wait_until(lambda i=i, thread=thread: shared.queued >= i + 1 or not thread.is_alive())  # type: ignore[misc]
    for thread in [blocker, *threads]:
        thread.join()
    assert shared.call("recording", timeout=5)[-len(tags) :] == tags


def test_progress_reaches_the_caller_on_its_own_thread(shared: DeviceProcess) -> None:
    seen: list[tuple[Any, ...]] = []

    def progress(i: int, n: int, note: str) -> None:
        seen.append((i, n, note, threading.get_ident()))

    assert shared.call("steps", 3, timeout=5, progress=progress) == "done"
    me = threading.get_ident()
    assert seen == [(1, 3, "step 1", me), (2, 3, "step 2", me), (3, 3, "step 3", me)]
    assert shared.call("steps", 2, timeout=5) == "done"  # without a callback the method gets no progress argument


def test_a_failing_progress_callback_does_not_fail_the_call(shared: DeviceProcess, caplog: pytest.LogCaptureFixture) -> None:
    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("ui went away")

    assert shared.call("steps", 2, timeout=5, progress=broken) == "done"
    assert "progress callback of steps failed" in caplog.text


# --- exceptions --------------------------------------------------------------------------------------------------


def test_typed_exceptions_keep_their_type_and_attributes(shared: DeviceProcess) -> None:
    pid = shared.pid
    with pytest.raises(TypedDeviceError) as caught:
        shared.call("raise_typed", 2, timeout=5)
    exc = caught.value
    assert (exc.code, exc.message, exc.attempts_left, exc.reader) == ("pin_incorrect", "PIN incorrect", 2, "Virtual Reader 0")
    assert str(exc) == "PIN incorrect"
    assert isinstance(exc.__cause__, RemoteTraceback) and "raise_typed" in exc.__cause__.tb

    with pytest.raises(DataclassDeviceError) as dataclass_error:
        shared.call("raise_dataclass", timeout=5)
    assert (dataclass_error.value.code, dataclass_error.value.attempts_left) == ("token_full", 0)
    with pytest.raises(ValueError, match="plain"):
        shared.call("raise_value_error", "plain", timeout=5)
    with pytest.raises(AttributeError):
        shared.call("no_such_method", timeout=5)
    assert shared.pid == pid  # an exception is an answer, not a reason to restart


@pytest.mark.parametrize(
    ("method", "remote_type"),
    [
        ("raise_unpicklable", "tests.support.host_services.UnpicklableError"),
        ("raise_local_class", "tests.support.host_services.ToyService.raise_local_class.<locals>.LocalError"),
        ("raise_system_exit", "SystemExit"),
    ],
)
def test_exceptions_that_cannot_cross_are_wrapped(shared: DeviceProcess, method: str, remote_type: str) -> None:
    pid = shared.pid
    with pytest.raises(DeviceCallError) as caught:
        shared.call(method, timeout=5)
    assert caught.value.code == "call_failed"
    assert caught.value.remote_type == remote_type
    assert caught.value.method == method and caught.value.service == "toy-shared"
    assert method in caught.value.remote_traceback
    assert shared.pid == pid


def test_values_that_do_not_pickle(shared: DeviceProcess) -> None:
    pid = shared.pid
    with pytest.raises(DeviceCallError, match="cannot be pickled"):
        shared.call("unpicklable_result", timeout=5)
    with pytest.raises(TypeError):
        shared.call("echo", threading.Lock(), timeout=5)
    assert shared.call("echo", "still here", timeout=5) == "still here"
    assert shared.pid == pid


def test_host_errors_pickle_with_their_attributes() -> None:
    import pickle

    exc = DeviceTimeoutError("slow", service="pkcs11", method="generate_key", timeout=2.5, sent=True)
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is DeviceTimeoutError and vars(back) == vars(exc) and back.code == "timeout"
    assert sorted(ERROR_CODES) == sorted(["timeout", "cancelled", "crashed", "start_failed", "call_failed", "closed"])


def test_a_call_cancelled_before_its_turn_is_not_sent(shared: DeviceProcess) -> None:
    pid, generation = shared.pid, shared.generation
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(DeviceCancelledError) as caught:
        shared.call("counter", timeout=5, cancel=cancel)
    assert caught.value.sent is False
    assert (shared.pid, shared.generation) == (pid, generation)


@pytest.mark.parametrize("method", ["_private", "__class__", "a.b", "", "close me"])
def test_only_public_methods_can_be_called(shared: DeviceProcess, method: str) -> None:
    with pytest.raises(ValueError, match="public method"):
        shared.call(method, timeout=5)


@pytest.mark.parametrize("timeout", [0, -1, float("inf"), float("nan")])
def test_every_call_needs_a_finite_timeout(shared: DeviceProcess, timeout: float) -> None:
    with pytest.raises(ValueError, match="timeout"):
        shared.call("echo", 1, timeout=timeout)


@pytest.mark.parametrize("service", ["no_colon", "pkg.mod:", ":Class", "pkg mod:Class", "pkg.mod:Cl-ass"])
def test_service_must_be_module_colon_name(service: str) -> None:
    with pytest.raises(ValueError, match=r"package\.module:ClassName"):
        DeviceProcess(service)


def test_constructor_arguments_must_pickle() -> None:
    with pytest.raises(TypeError):
        DeviceProcess(TOY, threading.Lock())


# --- hung calls: timeout and cancel ------------------------------------------------------------------------------


def test_timeout_stops_a_hung_call_and_the_next_call_gets_a_fresh_worker(make_host: Callable[..., DeviceProcess]) -> None:
    restarts: list[int] = []
    host = make_host(on_restart=restarts.append)
    assert host.call("counter", timeout=10) == 1
    assert host.call("counter", timeout=10) == 2
    old = host.pid
    assert old is not None
    began = time.monotonic()
    with pytest.raises(DeviceTimeoutError) as caught:
        host.call("sleep", 30, timeout=0.5)
    took = time.monotonic() - began
    assert 0.5 <= took < 0.5 + GRACE + SLACK
    assert caught.value.sent is True and caught.value.timeout == 0.5 and caught.value.code == "timeout"
    assert is_gone(old)
    assert host.pid is None
    assert host.call("counter", timeout=10) == 1  # a new service object: the vendor context is made again
    assert host.call("pid", timeout=10) != old
    assert host.generation == 2 and restarts == [2]


@linux_only
def test_timeout_stops_a_call_stuck_holding_the_gil(make_host: Callable[..., DeviceProcess]) -> None:
    host = make_host()
    host.start()
    old = host.pid
    began = time.monotonic()
    with pytest.raises(DeviceTimeoutError):
        host.call("sleep_holding_gil", 30, timeout=0.5)
    assert time.monotonic() - began < 0.5 + GRACE + SLACK
    assert old is not None and is_gone(old)
    assert host.call("add", 1, 1, timeout=10) == 2


@linux_only
def test_a_worker_that_ignores_sigterm_is_killed_after_the_grace(make_host: Callable[..., DeviceProcess]) -> None:
    host = make_host()
    host.start()
    old = host.pid
    began = time.monotonic()
    with pytest.raises(DeviceTimeoutError):
        host.call("ignore_sigterm_and_sleep", 30, timeout=0.3)
    took = time.monotonic() - began
    assert 0.3 + GRACE <= took < 0.3 + 2 * GRACE + SLACK
    assert old is not None and is_gone(old)


def test_a_hung_call_does_not_hold_up_other_devices(make_host: Callable[..., DeviceProcess]) -> None:
    hung, other = make_host(name="hung"), make_host(name="other")
    hung.start()
    other.start()
    thread, out = in_thread(lambda: hung.call("sleep_holding_gil", 30, timeout=1.2))
    wait_until(lambda: hung.busy)  # the hung call is under way
    began = time.monotonic()
    for i in range(50):
        assert other.call("add", i, 1, timeout=2) == i + 1
    assert time.monotonic() - began < 0.8  # all while the other worker hangs
    assert "error" not in out
    thread.join()
    assert isinstance(out["error"], DeviceTimeoutError)


def test_cancel_from_another_thread_stops_the_running_call(make_host: Callable[..., DeviceProcess]) -> None:
    host = make_host()
    host.start()
    old = host.pid
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    began = time.monotonic()
    with pytest.raises(DeviceCancelledError) as caught:
        host.call("sleep", 30, timeout=30, cancel=cancel)
    assert 0.3 <= time.monotonic() - began < 0.3 + GRACE + SLACK
    assert caught.value.sent is True and caught.value.code == "cancelled"
    assert old is not None and is_gone(old)
    assert host.call("echo", "again", timeout=10) == "again"
    assert host.pid != old


def test_a_waiting_call_gives_up_without_touching_the_running_one(make_host: Callable[..., DeviceProcess]) -> None:
    host = make_host()
    host.start()
    pid = host.pid
    running, out = in_thread(lambda: host.call("sleep", 1.0, timeout=10))
    wait_until(lambda: host.busy)  # the sleep holds the turn
    with pytest.raises(DeviceTimeoutError) as timed_out:
        host.call("echo", 1, timeout=0.3)
    assert timed_out.value.sent is False
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(DeviceCancelledError) as cancelled:
        host.call("echo", 1, timeout=10, cancel=cancel)
    assert cancelled.value.sent is False
    running.join()
    assert out == {"result": 1.0}
    assert host.pid == pid and host.generation == 1 and not host.busy


# --- crashes -----------------------------------------------------------------------------------------------------


def test_a_worker_that_exits_during_a_call_is_reported_and_replaced(make_host: Callable[..., DeviceProcess]) -> None:
    host = make_host()
    assert host.call("counter", timeout=10) == 1
    old = host.pid
    with pytest.raises(DeviceCrashedError) as caught:
        host.call("crash", 3, timeout=10)
    assert caught.value.exitcode == 3 and caught.value.sent is True and caught.value.code == "crashed"
    assert "exit code 3" in str(caught.value)
    assert host.call("counter", timeout=10) == 1
    assert host.pid != old and host.generation == 2


@linux_only
def test_a_segfault_is_reported_and_replaced(make_host: Callable[..., DeviceProcess]) -> None:
    host = make_host()
    host.start()
    with pytest.raises(DeviceCrashedError) as caught:
        host.call("segfault", timeout=10)
    assert caught.value.exitcode == -signal.SIGSEGV
    assert "SIGSEGV" in str(caught.value)
    assert host.call("add", 2, 2, timeout=10) == 4


def test_a_worker_that_dies_while_idle_is_replaced_on_the_next_call(make_host: Callable[..., DeviceProcess]) -> None:
    restarts: list[int] = []
    host = make_host(on_restart=restarts.append)
    host.call("crash_later", 0.1, timeout=10)
    old = host.pid
    assert old is not None and wait_gone(old, 5)
    time.sleep(0.2)  # a zombie leader may wait for its other threads to exit before it can be reaped
    assert host.call("echo", "fine", timeout=10) == "fine"
    assert host.pid != old and restarts == [2]


# --- starting ----------------------------------------------------------------------------------------------------


def test_a_service_whose_constructor_raises(make_host: Callable[..., DeviceProcess]) -> None:
    host = make_host("tests.support.host_services:FailingService")
    with pytest.raises(DeviceStartError) as caught:
        host.call("anything", timeout=10)
    exc = caught.value
    assert exc.code == "start_failed" and exc.exitcode == 1
    assert exc.remote_type == "tests.support.host_services.TypedDeviceError"
    assert isinstance(exc.__cause__, TypedDeviceError) and exc.__cause__.code == "library_missing"
    assert host.generation == 0 and host.pid is None
    with pytest.raises(DeviceStartError):  # each call tries again
        host.start()


def test_a_service_module_that_does_not_exist(make_host: Callable[..., DeviceProcess]) -> None:
    with pytest.raises(DeviceStartError) as caught:
        make_host("tests.support.no_such_module:Service").start()
    assert isinstance(caught.value.__cause__, ModuleNotFoundError)


def test_a_service_that_dies_while_starting(make_host: Callable[..., DeviceProcess]) -> None:
    with pytest.raises(DeviceStartError) as caught:
        make_host("tests.support.host_services:DyingService", 5).start()
    assert caught.value.exitcode == 5


def test_a_service_that_starts_too_slowly(make_host: Callable[..., DeviceProcess]) -> None:
    host = make_host("tests.support.host_services:SlowService", 30, start_timeout=1.0)
    began = time.monotonic()
    with pytest.raises(DeviceStartError, match="did not start within"):
        host.call("ping", timeout=5)
    assert time.monotonic() - began < 1.0 + GRACE + SLACK
    assert host.pid is None


# --- logging -----------------------------------------------------------------------------------------------------


def test_worker_logs_reach_the_parent_at_info_and_above(make_host: Callable[..., DeviceProcess], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    host = make_host(name="toy-log")
    secret = "PIN-31415926"
    host.call("echo", secret, timeout=10)
    host.call("log_lines", "hello", timeout=10)
    with pytest.raises(TypedDeviceError):
        host.call("raise_typed", 1, timeout=10)
    from_worker = [r for r in caplog.records if r.processName == "device toy-log"]
    assert [(r.name, r.levelname, r.getMessage()) for r in from_worker if r.name == "tests.support.host_services"] == [
        ("tests.support.host_services", "INFO", "toy service made"),
        ("tests.support.host_services", "INFO", "info: hello"),
        ("tests.support.host_services", "WARNING", "warning: hello"),
    ]
    assert all(r.process == host.pid for r in from_worker)
    assert any("echo took" in r.getMessage() for r in caplog.records)  # method names and durations only
    assert secret not in caplog.text


# --- closing and restarting --------------------------------------------------------------------------------------


def test_close_is_prompt_and_closes_the_service(make_host: Callable[..., DeviceProcess], tmp_path: Path) -> None:
    marker = tmp_path / "closed"
    host = make_host(service_kwargs={"close_marker": str(marker)})
    host.start()
    pid = host.pid
    began = time.monotonic()
    host.close()
    assert time.monotonic() - began < 0.5
    assert marker.read_text() == f"closed by {pid}"
    assert pid is not None and is_gone(pid)
    with pytest.raises(DeviceClosedError) as caught:
        host.call("echo", 1, timeout=5)
    assert caught.value.code == "closed"
    host.close()  # twice is fine
    assert host.closed


def test_context_manager_closes(tmp_path: Path) -> None:
    with DeviceProcess(TOY, kill_grace=GRACE) as host:
        assert host.call("add", 1, 2, timeout=10) == 3
        pid = host.pid
    assert host.closed and pid is not None and is_gone(pid)


def test_close_stops_a_hung_call_within_its_timeout(make_host: Callable[..., DeviceProcess]) -> None:
    host = make_host()
    host.start()
    pid = host.pid
    running, running_out = in_thread(lambda: host.call("sleep", 30, timeout=30))
    wait_until(lambda: host.busy)
    waiting, waiting_out = in_thread(lambda: host.call("echo", 1, timeout=30))
    wait_until(lambda: host.queued == 1)
    began = time.monotonic()
    host.close(timeout=0.5)
    assert time.monotonic() - began < 0.5 + 2 * GRACE + SLACK
    running.join(5)
    waiting.join(5)
    assert isinstance(running_out["error"], DeviceClosedError) and running_out["error"].method == "sleep"
    assert isinstance(waiting_out["error"], DeviceClosedError)
    assert pid is not None and is_gone(pid)


def test_close_is_bounded_when_the_service_close_hangs(make_host: Callable[..., DeviceProcess]) -> None:
    host = make_host(service_kwargs={"close_delay": 30})
    host.start()
    pid = host.pid
    began = time.monotonic()
    host.close(timeout=0.5)
    assert time.monotonic() - began < 0.5 + 2 * GRACE + SLACK
    assert pid is not None and is_gone(pid)


def test_close_lets_the_running_call_finish_first(make_host: Callable[..., DeviceProcess]) -> None:
    host = make_host()
    host.start()
    running, out = in_thread(lambda: host.call("sleep", 0.3, timeout=10))
    wait_until(lambda: host.busy)
    time.sleep(0.1)  # and its request has reached the worker
    host.close(timeout=5)
    running.join()
    assert out == {"result": 0.3}


def test_restart_makes_a_new_service_after_closing_the_old_one(make_host: Callable[..., DeviceProcess], tmp_path: Path) -> None:
    marker = tmp_path / "closed"
    restarts: list[int] = []
    host = make_host(service_kwargs={"close_marker": str(marker)}, on_restart=restarts.append)
    assert host.call("counter", timeout=10) == 1
    old = host.pid
    host.restart()
    assert marker.read_text() == f"closed by {old}"
    assert old is not None and is_gone(old)
    assert host.pid not in (None, old) and host.generation == 2 and restarts == [2]
    assert host.call("counter", timeout=10) == 1


def test_a_call_from_a_progress_callback_is_refused(shared: DeviceProcess) -> None:
    errors: list[BaseException] = []

    def progress(*_: Any, **__: Any) -> None:
        try:
            shared.call("echo", 1, timeout=1)
        except RuntimeError as exc:
            errors.append(exc)

    shared.call("steps", 1, timeout=5, progress=progress)
    assert len(errors) == 1 and "would wait for itself" in str(errors[0])


# --- the parent dies ---------------------------------------------------------------------------------------------

ORPHAN_PARENT = """
import sys, threading, time
from drivers.host import DeviceProcess

if __name__ == "__main__":
    host = DeviceProcess("tests.support.host_services:ToyService", kill_with_parent=sys.argv[1] == "guard")
    host.start()
    if sys.argv[2] == "stuck":
        threading.Thread(target=host.call, args=("sleep_holding_gil", 60), kwargs={"timeout": 120}, daemon=True).start()
        time.sleep(0.5)  # the call is under way
    print(host.pid, flush=True)
    time.sleep(120)
"""


@linux_only
@pytest.mark.parametrize(
    ("guard", "state"),
    [("no-guard", "idle"), ("guard", "idle"), ("guard", "stuck")],
    ids=["pipe-eof-alone", "default", "stuck-holding-gil"],
)
def test_a_killed_parent_leaves_no_orphan(guard: str, state: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen([sys.executable, "-c", ORPHAN_PARENT, guard, state], stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    try:
        assert parent.stdout is not None
        line = parent.stdout.readline()
        worker = int(line)
        assert not is_gone(worker)
        parent.send_signal(signal.SIGKILL)
        parent.wait(5)
        assert wait_gone(worker, 5), f"worker {worker} outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


# --- figures -----------------------------------------------------------------------------------------------------


@linux_only
def test_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """Start time, round trip of a trivial call, memory of an idle worker. Printed with ``-s``; bounds are loose."""
    starts = []
    for _ in range(3):
        host = DeviceProcess(TOY, kill_grace=GRACE)
        began = time.perf_counter()
        host.start()
        starts.append(time.perf_counter() - began)
        if len(starts) < 3:
            host.close()
    with host:
        for _ in range(50):
            host.call("add", 1, 2, timeout=5)
        laps = []
        for _ in range(1000):
            began = time.perf_counter()
            host.call("add", 1, 2, timeout=5)
            laps.append(time.perf_counter() - began)
        status = Path(f"/proc/{host.pid}/status").read_text()
        rss_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
        rollup = Path(f"/proc/{host.pid}/smaps_rollup").read_text()
        pss_kb = int(next(line.split()[1] for line in rollup.splitlines() if line.startswith("Pss:")))
    median_us = statistics.median(laps) * 1e6
    p99_us = sorted(laps)[989] * 1e6
    with capsys.disabled():
        print(
            f"\ndevice host figures: start {statistics.median(starts) * 1000:.0f} ms (median of 3; {', '.join(f'{s * 1000:.0f}' for s in starts)}),"
            f" round trip median {median_us:.0f} us, p99 {p99_us:.0f} us over 1000, idle worker RSS {rss_kb / 1024:.1f} MiB, PSS {pss_kb / 1024:.1f} MiB"
        )
    assert median_us < 5000
    assert max(starts) < 10


def test_turnstile_serves_in_order_and_waiters_give_up() -> None:
    turns = Turnstile()
    far = time.monotonic() + 10
    assert turns.acquire(far, None) is Wait.ACQUIRED
    assert turns.busy
    assert turns.acquire(time.monotonic() + 0.05, None) is Wait.TIMEOUT
    cancel = threading.Event()
    threading.Timer(0.05, cancel.set).start()
    assert turns.acquire(far, cancel) is Wait.CANCELLED
    assert turns.waiting == 0
    order: list[int] = []

    def take(i: int) -> None:
        assert turns.acquire(far, None) is Wait.ACQUIRED
        order.append(i)
        turns.release()

    threads = []
    for i in range(5):
        threads.append(threading.Thread(target=take, args=(i,)))
        threads[-1].start()
        wait_until(lambda i=i: turns.waiting == i + 1)  # type: ignore[misc]
    turns.release()
    for thread in threads:
        thread.join()
    assert order == [0, 1, 2, 3, 4]
    assert turns.waiting == 0
    assert turns.acquire(far, None) is Wait.ACQUIRED
    late, out = in_thread(lambda: turns.acquire(far, None))
    wait_until(lambda: turns.waiting == 1)
    turns.close()
    late.join()
    assert out == {"result": Wait.CLOSED}
    assert turns.wait_idle(time.monotonic() + 0.05) is False
    turns.release()
    assert turns.wait_idle(time.monotonic() + 0.05) is True


def test_base_class_of_every_host_error() -> None:
    for cls in (DeviceCallError, DeviceCancelledError, DeviceClosedError, DeviceCrashedError, DeviceStartError, DeviceTimeoutError):
        assert issubclass(cls, DeviceHostError)
        assert cls.code in ERROR_CODES
