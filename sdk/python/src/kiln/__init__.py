"""Kiln's Python SDK: write node types as typed Python functions and serve them to Kiln.

    import kiln

    @kiln.node(type="acme.double", version=1)
    def double(ctx: kiln.Context, data: kiln.Dataset, column: str, factor: float = 2.0) -> kiln.Dataset:
        df = data.to_pandas()
        df[column] = df[column] * factor
        return df

Serve them with ``python -m kiln worker <module> --queue <queue>`` (see docs/write-a-node-python.md).
"""

from .context import Context
from .node import NodeFailure, NodeType, node
from .store import ArtifactStore, FolderArtifactStore, S3ArtifactStore, store_from_env
from .values import ArtifactRef, Dataset, Deployment, Json, Metrics, Model, Report, Transform

__all__ = [
    "ArtifactRef",
    "ArtifactStore",
    "Context",
    "Dataset",
    "Deployment",
    "FolderArtifactStore",
    "Json",
    "Metrics",
    "Model",
    "NodeFailure",
    "NodeType",
    "Report",
    "S3ArtifactStore",
    "Transform",
    "node",
    "store_from_env",
]
