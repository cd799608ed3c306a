"""Make the repository root importable when these tests run on their own."""

import sys
from pathlib import Path

# Without a root conftest or pytest pythonpath setting, the pytest script does
# not put the repository root on sys.path, and "import simulator" would fail.
REPOSITORY_ROOT = str(Path(__file__).resolve().parents[2])
if REPOSITORY_ROOT not in sys.path:
    sys.path.insert(0, REPOSITORY_ROOT)
