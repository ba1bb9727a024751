"""Read plotly figure JSON as the browser gets it: typed arrays arrive as {"dtype", "bdata", "shape"}."""

import base64
import json

import numpy as np


def array(value):
    """A plotly JSON array (plain list or base64 typed array) -> numpy array."""
    if isinstance(value, dict) and "bdata" in value:
        a = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        return a.reshape([int(s) for s in str(shape).split(",")]) if shape else a
    return np.array(
        [np.nan if v is None else v for v in value], dtype=object if value and isinstance(value[0], str) else float
    )


def loads(fig_or_json):
    """A go.Figure or its JSON text -> the plain dict the browser receives."""
    return json.loads(fig_or_json if isinstance(fig_or_json, str) else fig_or_json.to_json())
