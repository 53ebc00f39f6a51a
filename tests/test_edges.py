"""Edges that used to escape as tracebacks or hangs.

Scheduler addresses, silent schedulers, orphaned workers, stops inside compiled kernels, the command line's signal
handlers, and inputs at the edge of what Python can show.
"""

import datetime as dt
import decimal
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import model
from model.engine import interrupts
from model.engine.interrupts import stop_within, stops_as_stops
from model.experiments import backends
from model.interfaces.cli import app
from model.params.scenario import ScenarioError
from model.results import atomic

ROOT = Path(__file__).resolve().parents[1]


# -- scheduler addresses: validated before anything runs -------------------------------------------
@pytest.mark.parametrize("address, why", [
    ("tcp://", "a host and a port are needed"),
    ("tcp://127.0.0.1:abc", "a host and a port are needed"),
    ("tcp://127.0.0.1", "a host and a port are needed"),
    ("inproc://x", "the scheme inproc:// is not supported (only tcp:// or tls://)"),
    ("ws://127.0.0.1:8786", "the scheme ws:// is not supported (only tcp:// or tls://)"),
    ("http://127.0.0.1:8787", "the scheme http:// is not supported (only tcp:// or tls://)"),
    ("tls://", "a host and a port are needed"),
    ("nowhere", "a host and a port are needed"),
    ("tcp://127.0.0.1:99999", "the port must be from 1 to 65535"),
    (8786, "not text"),
])
def test_a_bad_scheduler_address_is_refused_with_what_is_expected(address, why, tmp_path):
    with pytest.raises(ScenarioError, match="scheduler: ") as caught:
        backends.checked_scheduler(address)
    assert why in str(caught.value)
    with pytest.raises(ScenarioError, match="scheduler: "):  # the API says so too (no bare AssertionError)
        model.Simulation(["law_2025"], scale=0.001).run(scheduler=address, progress=False, cache=False)
    if isinstance(address, str):
        result = CliRunner().invoke(app, ["run", "law_2025", "--scale", "0.001", "--scheduler", address,
                                          "--out", str(tmp_path)])
        assert result.exit_code == 2 and why in result.output and "Traceback" not in result.output
        assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", "tcp://scheduler.example:1", "tcp://[::1]:8786",
                                     "tcp://dask_scheduler:8786", "tls://scheduler.example:8786"])
def test_a_good_scheduler_address_is_kept(address):
    assert backends.checked_scheduler(address) == address


