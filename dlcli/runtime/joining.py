"""Joining a data-parallel job ends in a message, never in a crash or a silent wait.

JAX's coordination service does not fail cleanly on its own: process 0 died with SIGSEGV
when the coordinator's port was taken (its gRPC server cannot bind), and a process whose
peers or coordinator never arrive is aborted by JAX (SIGABRT and a C++ stack) when its
connection times out. So (`backend.join_job` calls both):

- `check_coordinator_port`: process 0 binds the port the service will bind (all
  addresses, as JAX does) and refuses a taken one, naming it, before JAX starts;
- `join_deadline`: while a process connects, a timer ends it with one `error:` line and
  exit 1 after `seconds` (the documented join bound), before JAX's own timeout, which
  is set later than it. Nothing has been written then (the join comes before the run
  directory), so there is nothing to record.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import sys
import threading
from collections.abc import Iterator

from dlcli.errors import EXIT_FAILURE, DistributedError

BIND_ADDRESS_ENV = "JAX_COORDINATOR_BIND_ADDRESS"  # JAX's own override of "[::]:PORT"


def check_coordinator_port(coordinator: str) -> None:
    """Refuse a coordinator port another program holds on this host (process 0)."""
    port = coordinator.rpartition(":")[2]
    host, _, bind_port = os.environ.get(BIND_ADDRESS_ENV, f"[::]:{port}").rpartition(":")
    host = host.strip("[]") or None
    try:
        places = socket.getaddrinfo(host, int(bind_port), type=socket.SOCK_STREAM,
                                    flags=socket.AI_PASSIVE)  # fmt: skip
    except (OSError, ValueError):
        return  # JAX reports an address it cannot use
    family, kind, proto, _, address = places[0]
    with contextlib.closing(socket.socket(family, kind, proto)) as probe:
        # SO_REUSEADDR as gRPC sets it: a port left in TIME_WAIT is free to the service
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                return
            raise DistributedError(
                f"process 0 cannot start the job's coordinator at {coordinator}: port "
                f"{bind_port} is already in use on this host (another program, or another "
                "job, listens there); give every process another --coordinator HOST:PORT"
            ) from None


@contextlib.contextmanager
def join_deadline(coordinator: str, process_id: int, num_processes: int,
                  seconds: float) -> Iterator[None]:  # fmt: skip
    """End this process with a message if the block (the connection) lasts `seconds`."""
    if process_id == 0:
        why = (f"not all {num_processes} processes joined the job at {coordinator} "
               f"within {seconds:.0f} s (were the others started, with the same "
               "--coordinator and --num-processes?)")  # fmt: skip
    else:
        why = (f"process {process_id} could not join the job at {coordinator} within "
               f"{seconds:.0f} s: no coordinator answered there (is process 0 running, "
               "and is the port its own?)")  # fmt: skip
    timer = threading.Timer(seconds, _give_up, args=(why,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _give_up(message: str) -> None:
    # The main thread is blocked inside JAX's C++ connect and cannot be interrupted;
    # leaving from here is the only way out before JAX aborts the process.
    print(f"error: {message}", file=sys.stderr, flush=True)
    os._exit(EXIT_FAILURE)
