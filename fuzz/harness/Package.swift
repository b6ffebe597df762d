// swift-tools-version:6.0
// libFuzzer harnesses for hostile model files (docs/FUZZING.md). Built by scripts/fuzz.sh with
// -sanitize=fuzzer,address; not part of the main package, which it uses by path.
import PackageDescription

// The C library product's targets bring Runtime, Store, Models and what they use into the build.
let library = Target.Dependency.product(name: "autoencoder", package: "Autoencoder")

let package = Package(
  name: "AutoencoderFuzz",
  dependencies: [
    // `name:` fixes the identity whatever the checkout's folder is called.
    .package(name: "Autoencoder", path: "../.."),
  ],
  targets: [
    // Input: the bytes of a model file, opened from memory unverified, then run.
    .executableTarget(name: "FuzzModelFile", dependencies: ["FuzzMain", "FuzzSupport", library]),
    // Input: a spec's JSON; an accepted spec is built with in-bounds weights and run.
    .executableTarget(name: "FuzzSpec", dependencies: ["FuzzMain", "FuzzSupport", library]),
    .target(name: "FuzzSupport", dependencies: [library]),
    // The entry points SwiftPM expects (<Target>_main), calling libFuzzer's driver.
    .target(name: "FuzzMain"),
  ],
  swiftLanguageModes: [.v5]
)
