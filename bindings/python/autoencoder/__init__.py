"""Run trained autoencoders from Python through libautoencoder (numpy in, numpy out).

    import autoencoder
    with autoencoder.Model("model.h5") as model:
        codes = model.encode(images)      # raw values in the units the model was trained on

Importing the package does not load libautoencoder; the first call that needs it does, and
raises `LibraryError` saying how to get it if it cannot be found. `python -m autoencoder`
prints the versions and where the library was loaded from. Every error the package raises is
an `AutoencoderError`; see the README for which subclass each status raises.
"""
from ._audio import AudioInfo, Stream
from ._errors import (ArgumentTypeError, AutoencoderError, FormatError, InternalError, InvalidArgumentError,
                      LibraryError, MisuseError, ModelFileError, ModelIOError, ModelNotFoundError, NonFiniteError,
                      OutOfMemoryError, QueueFullError, UnsupportedError, UnverifiedError, VersionError)
from ._lib import Status, int8_kernels, kernels, library_path, library_version
from .model import ConditionGroup, Model, TableColumn

__version__ = "0.8.0"  # needs libautoencoder 0.8 or newer (_lib.MINIMUM_VERSION)

__all__ = ["Model", "ConditionGroup", "TableColumn", "AudioInfo", "Stream", "Status", "library_version", "library_path", "kernels", "int8_kernels", "__version__",
           "AutoencoderError", "InvalidArgumentError", "NonFiniteError", "ArgumentTypeError", "UnsupportedError",
           "OutOfMemoryError", "MisuseError", "QueueFullError", "ModelFileError", "ModelIOError", "ModelNotFoundError", "FormatError",
           "VersionError", "UnverifiedError", "InternalError", "LibraryError"]
