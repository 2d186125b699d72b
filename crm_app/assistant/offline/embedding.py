"""A small static sentence-embedding model, read from the files its PyPI package ships.

The model is WordLlama's 256-dimension ``l2_supercat`` (token embeddings averaged per
sentence). Its weights and tokenizer are inside the ``wordllama`` wheel, so loading
never touches the network; it is loaded on first use, once per process, and kept.
When the package is missing or unreadable, :func:`model` returns None and the parser
works without its semantic fallback.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from importlib import resources
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
    """Unit-length sentence vectors from the loaded model."""

    inference: Any

    def encode(self, texts: list[str]) -> Any:
        """One normalised row per text (a numpy array of shape ``(len(texts), 256)``)."""
        return self.inference.embed(texts, norm=True)


def load() -> Encoder:
    """Read the model from the installed package; raises :class:`EmbeddingUnavailable`."""
    try:
        from safetensors import safe_open
        from tokenizers import Tokenizer
        from wordllama.inference import WordLlamaInference

        root = resources.files(PACKAGE)
        tokenizer = Tokenizer.from_file(str(root / TOKENIZER_FILE))
        with safe_open(str(root / WEIGHTS_FILE), framework="np", device="cpu") as handle:
            weights = handle.get_tensor(TENSOR_KEY)
        inference = WordLlamaInference(weights, tokenizer)
        del weights
    except (ImportError, OSError, ValueError, RuntimeError) as exc:
        raise EmbeddingUnavailable(
            f"The {PACKAGE} embedding model could not be loaded ({exc}); "
            f"install it with `pip install -r requirements.txt`."
        ) from exc
    return Encoder(inference)


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
