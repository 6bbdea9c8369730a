"""The import raises the garbage collector's thresholds only for its own duration: whatever runs after
it in the same process (tests, a script importing twice) gets the collector as it was, even when the
import fails."""

from __future__ import annotations

import gc

import pytest

from bot.commands.importing import IMPORT_GC_THRESHOLDS, fewer_collections


def test_thresholds_are_raised_during_the_import_and_restored_after_even_on_failure() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        assert gc.get_threshold() == IMPORT_GC_THRESHOLDS
        raise RuntimeError("the import failed")
    assert gc.get_threshold() == before
