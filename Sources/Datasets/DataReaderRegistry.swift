import Foundation

/// The readers `DataSource.load` consults, in order; the first that claims a source reads it.
///
/// `shared` starts with `builtInReaders`. A reader registered later goes in front of them (so it
/// may take over a suffix a built-in reader claims); one registered under a name already taken
/// replaces that reader in its place. Safe to use from several threads.
public final class DataReaderRegistry: @unchecked Sendable {
  /// The registry `DataSource.load` uses by default.
  public static let shared = DataReaderRegistry(readers: builtInReaders)

  /// The readers this package provides, in the order they are consulted. A new built-in reader
  /// is one line here.
  public static var builtInReaders: [any DataReader] {
    [FashionMNISTReader(), NPYReader(), CSVReader(), IDXReader()]
  }

  private let lock = NSLock()
  private var registered: [any DataReader]

  /// A registry consulting `readers` in order.
  public init(readers: [any DataReader] = []) {
    registered = readers
  }

  /// The readers, in the order they are consulted.
  public var readers: [any DataReader] { lock.withLock { registered } }

  /// Add `reader` in front of the others, or replace the reader of the same name in its place.
  public func register(_ reader: any DataReader) {
    lock.withLock {
      if let index = registered.firstIndex(where: { $0.name == reader.name }) {
        registered[index] = reader
      } else {
        registered.insert(reader, at: 0)
      }
    }
  }

  /// The first reader that claims `source`, if any.
  public func reader(for source: String) -> (any DataReader)? {
    let probe = DataSourceProbe(source)
    return readers.first { $0.claims(probe) }
  }

  /// "name (summary), ..." for every reader, for messages.
  public var summary: String {
    readers.map { "\($0.name) (\($0.summary))" }.joined(separator: ", ")
  }

  /// Read `source` with the reader that claims it, keeping at most `limit` rows.
  ///
  /// Throws when no reader claims it (naming the registered readers), when the reader fails,
  /// or when `options` gives column kinds for a source without named columns.
  public func load(_ source: String, limit: Int? = nil, options: ReadOptions = ReadOptions()) throws -> Dataset {
    guard let reader = reader(for: source) else {
      guard FileManager.default.fileExists(atPath: source) else {
        throw DataError("\(source): no such file (expected one of: \(summary))")
      }
      throw DataError("\(source): unknown data format; the readers are: \(summary)")
    }
    var dataset = try reader.read(source, options: options)
    if !options.columnKinds.isEmpty, dataset.metadata.columns == nil {
      let names = options.columnKinds.keys.sorted().joined(separator: ", ")
      throw DataError("\(source): column kinds were given (\(names)), but \(reader.name) data has no named columns; they apply to tables such as CSV files")
    }
    if let limit { dataset = dataset.prefix(limit) }
    return dataset
  }
}
