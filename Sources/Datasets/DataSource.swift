import Foundation
import Tensor

/// Turns the `--data` argument into a dataset, through the readers in `DataReaderRegistry`.
///
/// Built in: `fashion-mnist` (training split), `fashion-mnist:test`, `NAME.npy`, `NAME.csv`,
/// and IDX image files (`*-idx3-ubyte`, optionally `.gz`).
public enum DataSource {
  /// Where Debian's dataset-fashion-mnist package puts the files.
  public static let defaultFashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

  /// The Fashion-MNIST folder: `$AE_FASHION_MNIST`, else Debian's location.
  public static var fashionMNISTDirectory: String {
    ProcessInfo.processInfo.environment["AE_FASHION_MNIST"] ?? defaultFashionMNISTDirectory
  }

  /// Whether Fashion-MNIST is installed where we look for it.
  public static var hasFashionMNIST: Bool {
    FileManager.default.fileExists(atPath: fashionMNISTDirectory + "/train-images-idx3-ubyte.gz")
  }

  /// Load `source`, keeping at most `limit` rows.
  public static func load(_ source: String, limit: Int? = nil) throws -> Dataset {
    try DataReaderRegistry.shared.load(source, limit: limit)
  }

  /// Load `source` with `options` (column kinds for tables), keeping at most `limit` rows,
  /// using the readers of `registry`.
  public static func load(
    _ source: String, limit: Int? = nil, options: ReadOptions, registry: DataReaderRegistry = .shared
  ) throws -> Dataset {
    try registry.load(source, limit: limit, options: options)
  }

  /// One split of Fashion-MNIST: "train" (60,000 images) or "t10k" (10,000), with labels.
  public static func fashionMNIST(split: String) throws -> Dataset {
    let directory = fashionMNISTDirectory
    let images = "\(directory)/\(split)-images-idx3-ubyte.gz"
    guard FileManager.default.fileExists(atPath: images) else {
      throw DataError("Fashion-MNIST not found at \(directory): install Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist) or set AE_FASHION_MNIST to a folder holding the IDX files")
    }
    var dataset = try IDX.dataset(images: images, labels: "\(directory)/\(split)-labels-idx1-ubyte.gz")
    dataset.name = split == "train" ? "fashion-mnist" : "fashion-mnist:test"
    return dataset
  }
}
