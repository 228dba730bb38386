"""scikit-learn integration: slopsift's features as a transformer for users' own pipelines."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from slopsift.features import extract_features, feature_names

__all__ = ["SlopFeatures"]


class SlopFeatures(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Turn raw texts into slopsift's feature matrix.

    Stateless: ``fit`` only records the feature names, so it can sit anywhere in a ``Pipeline``.
    """

    def __init__(self, n_jobs: int = 1) -> None:
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any = None) -> SlopFeatures:
        self.feature_names_out_ = np.asarray(feature_names(), dtype=object)
        self.n_features_out_ = len(self.feature_names_out_)
        return self

    def transform(self, X: Any) -> np.ndarray:
        if isinstance(X, str):
            raise TypeError("SlopFeatures.transform expects an iterable of texts, not one str")
        return extract_features(list(X), n_jobs=self.n_jobs)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(feature_names(), dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags
