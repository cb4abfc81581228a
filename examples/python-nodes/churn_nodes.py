"""Two Python node types for the churn example: a pandas feature step and a scikit-learn trainer.

Serve them with `python -m kiln worker churn_nodes --queue python` from this folder (see README.md).
"""

from __future__ import annotations

from typing import Annotated, Literal, TypedDict

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import kiln
import kiln.sklearn


class Split(TypedDict):
    train: kiln.Dataset
    test: kiln.Dataset


@kiln.node(type="churn_py.features", version=1, title="Churn features (pandas)")
def features(ctx: kiln.Context, dataset: kiln.Dataset, target: str, test_fraction: Annotated[float, Field(gt=0, lt=1)] = 0.25, seed: int = 7) -> Split:
    """Adds ratio and flag features with pandas, then splits the rows into train and test sets,
    stratified by the target."""
    df = dataset.to_pandas()
    if target not in df.columns:
        raise kiln.NodeFailure(f'the dataset has no target column "{target}"', type="BadInput", retryable=False)
    tenure = df["tenure_months"].clip(lower=1)
    df["charges_per_month_of_tenure"] = df["total_charges"] / tenure
    df["is_month_to_month"] = (df["contract"] == "month-to-month").astype("int32")
    df["calls_per_year"] = df["support_calls"] * 12.0 / tenure
    rng = np.random.default_rng(seed)
    test = np.zeros(len(df), dtype=bool)
    for _, rows in df.groupby(target).indices.items():
        pick = rng.permutation(rows)[: int(round(len(rows) * test_fraction))]
        test[pick] = True
    ctx.progress(rows=len(df), test=int(test.sum()))
    return {"train": df[~test].reset_index(drop=True), "test": df[test].reset_index(drop=True)}


class TrainParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: str = Field(description="The column to predict.")
    drop: list[str] = Field(default_factory=list, description="Columns that are not features (ids).")
    estimator: Literal["gradient_boosting", "logistic"] = "gradient_boosting"
    n_estimators: int = Field(150, ge=1, le=5000)
    learning_rate: float = Field(0.1, gt=0, le=1)
    max_depth: int = Field(3, ge=1, le=16)
    seed: int = 0


class Trained(TypedDict):
    model: kiln.Model
    metrics: kiln.Metrics


@kiln.node(type="churn_py.train_sklearn", version=1, title="Train (scikit-learn)")
def train_sklearn(ctx: kiln.Context, train: kiln.Dataset, params: TrainParams) -> Trained:
    """Fits a scikit-learn pipeline (median imputation and scaling for numbers, one-hot encoding for
    text, then gradient boosting or logistic regression) and exports it to ONNX with skl2onnx, so
    evaluate.model, deploy.model and serving take it as they take Kiln's own models."""
    df = train.to_pandas()
    y = df[params.target].to_numpy()
    X = df.drop(columns=[params.target, *params.drop])
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    text = [c for c in X.columns if c not in numeric]
    X[text] = X[text].fillna("").astype(object)  # Kiln sends missing text as ""
    X[numeric] = X[numeric].astype("float64")
    pre = ColumnTransformer(
        [
            ("num", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]), numeric),
            ("cat", OneHotEncoder(handle_unknown="ignore"), text),
        ]
    )
    if params.estimator == "logistic":
        estimator = LogisticRegression(max_iter=1000, random_state=params.seed)
    else:
        estimator = GradientBoostingClassifier(n_estimators=params.n_estimators, learning_rate=params.learning_rate, max_depth=params.max_depth, random_state=params.seed)
    pipeline = Pipeline([("pre", pre), ("model", estimator)])
    ctx.progress(stage="fit", rows=len(X), features=X.shape[1])
    pipeline.fit(X, y)
    proba = pipeline.predict_proba(X)
    values = {"train_accuracy": accuracy_score(y, pipeline.predict(X)), "train_logloss": log_loss(y, proba, labels=pipeline.classes_), "rows": len(X)}
    if len(pipeline.classes_) == 2:
        values["train_roc_auc"] = roc_auc_score(y, proba[:, 1])
    ctx.progress(stage="export")
    model = kiln.sklearn.to_model(pipeline, X, params.target)
    metrics = kiln.Metrics(model.task, values, details={"params": params.model_dump(), "estimator": type(estimator).__name__})
    return {"model": model, "metrics": metrics}
