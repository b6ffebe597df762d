/// `.csv` files: tables of numbers, booleans, dates and categories (see `CSV`).
public struct CSVReader: DataReader {
  public init() {}
  public var name: String { "csv" }
  public var summary: String { "a .csv file" }

  public func claims(_ probe: DataSourceProbe) -> Bool { probe.exists && probe.hasSuffix(".csv") }

  public func read(_ source: String, options: ReadOptions) throws -> Dataset {
    try CSV.read(source, columnKinds: options.columnKinds).dataset
  }
}
