"""Builds the optional C twins of slopsift's per-word loops (``slopsift._speedups``).

Everything else is declared in pyproject.toml. Without a C compiler the build goes on without the
extension (``optional=True``) and slopsift runs its pure-Python versions, which give the same results.
"""

import sys

from setuptools import Extension, setup

# No fused multiply-add: the C twins must round exactly as the Python versions do.
args = [] if sys.platform == "win32" else ["-O2", "-ffp-contract=off"]

setup(
    ext_modules=[
        Extension("slopsift._speedups", ["src/slopsift/_speedups.c"], extra_compile_args=args, optional=True)
    ]
)
