"""Run trained autoencoders from Python through libautoencoder (numpy in, numpy out)."""
from ._lib import library_version
from .model import AutoencoderError, Model

__all__ = ["Model", "AutoencoderError", "library_version"]
