"""Keep a test run away from the developer's own ``.local`` folder.

Loaded as a pytest plugin (``-p tests.environment`` in pyproject.toml) so
that it runs before pytest-django reads the settings: the database, the
generated keys and the filesystem broker of a test run live in a fresh
temporary folder, and a running dashboard never receives a test's tasks.
"""

import os
import tempfile

os.environ.setdefault("CDAUTH_LOCAL_DIR", tempfile.mkdtemp(prefix="cdauth-test-"))
os.environ.setdefault("DJANGO_DEBUG", "true")
# Small timeouts keep the tests of hanging services short; tests that measure
# them read these settings rather than assuming the values.
os.environ.setdefault("CDISCOUNT_CONNECT_TIMEOUT", "2")
os.environ.setdefault("CDISCOUNT_READ_TIMEOUT", "3")
