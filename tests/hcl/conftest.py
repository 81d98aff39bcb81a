"""Shared fixtures: one parse cache for the session (entries are content-addressed, so tests cannot
see each other's results as their own), no TF_VAR_ leaking in from the environment."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def _session_cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp("cicd-guard-cache"))


@pytest.fixture(autouse=True)
def _isolated_environment(_session_cache, monkeypatch):
    monkeypatch.setenv("CICD_GUARD_CACHE_DIR", _session_cache)
    for name in list(os.environ):
        if name.startswith("TF_VAR_"):
            monkeypatch.delenv(name)
