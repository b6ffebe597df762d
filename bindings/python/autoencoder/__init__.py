"""Run trained autoencoders from Python through libautoencoder (numpy in, numpy out)."""
from ._lib import Status, library_version
from .model import AutoencoderError, MisuseError, Model, UnverifiedError

__all__ = ["Model", "AutoencoderError", "UnverifiedError", "MisuseError", "Status", "library_version"]
