"""Shared test setup: the helper modules in ``tests/fixtures/cli`` (``synthetic``, ``browser``) importable.

``--import-mode=importlib`` puts no test folder on ``sys.path``, so the folder is added here once
(what pytest's ``pythonpath`` setting would do) instead of every test file loading the helpers itself.
"""

from __future__ import annotations

import sys
from pathlib import Path

_CLI_HELPERS = str(Path(__file__).parent / "fixtures" / "cli")
if _CLI_HELPERS not in sys.path:
    sys.path.insert(0, _CLI_HELPERS)
