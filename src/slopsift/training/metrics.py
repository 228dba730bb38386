"""Detection metrics with machine-generated text as the positive class."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

__all__ = ["auroc", "ece", "fpr_at", "summary", "tpr_at_fpr"]


def auroc(y: np.ndarray, p_machine: np.ndarray) -> float:
    """Area under the ROC curve; NaN when the fold holds one class only."""
    if len(np.unique(y)) < 2:
        return float("nan")
    return float(roc_auc_score(y, p_machine))


def tpr_at_fpr(y: np.ndarray, p_machine: np.ndarray, fpr: float) -> float:
    """Share of machine texts caught when the threshold lets ``fpr`` of the fold's humans through.

    The threshold is set on this fold's own human texts (an oracle operating point): it measures
    ranking quality at the low-FPR end, independent of calibration drift.
    """
    human = p_machine[y == 0]
    machine = p_machine[y == 1]
    if len(human) == 0 or len(machine) == 0:
        return float("nan")
    t = float(np.quantile(human, 1.0 - fpr, method="higher"))
    return float(np.mean(machine > t))


def fpr_at(y: np.ndarray, flagged: np.ndarray) -> float:
    human = flagged[y == 0]
    return float(np.mean(human)) if len(human) else float("nan")


def ece(y: np.ndarray, p_machine: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error over equal-width probability bins."""
    if len(y) == 0:
        return float("nan")
    idx = np.minimum((p_machine * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.mean() * abs(float(p_machine[m].mean()) - float(y[m].mean()))
    return total


def summary(y: np.ndarray, p_machine: np.ndarray, flagged: np.ndarray | None = None) -> dict[str, float]:
    out = {
        "n": float(len(y)),
        "n_machine": float(int(y.sum())),
        "auroc": auroc(y, p_machine),
        "tpr_at_1fpr": tpr_at_fpr(y, p_machine, 0.01),
        "tpr_at_5fpr": tpr_at_fpr(y, p_machine, 0.05),
        "ece": ece(y, p_machine),
    }
    if flagged is not None:
        out["fpr_default"] = fpr_at(y, flagged)
        out["tpr_default"] = float(np.mean(flagged[y == 1])) if (y == 1).any() else float("nan")
    return out