@pytest.mark.parametrize("given", ["abc", "0", "-5", "inf", "nan", ""])
def test_a_bad_wait_for_the_first_worker_is_refused_before_anything_runs(given, monkeypatch, tmp_path):
    monkeypatch.setenv(backends.FIRST_WORKER_VARIABLE, given)
    with pytest.raises(ScenarioError, match=f"{backends.FIRST_WORKER_VARIABLE}: give a positive number of seconds"):
        backends.checked_scheduler("tcp://127.0.0.1:8786")
    result = CliRunner().invoke(app, ["run", "law_2025", "--scale", "0.001", "--scheduler", "tcp://127.0.0.1:8786",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 2 and result.output.startswith(f"error: {backends.FIRST_WORKER_VARIABLE}: ")
    assert list(tmp_path.iterdir()) == []


def test_the_wait_for_the_first_worker_can_be_set(monkeypatch):
    assert backends.first_worker_seconds() == backends.FIRST_WORKER_SECONDS
    monkeypatch.setenv(backends.FIRST_WORKER_VARIABLE, "1800")
    assert backends.first_worker_seconds() == 1800.0


@pytest.fixture
def silent_listener():
    """A port that accepts connections and never answers (the case that hung for minutes)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_scheduler_that_never_answers_is_reported_not_waited_for(silent_listener, monkeypatch):
    monkeypatch.setattr(backends, "CONNECT_SECONDS", 2)
    with pytest.raises(ScenarioError, match=rf"no answer from a Dask scheduler at {silent_listener} within 2 s"):
        list(backends.run_all(pow, [(2, 3)], scheduler=silent_listener))


def test_a_scheduler_that_cannot_be_reached_is_reported(monkeypatch):
    monkeypatch.setattr(backends, "CONNECT_SECONDS", 2)  # (Dask tries a refused connection again until then)
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()  # nothing listens there now
    with pytest.raises(ScenarioError, match=rf"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}"):
        list(backends.run_all(pow, [(2, 3)], scheduler=f"tcp://127.0.0.1:{port}"))


def test_waiting_for_a_scheduler_stays_interruptible(silent_listener, monkeypatch):
    """Ctrl-C (here: SIGINT sent to this process) stops the wait for a silent scheduler at once."""
    import dask.distributed  # noqa: F401 - imported before the signal, so that the signal lands in the wait

    monkeypatch.setattr(backends, "CONNECT_SECONDS", 60)
    # Ctrl-C as Python handles it by default: a library an earlier test used may have put its own handler there
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)

    def interrupt_once_waiting():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "dask-connect" not in {t.name for t in threading.enumerate()}:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)

    sender = threading.Thread(target=interrupt_once_waiting, daemon=True)
    sender.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            list(backends.run_all(pow, [(2, 3)], scheduler=silent_listener))
        sender.join()
    finally:
        signal.signal(signal.SIGINT, previous)


# -- workers that end with their parent ------------------------------------------------------------
JOB = textwrap.dedent("""
    import os, time
    from pathlib import Path

    def job(folder, i):
        Path(folder, f"{i}.pid").write_text(str(os.getpid()))  # the worker's pid, for the test
        time.sleep(600)
""")
PARENT = textwrap.dedent("""
    from model.experiments import backends
    from orphan_job import job
    import sys

    for _ in backends.run_all(job, [(sys.argv[1], 0), (sys.argv[1], 1)], workers=2):
        pass
""")


def test_workers_end_when_their_parent_is_killed_outright(tmp_path):
    """SIGKILL of a run with two workers: the workers (and with them the resource tracker) end by themselves."""
    (tmp_path / "orphan_job.py").write_text(JOB)
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path)], cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"})
    pids = [tmp_path / f"{i}.pid" for i in range(2)]
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120  # (bounds on a hang, not speed targets)
        while time.monotonic() < deadline and not all(p.is_file() and p.read_text() for p in pids):
            time.sleep(0.1)
        workers = [int(p.read_text()) for p in pids]
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in workers), "a worker outlived its parent"
    finally:
        parent.kill()
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:  # a zombie has ended; it only waits to be reaped
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:  # reaped in between
        return False


FAILING_JOB = textwrap.dedent("""
    import os, time
    from pathlib import Path

    def job(folder, i):
        if i == 1:  # fails once the other one runs
            while not Path(folder, "0.pid").is_file():
                time.sleep(0.05)
            raise ValueError("a failed replication")
        Path(folder, f"{i}.pid").write_text(str(os.getpid()))
        time.sleep(600)
""")


def test_a_failed_job_ends_the_running_ones_at_once(tmp_path):
    """A failure (or a stop) ends the other workers' jobs instead of waiting for them to finish (600 s here)."""
    (tmp_path / "failing_job.py").write_text(FAILING_JOB)
    script = ("import sys\nfrom model.experiments import backends\nfrom failing_job import job\n"
              "list(backends.run_all(job, [(sys.argv[1], 0), (sys.argv[1], 1)], workers=2))\n")
    process = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], cwd=ROOT, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"})
    try:
        _, err = process.communicate(timeout=120)  # (a bound on a hang: waiting for the job would take 600 s)
    finally:
        process.kill()
        worker = int((tmp_path / "0.pid").read_text()) if (tmp_path / "0.pid").is_file() else None
        if worker is not None and _alive(worker):
            os.kill(worker, signal.SIGKILL)
    assert process.returncode == 1 and "ValueError: a failed replication" in err


# -- a stop inside a compiled kernel is a stop -----------------------------------------------------
def test_a_system_error_caused_by_a_stop_is_given_back_as_the_stop():
    class Terminated(KeyboardInterrupt):
        pass

    stop = Terminated()
    with pytest.raises(Terminated) as caught:
        with stops_as_stops():
            try:
                raise stop
            except KeyboardInterrupt as exc:
                raise SystemError("CPUDispatcher(<function decide>) returned a result with an exception set") from exc
    assert caught.value is stop
    with pytest.raises(SystemError):  # a SystemError of another cause stays what it is
        with stops_as_stops():
            raise SystemError("something else")
    assert stop_within(ValueError("x")) is None


def test_a_run_stopped_by_sigterm_exits_143_and_writes_nothing(tmp_path):
    """SIGTERM while the month's kernels run: exit 143 and one line, never exit 1 with a SystemError."""
    process = subprocess.Popen([sys.executable, "-m", "model", "run", "law_2025", "--scale", "0.05", "--no-cache",
                                "--out", str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    seen = []
    while not seen or "replication 1/1" not in seen[-1]:  # the population is made, the months begin
        seen.append(process.stderr.readline())
        assert seen[-1], f"the run ended before its months began: {seen}"
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 143, err
    assert err.strip().splitlines()[-1] == "interrupted: nothing was written" and "Error" not in err
    assert [p for p in tmp_path.iterdir() if not p.name.startswith(".")] == []


class _Dropped(KeyboardInterrupt):
    """A stop whose handler's exception a callback from compiled code printed and dropped."""


def test_a_stop_dropped_on_its_way_ends_the_run_at_the_next_month(tmp_path):
    """Numba's compiler calls back through ctypes, which drops what a handler raises: the recorded stop still ends it."""
    interrupts.record(_Dropped())
    try:
        with pytest.raises(_Dropped):
            model.Simulation("law_2025", scale=0.001, seed=3).run(progress=False)
    finally:
        interrupts.forget()
    model.Simulation("law_2025", scale=0.001, seed=3).run(progress=False)  # raised once, then gone


def test_a_stop_dropped_while_a_folder_is_written_keeps_nothing(tmp_path):
    with pytest.raises(_Dropped):
        with atomic.atomic_folder(atomic.RunFolder(tmp_path, "stopped")) as (tmp, _):
            (tmp / "comparison.csv").write_text("x\n")
            interrupts.record(_Dropped())
    assert [p for p in tmp_path.iterdir() if not p.name.startswith(".")] == []


def test_a_command_called_in_process_puts_the_sigterm_handler_back(tmp_path):
    def mine(signum, frame):
        pass

    previous = signal.signal(signal.SIGTERM, mine)
    hook = sys.unraisablehook
    try:
        CliRunner().invoke(app, ["run", "law_2025", "--scale", "0.001", "--scheduler", "tcp://", "--out",
                                 str(tmp_path)])
        CliRunner().invoke(app, ["report", str(tmp_path / "none")])
        CliRunner().invoke(app, ["sweep", str(tmp_path / "none.yaml")])
        assert signal.getsignal(signal.SIGTERM) is mine
        assert sys.unraisablehook is hook
    finally:
        signal.signal(signal.SIGTERM, previous)


# -- inputs at the edge of what Python can show ----------------------------------------------------
def test_a_seed_of_5000_digits_is_refused_with_its_bound():
    with pytest.raises(ScenarioError, match=r"key 'seed': .*less than or equal to .* \(got an integer of about "
                                            r"5,000 digits\)"):
        model.Simulation(["law_2025"], seed=10**5000)
    result = CliRunner().invoke(app, ["run", "law_2025", "--seed", "9" * 5000])
    assert result.exit_code == 2 and "--seed" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("command", [
    ["run", "{long}.yaml", "--scale", "0.001", "--out", "{out}"], ["validate", "{long}.yaml"],
    ["effects", "{long}.yaml", "--out", "{out}"], ["backcast", "{long}.yaml", "--out", "{out}"], ["report", "{long}"],
    ["report", "{out}", "--backcast", "{long}"], ["sweep", "{long}.yaml", "--out", "{out}"],
    ["calibrate", "--config", "{long}.yaml", "--no-write", "--out", "{out}"], ["run", "law_2025", "--out", "{long}"],
])
def test_a_file_name_longer_than_the_file_system_allows_is_one_message(command, tmp_path):
    long = str(tmp_path / ("a" * 300))
    result = CliRunner().invoke(app, [part.format(long=long, out=tmp_path) for part in command])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "a" * 130 not in result.output.replace(str(tmp_path), "")


def test_an_override_keyed_by_a_pair_of_dates_is_a_period():
    """The period form documented for overrides, as a Python pair of dates (or of texts), in a dict scenario."""
    price = {"cheque1": 30, "cheque2": 30}
    as_pair = {"name": "cheap", "extends": "law_2025",
               "overrides": {"cheque.cheques.user_price": {(dt.date(2026, 1, 1), dt.date(2027, 12, 31)): price}}}
    as_text = {**as_pair, "overrides": {"cheque.cheques.user_price": {"2026-01-01..2027-12-31": price}}}
    pair, text = (model.Simulation([s], scale=0.001).scenarios[0] for s in (as_pair, as_text))
    assert pair.tree.digest() == text.tree.digest()
    assert pair.to_manifest()["overrides"] == {"cheque.cheques.user_price": {"2026-01-01..2027-12-31": price}}
    bad = {**as_pair, "overrides": {"cheque.cheques.user_price": {(1, 2, 3): price}}}
    with pytest.raises(ScenarioError, match=r"key 'overrides.cheque.cheques.user_price': \(1, 2, 3\) cannot be a key"):
        model.Simulation([bad], scale=0.001)


def test_a_decimal_scale_is_taken_as_its_number():
    sim = model.Simulation(["law_2025"], scale=decimal.Decimal("0.01"))
    assert type(sim.settings.scale) is float and sim.settings.scale == 0.01
    with pytest.raises(ScenarioError, match="key 'scale'"):
        model.Simulation(["law_2025"], scale=decimal.Decimal("NaN"))


# -- one error path for every command: exit 2, one line naming the file or flag, nothing written ---------------------
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdef", "bcdefg"))


@pytest.mark.parametrize("command, words", [
    (["run", "nosuch", "--out", "{out}"], "error: nosuch: scenario file not found"),
    (["run", "law_2025", "--scale", "2", "--out", "{out}"], "error: --scale must be from"),
    (["run", "law_2025", "--workers", "0", "--out", "{out}"], "error: --workers must be a whole number"),
    (["backcast", "nosuch", "--out", "{out}"], "error: nosuch: scenario file not found"),
    (["effects", "nosuch", "--out", "{out}"], "error: nosuch: scenario file not found"),
    (["calibrate", "--config", "{bomb}", "--no-write", "--out", "{out}"], "aliases (*name) are not allowed"),
    (["calibrate", "--config", "{deep}", "--no-write", "--out", "{out}"], "nested deeper than 32 levels"),
    (["calibrate", "--config", "{binary}", "--no-write", "--out", "{out}"], "not a UTF-8 text file"),
    (["sweep", "{bomb}", "--out", "{out}"], "aliases (*name) are not allowed"),
    (["sweep", "{deep}", "--out", "{out}"], "nested deeper than 32 levels"),
    (["params", "no.such.path"], "error: no parameter path starts with 'no.such.path'"),
    (["report", "{out}"], "not a finished run folder of 'loopbaan run'"),
    (["app", "--port", "70000"], "error: --port must be from 0 to 65535"),
])
def test_every_command_refuses_bad_input_in_one_line(command, words, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    files = {"bomb": tmp_path / "bomb.yaml", "deep": tmp_path / "deep.yaml", "binary": tmp_path / "binary.yaml"}
    files["bomb"].write_text(ALIAS_BOMB)
    files["deep"].write_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    files["binary"].write_bytes(bytes(range(256)) * 4)
    result = CliRunner().invoke(app, [part.format(out=out, **files) for part in command])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], result.output
    assert list(out.iterdir()) == []  # nothing written
