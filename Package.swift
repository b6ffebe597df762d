// swift-tools-version:6.0
// Autoencoder: train autoencoders in Swift, save them to HDF5, run them anywhere.
import PackageDescription

/// Release builds drop overflow checks in the numeric kernels; debug builds keep them.
let fastMath: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
  name: "Autoencoder",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "ae", targets: ["ae"]),
    // libautoencoder.so: the C ABI of include/autoencoder.h (built self-contained by scripts/build-lib.sh).
    .library(name: "autoencoder", type: .dynamic, targets: ["CAutoencoder"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
  ],
  targets: [
    // System libraries from Debian, found through pkg-config.
    .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
    .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
    .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
    .systemLibrary(name: "CSndfile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
    .systemLibrary(name: "CSamplerate", pkgConfig: "samplerate", providers: [.apt(["libsamplerate0-dev"])]),
    // C glue only: HDF5 macros and error stack; libpng's setjmp error handling.
    .target(name: "CShims", dependencies: ["CHDF5"]),
    .target(name: "CPNGShim", dependencies: ["CPNG"]),

    // Vector instructions the Swift standard library does not emit (header-only C).
    .target(name: "CVector"),
    // The AVX-512 matrix product (see CGemm.h), chosen at run time by the CPU.
    .target(name: "CGemm"),

    .target(name: "Tensor", dependencies: ["COpenBLAS", "CVector", "CGemm"], swiftSettings: fastMath),
    .target(name: "Layers", dependencies: ["Tensor"], swiftSettings: fastMath),
    .target(name: "Models", dependencies: ["Layers", "Tensor", "CVector"], swiftSettings: fastMath),
    .target(name: "Datasets", dependencies: ["Tensor", "CZlib", "CPNGShim"], swiftSettings: fastMath),
    .target(name: "Store", dependencies: ["Models", "CShims", "CZlib"], swiftSettings: fastMath),
    .target(name: "Training", dependencies: ["Models", "Store", "Tensor"], swiftSettings: fastMath),
    .target(name: "Baselines", dependencies: ["Tensor", "COpenBLAS"], swiftSettings: fastMath),
    // Charts as SVG text (lines, scatter, histograms, ROC curves): Foundation only.
    .target(name: "Charts"),
    // Synthetic tables: fitting a table's columns to a model's pipeline, and comparing tables.
    .target(name: "Tabular", dependencies: ["Models", "Datasets", "Tensor", "Training", "Runtime"], swiftSettings: fastMath),
    .target(name: "Runtime", dependencies: ["Models", "Store", "Layers", "Tensor", "Baselines", "CVector", "CZlib"], swiftSettings: fastMath),
    // Sound: spectral frames, phase reconstruction and timbre models (what the C library needs).
    .target(name: "Audio", dependencies: ["Models", "Runtime", "Tensor", "CVector", "CFFTW"], swiftSettings: fastMath),
    // Sound files: reading and writing through libsndfile, resampling through libsamplerate.
    .target(name: "AudioFiles", dependencies: ["CSndfile", "CSamplerate"], swiftSettings: fastMath),
    // Timbre models from sound files: the frames and pitches of a folder of sounds, the fit, the evaluation.
    .target(name: "AudioTraining", dependencies: ["Audio", "AudioFiles", "Models", "Runtime", "Training", "Tensor"], swiftSettings: fastMath),
    // Melodies: MIDI files, token sequences, melody models and a small synthesizer.
    .target(name: "Music", dependencies: ["Models", "Runtime", "Training", "Tensor"], swiftSettings: fastMath),
    // Models to and from other ecosystems: ONNX graphs out, Keras HDF5 files in.
    .target(name: "Interchange", dependencies: ["Models", "Runtime", "Layers", "Store", "CShims"], swiftSettings: fastMath),
    // The C ABI: @_cdecl functions only, plus C glue for static strings and the thread-local error.
    .target(name: "CAutoencoderSupport", cSettings: [.headerSearchPath("../../include")]),
    .target(name: "CAutoencoder", dependencies: ["Runtime", "Store", "Tensor", "Audio", "CAutoencoderSupport"], swiftSettings: fastMath),

    .executableTarget(
      name: "ae",
      dependencies: [
        "Tensor", "Layers", "Models", "Datasets", "Store", "Training", "Baselines", "Runtime", "Tabular",
        "Audio", "AudioFiles", "AudioTraining", "Music", "Charts", "Interchange",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "tools/ae",
      swiftSettings: fastMath),

    .target(name: "TestSupport", dependencies: ["Tensor", "Layers", "Datasets"], path: "Tests/TestSupport"),
    .target(name: "CAllocationCounter", path: "Tests/CAllocationCounter"),
    .testTarget(name: "TensorTests", dependencies: ["Tensor", "CVector", "CGemm", "COpenBLAS", "TestSupport"]),
    .testTarget(name: "LayersTests", dependencies: ["Layers", "TestSupport"]),
    .testTarget(name: "ModelsTests", dependencies: ["Models", "Training", "Store", "Datasets", "Baselines", "Runtime", "TestSupport", "CAllocationCounter"]),
    .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "CZlib", "TestSupport"]),
    .testTarget(name: "TabularTests", dependencies: ["Tabular", "Models", "Datasets", "Tensor", "Store", "Runtime", "TestSupport"]),
    .testTarget(name: "AudioTests", dependencies: ["Audio", "AudioFiles", "AudioTraining", "Models", "Runtime", "Tensor", "TestSupport", "CAllocationCounter"]),
    .testTarget(name: "MusicTests", dependencies: ["Music", "Models", "Runtime", "Training", "Tensor", "TestSupport"]),
    .testTarget(name: "ChartsTests", dependencies: ["Charts", "Training"]),
    .testTarget(name: "CLITests", dependencies: ["Models", "Store", "Datasets"]),
  ],
  swiftLanguageModes: [.v5]
)
