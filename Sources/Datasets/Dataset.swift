import Tensor

/// Why data could not be read or written; the message names the file and the place in it.
public struct DataError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// Rows of features as read from a file, with what is known about them.
public struct Dataset {
  /// (n, d) values in the file's units.
  public var features: Tensor
  /// One class label per row, when the source has them.
  public var labels: [Int]?
  /// (height, width, channels) when each row is an image.
  public var imageShape: [Int]?
  /// True when the file stored bytes (0...255), e.g. pixels.
  public var isByteData: Bool
  /// Where the data came from, for messages.
  public var name: String

  public init(features: Tensor, labels: [Int]? = nil, imageShape: [Int]? = nil, isByteData: Bool = false, name: String) {
    self.features = features
    self.labels = labels
    self.imageShape = imageShape
    self.isByteData = isByteData
    self.name = name
  }

  /// The first `count` rows (all of them if there are fewer).
  public func prefix(_ count: Int) -> Dataset {
    guard count < features.rows else { return self }
    var result = self
    result.features = features.slice(rows: 0..<count)
    result.labels = labels.map { Array($0.prefix(count)) }
    return result
  }

  /// Throws, naming the row and column, if any value is NaN or infinite.
  public func checkFinite() throws {
    let d = features.cols
    for i in 0..<features.count where !features.data[i].isFinite {
      throw DataError("\(name): row \(i / d), column \(i % d) is \(features.data[i]); values must be finite")
    }
  }
}

/// Largest data file read into memory (64 GiB: more than this machine holds, so the limit
/// only stops sizes no real file has).
let maximumDataFileSize = 1 << 36

/// The bytes of a data file: a regular file only (a FIFO would block, /dev/zero never ends).
func readDataFile(_ path: String) throws -> [UInt8] {
  do {
    return try RegularFile.read(path, limit: maximumDataFileSize)
  } catch let error as RegularFile.ReadError {
    throw DataError(error.description)
  }
}

/// Throw a `DataError` unless `path` names a regular file.
func requireRegularFile(_ path: String) throws {
  do {
    try RegularFile.requireRegular(path)
  } catch let error as RegularFile.ReadError {
    throw DataError(error.description)
  }
}
