/// A reader for one kind of data source: a file format, or named data such as `fashion-mnist`.
///
/// To add one, write a type conforming to this protocol (one file) and register it
/// (`DataReaderRegistry.shared.register(MyReader())`, or one line in
/// `DataReaderRegistry.builtInReaders`). `DataSource.load` then finds it by asking each
/// registered reader, in turn, whether it claims the source.
public protocol DataReader: Sendable {
  /// Short unique name, used in messages and to replace a registered reader ("csv", "npy").
  var name: String { get }
  /// What it reads, for the list of readers in error messages ("a .csv file").
  var summary: String { get }
  /// Whether this reader reads `probe.source`: by name, suffix, prefix or the file's first bytes.
  /// File readers should claim only sources that exist (`probe.exists`), so a missing file is
  /// reported as missing.
  func claims(_ probe: DataSourceProbe) -> Bool
  /// Read the whole source. Throws `DataError` naming the source and the place in it.
  func read(_ source: String, options: ReadOptions) throws -> Dataset
}

extension DataReader {
  /// Read with the default options.
  public func read(_ source: String) throws -> Dataset { try read(source, options: ReadOptions()) }
}

/// Choices a caller can make about how a source is read; readers ignore what does not apply.
public struct ReadOptions: Sendable {
  /// Kind of each named table column, replacing the inferred one (`--column NAME:KIND`).
  public var columnKinds: [String: ColumnKind]

  public init(columnKinds: [String: ColumnKind] = [:]) {
    self.columnKinds = columnKinds
  }
}
