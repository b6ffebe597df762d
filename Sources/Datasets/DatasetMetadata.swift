/// What a reader knows about a dataset besides its numbers. Each reader fills what its format
/// says and leaves the rest nil: CSV fills `columns`, NPY and IDX `shape` (and `imageShape` for
/// image arrays), Fashion-MNIST `imageShape`. Audio readers will fill `sampleRate`.
public struct DatasetMetadata: Equatable, Sendable {
  /// One entry per feature column, in order, for sources with named columns (tables).
  public var columns: [ColumnInfo]?
  /// The array's shape as stored, rows first: (n, d), or (n, h, w[, c]) for images.
  public var shape: [Int]?
  /// (height, width, channels) when each row is an image, channels fastest (NHWC).
  public var imageShape: [Int]?
  /// Samples per second, for audio; nil otherwise.
  public var sampleRate: Double?

  public init(columns: [ColumnInfo]? = nil, shape: [Int]? = nil, imageShape: [Int]? = nil, sampleRate: Double? = nil) {
    self.columns = columns
    self.shape = shape
    self.imageShape = imageShape
    self.sampleRate = sampleRate
  }

  /// The column names, when the source has named columns.
  public var columnNames: [String]? { columns?.map(\.name) }
}
