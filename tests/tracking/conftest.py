"""Tracking tests may talk to a server the test started on 127.0.0.1, and to nothing else."""

from __future__ import annotations

import ipaddress
import socket

import pytest

# The real functions, saved before the root conftest's no_network fixture replaces them.
_CONNECT = socket.socket.connect
_CONNECT_EX = socket.socket.connect_ex
_CREATE_CONNECTION = socket.create_connection
_GETADDRINFO = socket.getaddrinfo
LOOPBACK_NAMES = ("localhost",)


def _is_loopback(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch, no_network) -> None:
    """Allow connections to loopback addresses only; anything else still fails loudly."""
    from tests.helpers.network import NetworkBlocked

    def check(address) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if not _is_loopback(host):
            raise NetworkBlocked(f"tests may reach 127.0.0.1 only, not {host!r}")

    def connect(self, address):
        check(address)
        return _CONNECT(self, address)

    def connect_ex(self, address):
        check(address)
        return _CONNECT_EX(self, address)

    def create_connection(address, *args, **kwargs):
        check(address)
        return _CREATE_CONNECTION(address, *args, **kwargs)

    def getaddrinfo(host, *args, **kwargs):
        check((host,))
        return _GETADDRINFO(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


