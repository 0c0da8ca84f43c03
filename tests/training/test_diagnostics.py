"""dlcli.training.diagnostics: the diagnostics a config may name are the ones it records."""

from __future__ import annotations

import pytest

from tests.helpers.configs import three_class_config


def test_diagnostics_names_are_checked_and_match_the_callbacks(tmp_path):
    from dlcli.config.loader import load_config
    from dlcli.config.schema import DIAGNOSTIC_NAMES
    from dlcli.errors import ConfigError

    with pytest.raises(ConfigError, match="did you mean 'gradient_norms'"):
        load_config(three_class_config(tmp_path), ["train.diagnostics=[gradient_norm]"])
    from dlcli.training.diagnostics import DIAGNOSTICS

    assert tuple(DIAGNOSTICS) == DIAGNOSTIC_NAMES


