"""`python -m autoencoder`: the package's version, the library's, and where the library came from.
Exits with status 1 and says how to get the library when it cannot be loaded."""
import sys

import autoencoder
from autoencoder import _lib


def main() -> int:
    print(f"autoencoder {autoencoder.__version__} (Python package in {autoencoder.__path__[0]})")
    try:
        version, number, abi = _lib.library_version(), _lib.ae_version_number(), _lib.ae_abi_version()
    except autoencoder.LibraryError as error:
        print(f"libautoencoder: not loaded\n{error}", file=sys.stderr)
        return 1
    print(f"libautoencoder {version} (version number {number}, ABI {abi})")
    print(f"loaded from {_lib.library_path()}")
    print(f"matrix products on: {_lib.kernels()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
