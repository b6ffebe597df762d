"""Build hook: bundle libautoencoder into the package when this checkout has built it.

`pip install bindings/python` after `bash scripts/build-lib.sh` copies
.build-lib/release/libautoencoder.so into the installed package, which then needs no
AUTOENCODER_LIBRARY, and tags the wheel for this platform. Without a built library the package
is pure Python and finds the library at run time ($AUTOENCODER_LIBRARY or the system's).
Everything else about the package is in pyproject.toml.
"""
import pathlib
import shutil

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

HERE = pathlib.Path(__file__).resolve().parent
BUILT = HERE.parent.parent / ".build-lib" / "release" / "libautoencoder.so"


class BuildPyWithLibrary(build_py):
    """build_py, then a fresh copy of the checkout's library next to the package's modules."""

    def run(self):
        target = pathlib.Path(self.build_lib) / "autoencoder"
        for stale in target.glob("libautoencoder.so*"):  # from an earlier build: never ship an old copy
            stale.unlink()
        super().run()
        if BUILT.is_file():
            shutil.copyfile(BUILT, target / "libautoencoder.so")
            print(f"autoencoder: bundling {BUILT}")
        else:
            print(f"autoencoder: {BUILT} is not built (bash scripts/build-lib.sh); the package will look for "
                  "the library at run time ($AUTOENCODER_LIBRARY, then the system's)")


class MaybeBinaryDistribution(Distribution):
    def has_ext_modules(self):
        return BUILT.is_file()  # a bundled library makes the wheel platform-specific


cmdclass = {"build_py": BuildPyWithLibrary}
try:
    from setuptools.command.bdist_wheel import bdist_wheel  # setuptools >= 70.1
except ImportError:
    try:
        from wheel.bdist_wheel import bdist_wheel
    except ImportError:
        bdist_wheel = None
if bdist_wheel is not None:
    class BdistWheel(bdist_wheel):
        """Tag py3-none-<platform>: the library is loaded through ctypes, so any Python 3 will do."""

        def get_tag(self):
            python, abi, platform = super().get_tag()
            return (python, abi, platform) if self.root_is_pure else ("py3", "none", platform)

    cmdclass["bdist_wheel"] = BdistWheel

setup(cmdclass=cmdclass, distclass=MaybeBinaryDistribution)
