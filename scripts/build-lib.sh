#!/usr/bin/env bash
# Builds libautoencoder.so, self-contained: the Swift runtime is linked in statically
# (-static-stdlib; SwiftPM's --static-swift-stdlib is ignored for dynamic libraries), only
# ae_* symbols are exported (bindings/c/autoencoder.map), and the SONAME carries the ABI
# version. Uses its own build folder (.build-lib) so the flags never mix with the tools'.
# Prints the library's path.
set -euo pipefail
cd "$(dirname "$0")/.."
abi=$(sed -n 's/^#define AE_ABI_VERSION \([0-9]*\).*/\1/p' include/autoencoder.h)
swift build -c release --scratch-path .build-lib --product autoencoder \
  -Xswiftc -static-stdlib \
  -Xlinker --version-script="$PWD/bindings/c/autoencoder.map" \
  -Xlinker -soname=libautoencoder.so."$abi" 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking|Applying)' >&2
echo "$PWD/.build-lib/release/libautoencoder.so"
