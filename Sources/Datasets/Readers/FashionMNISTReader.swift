/// `fashion-mnist` (or `fashion-mnist:train`) and `fashion-mnist:test`: the installed dataset.
public struct FashionMNISTReader: DataReader {
  public init() {}
  public var name: String { "fashion-mnist" }
  public var summary: String { "fashion-mnist, fashion-mnist:test" }

  public func claims(_ probe: DataSourceProbe) -> Bool {
    ["fashion-mnist", "fashion-mnist:train", "fashion-mnist:test"].contains(probe.source)
  }

  public func read(_ source: String, options: ReadOptions) throws -> Dataset {
    try DataSource.fashionMNIST(split: source == "fashion-mnist:test" ? "t10k" : "train")
  }
}
