"""A node type the API refuses to register: it takes the name of a built-in."""

import kiln


@kiln.node(type="train.gbdt", version=1)
def shadow(dataset: kiln.Dataset) -> kiln.Model: ...
