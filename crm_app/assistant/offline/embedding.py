"""A small static sentence-embedding model, read from the files its PyPI package ships.

The model is WordLlama's 256-dimension ``l2_supercat`` (token embeddings averaged per
sentence). Its weights and tokenizer are inside the ``wordllama`` wheel and are read
with ``safetensors`` and ``tokenizers``, so loading never touches the network; it is loaded on first use, once per process, and kept.
When the package is missing or unreadable, :func:`model` returns None and the parser
works without its semantic fallback.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

PACKAGE = "wordllama"
WEIGHTS_FILE = "weights/l2_supercat_256.safetensors"
TOKENIZER_FILE = "tokenizers/l2_supercat_tokenizer_config.json"
TENSOR_KEY = "embedding.weight"


class EmbeddingUnavailable(RuntimeError):
    """The embedding model's package or files could not be read."""


@dataclass(frozen=True)
class Encoder:
    """Unit-length sentence vectors: the mean of the message's token vectors, as WordLlama pools them.

    The weights stay in the half precision they ship in, which halves the model's memory.
    """

    tokenizer: Any
    weights: Any

    def encode(self, texts: list[str]) -> Any:
        """One normalised row per text (a numpy array of shape ``(len(texts), 256)``)."""
        import numpy as np

        rows = np.zeros((len(texts), self.weights.shape[1]), dtype=np.float32)
        for row, encoding in enumerate(self.tokenizer.encode_batch(texts, add_special_tokens=False)):
            ids = [i for i in encoding.ids if 0 <= i < self.weights.shape[0]]
            if ids:
                rows[row] = self.weights[ids].astype(np.float32).mean(axis=0)
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.where(norms == 0, 1, norms)


def _package_dir() -> Path:
    """Where the model's package is installed, found without importing it (it would pull in its HTTP client)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingUnavailable(
            f"The {PACKAGE} package is not installed; install it with `pip install -r requirements.txt`."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def load() -> Encoder:
    """Read the model from the installed package; raises :class:`EmbeddingUnavailable`."""
    try:
        from safetensors import safe_open
        from tokenizers import Tokenizer

        root = _package_dir()
        tokenizer = Tokenizer.from_file(str(root / TOKENIZER_FILE))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        with safe_open(str(root / WEIGHTS_FILE), framework="np", device="cpu") as handle:
            weights = handle.get_tensor(TENSOR_KEY)
    except (ImportError, OSError, ValueError, RuntimeError) as exc:
        raise EmbeddingUnavailable(
            f"The {PACKAGE} embedding model could not be loaded ({exc}); "
            f"install it with `pip install -r requirements.txt`."
        ) from exc
    return Encoder(tokenizer, weights)


_lock = threading.Lock()
_state: dict[str, Encoder | None] = {}


def model() -> Encoder | None:
    """The process's encoder, loaded on the first call; None when it cannot be loaded."""
    if "encoder" in _state:
        return _state["encoder"]
    with _lock:
        if "encoder" not in _state:
            try:
                _state["encoder"] = load()
            except EmbeddingUnavailable as exc:
                logger.warning("%s The parser answers without its semantic fallback.", exc)
                _state["encoder"] = None
    return _state["encoder"]


def loaded() -> bool:
    """True once :func:`model` has been called (whether or not the model could be read)."""
    return "encoder" in _state
