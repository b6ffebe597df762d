#!/usr/bin/env bash
# Installs libautoencoder.so, include/autoencoder.h and autoencoder.pc under PREFIX
# (default /usr/local), so `cc app.c $(pkg-config --cflags --libs autoencoder)` works.
# Usage: bash scripts/install-lib.sh [PREFIX]   (or: make install PREFIX=...)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-${PREFIX:-/usr/local}}
library=$(bash scripts/build-lib.sh)
version=$(sed -n 's/^#define AE_VERSION "\(.*\)".*/\1/p' include/autoencoder.h)
abi=$(sed -n 's/^#define AE_ABI_VERSION \([0-9]*\).*/\1/p' include/autoencoder.h)

mkdir -p "$prefix/lib/pkgconfig" "$prefix/include"
# Debug sections are dropped: valgrind 3.19 cannot read the DWARF 5 the Swift toolchain writes.
install -m 755 "$library" "$prefix/lib/libautoencoder.so.$version"
strip --strip-debug "$prefix/lib/libautoencoder.so.$version"
ln -sf "libautoencoder.so.$version" "$prefix/lib/libautoencoder.so.$abi"
ln -sf "libautoencoder.so.$abi" "$prefix/lib/libautoencoder.so"
install -m 644 include/autoencoder.h "$prefix/include/autoencoder.h"
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" bindings/c/autoencoder.pc.in > "$prefix/lib/pkgconfig/autoencoder.pc"
echo "installed libautoencoder $version into $prefix (set PKG_CONFIG_PATH=$prefix/lib/pkgconfig if that is not a system prefix)" >&2
