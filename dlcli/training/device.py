"""The device to train on, and seeding.

What touches the backend's devices lives in `dlcli.training.backend`; this module keeps
the names the runner uses.
"""

from __future__ import annotations

from dlcli.training.backend import seed_everything, select_device

__all__ = ["seed_everything", "select_device"]
