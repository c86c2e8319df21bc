"""Shared test fixtures: the sample disclosures live in ../shared beside the repository."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
TRUTH = SHARED / "truth"


def seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def truth_score():
    """The yardstick script shipped in ../shared/tools, imported as a module."""
    path = SHARED / "tools" / "truth_score.py"
    spec = importlib.util.spec_from_file_location("truth_score", path)
    assert spec and spec.loader, f"cannot load {path}"
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
