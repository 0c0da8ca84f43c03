"""Shared fixtures. No test may touch the network: any connection attempt fails."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

# Fixtures of the export/serve/predict tests: one shared bars training, loopback HTTP.
from tests.helpers.deploy import bars_run, loopback  # noqa: F401
from tests.helpers.files import real_mnist_dir
from tests.helpers.network import NetworkBlocked


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every attempted download fail loudly, in this process."""

    def refuse(*args, **kwargs):
        raise NetworkBlocked("tests must not use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Keras's cache (~/.keras) points at an empty folder, so no test depends on what
    this machine happens to have downloaded."""
    home = tmp_path_factory.mktemp("keras_home")
    monkeypatch.setenv("KERAS_HOME", str(home))
    return home




@pytest.fixture
def mnist_dir(monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = real_mnist_dir()
    if folder is None:
        pytest.skip(
            "real MNIST not found: set DLCLI_DATA_DIR to a folder with mnist.npz "
            "(e.g. ../shared/data)"
        )
    monkeypatch.setenv("DLCLI_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def no_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DLCLI_DATA_DIR", raising=False)
