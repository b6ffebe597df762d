// swift-tools-version:6.0
// libFuzzer harness for hostile model files (docs/FUZZING.md). Built by scripts/fuzz.sh with
// -sanitize=fuzzer,address; not part of the main package, which it uses by path.
import PackageDescription

let package = Package(
  name: "AutoencoderFuzz",
  dependencies: [
    // `name:` fixes the identity whatever the checkout's folder is called.
    .package(name: "Autoencoder", path: "../.."),
  ],
  targets: [
    // The C library product's targets bring Runtime and Store (and what they use) into the build.
    .executableTarget(
      name: "FuzzModelFile",
      dependencies: ["FuzzMain", .product(name: "autoencoder", package: "Autoencoder")]),
    // The entry point SwiftPM expects (FuzzModelFile_main), calling libFuzzer's driver.
    .target(name: "FuzzMain"),
  ],
  swiftLanguageModes: [.v5]
)
