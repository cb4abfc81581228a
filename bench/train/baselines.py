# Baselines for bench/train/gbdt.ts: LightGBM and scikit-learn HistGradientBoostingClassifier on the
# same arrays and hyperparameters, and sklearn's ROC-AUC of Kiln's held-out predictions. Times are
# wall-clock seconds, plus LightGBM's CPU seconds (all its threads).
# Usage: python baselines.py <dir> '<params json>' [kiln,lightgbm,sklearn]  → one JSON line on stdout.
import json
import os
import sys
import time

import numpy as np

d, params = sys.argv[1], json.loads(sys.argv[2])
which = set((sys.argv[3] if len(sys.argv) > 3 else "kiln,lightgbm,sklearn").split(","))
threads = int(os.environ.get("OMP_NUM_THREADS", "0")) or len(os.sched_getaffinity(0))
Xtr = np.load(f"{d}/x_train.npy")
ytr = np.load(f"{d}/y_train.npy")
Xte = np.load(f"{d}/x_test.npy")
yte = np.load(f"{d}/y_test.npy")

from sklearn.metrics import roc_auc_score  # noqa: E402

out = {}
if "kiln" in which:
    out["kiln_auc"] = float(roc_auc_score(yte, np.load(f"{d}/kiln_proba.npy")))

if "lightgbm" in which:
    import lightgbm as lgb

    # Warm-up on 200 rows: first-use imports and thread-pool start-up are not training time.
    lgb.train({"objective": "binary", "verbose": -1, "num_threads": threads}, lgb.Dataset(Xtr[:200], label=ytr[:200]), num_boost_round=2)
    t, cpu = time.perf_counter(), time.process_time()
    booster = lgb.train(
        {
            "objective": "binary",
            "learning_rate": params["learningRate"],
            "num_leaves": params["maxLeaves"],
            "max_bin": params["maxBins"],
            "min_data_in_leaf": params["minDataInLeaf"],
            "lambda_l2": 0.0,
            "verbose": -1,
            "seed": 1,
            "num_threads": threads,
        },
        lgb.Dataset(Xtr, label=ytr),
        num_boost_round=params["numIterations"],
    )
    out["lightgbm_seconds"] = time.perf_counter() - t
    out["lightgbm_cpu_seconds"] = time.process_time() - cpu
    out["lightgbm_auc"] = float(roc_auc_score(yte, booster.predict(Xte)))

if "sklearn" in which:
    from sklearn.ensemble import HistGradientBoostingClassifier

    HistGradientBoostingClassifier(max_iter=2, early_stopping=False).fit(Xtr[:200], ytr[:200])
    t = time.perf_counter()
    hgb = HistGradientBoostingClassifier(
        max_iter=params["numIterations"],
        learning_rate=params["learningRate"],
        max_leaf_nodes=params["maxLeaves"],
        max_bins=params["maxBins"],
        min_samples_leaf=params["minDataInLeaf"],
        l2_regularization=0.0,
        early_stopping=False,
        random_state=1,
    ).fit(Xtr, ytr)
    out["sklearn_seconds"] = time.perf_counter() - t
    out["sklearn_auc"] = float(roc_auc_score(yte, hgb.predict_proba(Xte)[:, 1]))
print(json.dumps(out))
