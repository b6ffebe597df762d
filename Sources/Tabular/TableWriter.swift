// TEMPORARY stand-in until h-numerics merges (replaced by its files).
import Datasets
import Foundation
public protocol TableRowSink {
  mutating func write(_ values: UnsafeBufferPointer<Double>, rowCount: Int) throws
  mutating func finish() throws
}
public struct CSVTableWriter: TableRowSink {
  var text = ""; let path: String; let columns: [ColumnInfo]; let decimals: [Int?]
  public init(path: String, columns: [ColumnInfo], decimals: [Int?]) throws {
    self.path = path; self.columns = columns; self.decimals = decimals
    text = columns.map(\.name).joined(separator: ",") + "\n"
  }
  public mutating func write(_ values: UnsafeBufferPointer<Double>, rowCount: Int) throws {
    for r in 0..<rowCount {
      var cells: [String] = []
      for (c, column) in columns.enumerated() {
        let v = values[r * columns.count + c]
        if v.isNaN { cells.append(""); continue }
        if column.kind.hasCategories { cells.append(column.categories[Int(v)]) }
        else if column.kind == .integer || column.kind == .datetime { cells.append(String(Int(v))) }
        else if let d = decimals[c] { cells.append(String(format: "%.\(d)f", v)) } else { cells.append("\(v)") }
      }
      text += cells.joined(separator: ",") + "\n"
    }
  }
  public mutating func finish() throws { try text.write(toFile: path, atomically: true, encoding: .utf8) }
}
public struct NPYTableWriter: TableRowSink {
  public init(path: String, columns: Int, rows: Int) throws { throw TabularError("npy: not yet") }
  public mutating func write(_ values: UnsafeBufferPointer<Double>, rowCount: Int) throws {}
  public mutating func finish() throws {}
}
