"""``python -m slopsift``: the same as the ``slopsift`` command."""

from slopsift.cli import main

raise SystemExit(main())
