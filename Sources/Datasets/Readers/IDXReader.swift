/// IDX image files of MNIST and Fashion-MNIST (`...-idx3-ubyte`, gzipped or not), by file name.
public struct IDXReader: DataReader {
  public init() {}
  public var name: String { "idx" }
  public var summary: String { "an IDX file, ...-idx3-ubyte[.gz]" }

  /// An existing file whose name (not its folder's) contains "idx".
  public func claims(_ probe: DataSourceProbe) -> Bool {
    probe.exists && (probe.source.split(separator: "/").last?.lowercased().contains("idx") ?? false)
  }

  public func read(_ source: String, options: ReadOptions) throws -> Dataset { try IDX.dataset(images: source) }
}
