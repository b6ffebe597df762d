/// IDX image files of MNIST and Fashion-MNIST (`...-idx3-ubyte`, gzipped or not), by name.
public struct IDXReader: DataReader {
  public init() {}
  public var name: String { "idx" }
  public var summary: String { "an IDX file, ...-idx3-ubyte[.gz]" }

  public func claims(_ probe: DataSourceProbe) -> Bool { probe.exists && probe.source.lowercased().contains("idx") }

  public func read(_ source: String, options: ReadOptions) throws -> Dataset { try IDX.dataset(images: source) }
}
