/// NumPy `.npy` files, by suffix or by their magic string.
public struct NPYReader: DataReader {
  public init() {}
  public var name: String { "npy" }
  public var summary: String { "a .npy file" }

  public func claims(_ probe: DataSourceProbe) -> Bool {
    probe.exists && (probe.hasSuffix(".npy") || probe.startsWith([0x93] + Array("NUMPY".utf8)))
  }

  public func read(_ source: String, options: ReadOptions) throws -> Dataset { try NPY.read(source) }
}
