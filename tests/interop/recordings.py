"""Where the recorded Cdiscount traffic lives, and what a run does without it.

The recordings are read in place from the shared folder next to the
repository; nothing from it is copied into the project.
"""

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

RECORDINGS = (
    Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "cdiscount"
)


def require_recordings(folder: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """Return ``folder``, or skip the test; fail it instead on CI.

    CI always has the recordings, so there a missing folder is a broken
    checkout rather than a developer machine without the shared files.
    """
    if folder.is_dir():
        return folder
    message = f"the recorded Cdiscount traffic is missing: {folder} does not exist"
    if environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true, where it must be present)", pytrace=False)
    pytest.skip(f"{message}; the interop tests need it")
