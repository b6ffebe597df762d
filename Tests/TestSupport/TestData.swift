import Datasets
import Foundation
import Tensor

/// Small data sets for tests: a slice of Fashion-MNIST when Debian's package is installed,
/// otherwise generated images with the same shape of problem (a few hidden factors, nonlinear).
public enum TestData {
  /// `count` training images and `testCount` test images, pixels scaled to [0, 1].
  public static func images(count: Int, testCount: Int) throws -> (train: Tensor, test: Tensor, source: String) {
    if DataSource.hasFashionMNIST {
      let train = try DataSource.load("fashion-mnist", limit: count).features
      let test = try DataSource.load("fashion-mnist:test", limit: testCount).features
      for t in [train, test] { for i in 0..<t.count { t.data[i] /= 255 } }
      return (train, test, "fashion-mnist")
    }
    return (blobs(count: count, seed: 1), blobs(count: testCount, seed: 2), "generated blobs")
  }

  /// 14x14 images of a soft blob whose position, size and brightness vary: four hidden factors
  /// a linear model can only approximate.
  public static func blobs(count: Int, seed: UInt64) -> Tensor {
    let side = 14
    let t = Tensor(rows: count, cols: side * side)
    var random = SeededRandom(seed: seed)
    for r in 0..<count {
      let cx = random.uniform(3, 11), cy = random.uniform(3, 11)
      let radius = random.uniform(1.5, 3.5), brightness = random.uniform(0.5, 1)
      let row = t.row(r)
      for y in 0..<side {
        for x in 0..<side {
          let d2 = (Float(x) - cx) * (Float(x) - cx) + (Float(y) - cy) * (Float(y) - cy)
          row[y * side + x] = brightness * expf32(-d2 / (2 * radius * radius))
        }
      }
    }
    return t
  }

  /// A fresh empty folder under the system's temporary directory.
  public static func temporaryDirectory(_ name: String = "ae-test") -> String {
    let path = NSTemporaryDirectory() + "/\(name)-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }
}
