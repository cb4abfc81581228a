"""bench/featurize's baseline: pandas + scikit-learn doing what featurize.tabular does.

Usage: python baseline.py DATASET.arrow TARGET TEST_FRACTION SEED
Reads the Arrow IPC file Kiln ingested into pandas, splits it with train_test_split (stratified by the
target), fits a ColumnTransformer on the training split (numbers: SimpleImputer(median) then
StandardScaler; text (None is missing): SimpleImputer(most_frequent) then dense OneHotEncoder ignoring unknown values)
and transforms both splits. Prints one JSON line of timings and shapes.
"""

import json
import sys
import time

import pyarrow as pa
import pyarrow.ipc
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def main(path, target, test_fraction, seed):
    t0 = time.perf_counter()
    with pa.memory_map(path) as source:
        table = pa.ipc.open_file(source).read_all()
    df = table.to_pandas()
    t1 = time.perf_counter()

    y = df[target]
    x = df.drop(columns=[target])
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, stratify=y, random_state=seed
    )
    t2 = time.perf_counter()

    numeric = [c for c in x.columns if x[c].dtype.kind in "if"]
    text = [c for c in x.columns if c not in numeric]
    transformer = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent", missing_values=None),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                text,
            ),
        ]
    )
    a = transformer.fit_transform(x_train)
    b = transformer.transform(x_test)
    t3 = time.perf_counter()

    print(
        json.dumps(
            {
                "read_seconds": t1 - t0,
                "split_seconds": t2 - t1,
                "fit_transform_seconds": t3 - t2,
                "train_rows": int(a.shape[0]),
                "test_rows": int(b.shape[0]),
                "output_features": int(a.shape[1]),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
