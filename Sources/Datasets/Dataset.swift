import Tensor

/// Why data could not be read or written; the message names the file and the place in it.
public struct DataError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// Rows of features as read from a file, with what is known about them.
public struct Dataset {
  /// (n, d) values in the file's units. Table columns hold one value each: numbers as they are,
  /// categorical and boolean cells as category indexes, datetimes as Unix seconds, missing
  /// numbers as NaN (see `metadata.columns`).
  public var features: Tensor
  /// One class label per row, when the source has them.
  public var labels: [Int]?
  /// True when the file stored bytes (0...255), e.g. pixels.
  public var isByteData: Bool
  /// Where the data came from, for messages.
  public var name: String
  /// Column names and kinds, shapes, sample rate: what the reader knew.
  public var metadata: DatasetMetadata

  /// (height, width, channels) when each row is an image; kept in `metadata.imageShape`.
  public var imageShape: [Int]? {
    get { metadata.imageShape }
    set { metadata.imageShape = newValue }
  }

  /// A dataset; `imageShape`, when given, replaces `metadata.imageShape`.
  public init(
    features: Tensor, labels: [Int]? = nil, imageShape: [Int]? = nil, isByteData: Bool = false, name: String,
    metadata: DatasetMetadata = DatasetMetadata()
  ) {
    self.features = features
    self.labels = labels
    self.isByteData = isByteData
    self.name = name
    self.metadata = metadata
    if let imageShape { self.metadata.imageShape = imageShape }
  }

  /// The first `count` rows (all of them if there are fewer). Category lists stay whole (so
  /// indexes keep their meaning); shapes and missing counts describe the rows kept.
  public func prefix(_ count: Int) -> Dataset {
    guard count < features.rows else { return self }
    return rows(0..<count)
  }

  /// Rows `range` only (a shard of the data), with their labels.
  public func rows(_ range: Range<Int>) -> Dataset {
    precondition(range.lowerBound >= 0 && range.upperBound <= features.rows, "rows \(range) of \(features.rows)")
    guard range != 0..<features.rows else { return self }
    var result = self
    result.features = features.slice(rows: range)
    result.labels = labels.map { Array($0[range]) }
    if var shape = metadata.shape, !shape.isEmpty {
      shape[0] = range.count
      result.metadata.shape = shape
    }
    result.recountMissing()
    return result
  }

  /// Recompute each column's missing count from the features (after rows were dropped).
  mutating func recountMissing() {
    guard var columns = metadata.columns, columns.count == features.cols else { return }
    let d = features.cols
    for (c, column) in columns.enumerated() {
      let missingValue = column.missingCategoryIndex.map(Float.init)
      var missing = 0
      for r in 0..<features.rows {
        let value = features.data[r * d + c]
        let isMissing = missingValue.map { value == $0 } ?? value.isNaN
        if isMissing { missing += 1 }
      }
      columns[c].missingCount = missing
    }
    metadata.columns = columns
  }

  /// Throws, naming the row and column, if any value is NaN or infinite.
  public func checkFinite() throws {
    let d = features.cols
    for i in 0..<features.count where !features.data[i].isFinite {
      let columns = metadata.columns, column = i % d
      if let columns, column < columns.count, features.data[i].isNaN {
        throw DataError("\(name): row \(i / d), column \(column) ('\(columns[column].name)') is missing (nan); values must be finite: fill or drop missing cells first")
      }
      throw DataError("\(name): row \(i / d), column \(column) is \(features.data[i]); values must be finite")
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
