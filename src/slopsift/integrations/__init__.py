"""Adapters that run slopsift inside engines people already operate (optional extras).

- :mod:`slopsift.integrations.spark`: ``score_dataframe`` over a Spark DataFrame
  (``pip install 'slopsift[spark]'``).
- :mod:`slopsift.integrations.datatrove`: ``SlopsiftFilter`` for datatrove pipelines
  (``pip install 'slopsift[datatrove]'``).

Each module imports its engine lazily, so ``import slopsift`` never needs either.
"""
