import Foundation
import Tensor

/// Numeric CSV files: comma-separated numbers, one row per line, with or without a header line.
public enum CSV {
  /// Read every row; a first line that is not all numbers is taken as the header.
  /// A text cell anywhere else is an error naming its line and column.
  public static func read(_ path: String) throws -> (dataset: Dataset, header: [String]?) {
    let text = String(decoding: try readDataFile(path), as: UTF8.self)
    var values: [Float] = []
    var width: Int?
    var header: [String]?
    var rows = 0
    // "\r\n" is one Character in Swift, and a newline, so this handles both line endings.
    for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
      if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
      let cells = line.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t\""))
      }
      let numbers = cells.map { Float($0) }
      if rows == 0 && header == nil && numbers.contains(where: { $0 == nil }) {
        header = cells
        width = cells.count
        continue
      }
      if let width, cells.count != width {
        throw DataError("\(path): line \(index + 1) has \(cells.count) columns; expected \(width)")
      }
      width = cells.count
      for (column, number) in numbers.enumerated() {
        guard let number else {
          throw DataError("\(path): line \(index + 1), column \(column + 1): '\(cells[column])' is not a number")
        }
        guard number.isFinite else {
          throw DataError("\(path): line \(index + 1), column \(column + 1): \(cells[column]) is not a finite number")
        }
        values.append(number)
      }
      rows += 1
    }
    guard rows > 0, let width else { throw DataError("\(path): no data rows") }
    return (Dataset(features: Tensor(rows: rows, cols: width, values: values), name: path), header)
  }

  /// Read a CSV whose column `labelColumn` (named in the header) holds class labels 0, 1, ...:
  /// the labels become the dataset's labels and the other columns its features.
  public static func read(_ path: String, labelColumn: String) throws -> Dataset {
    let (table, header) = try read(path)
    guard let header, let column = header.firstIndex(of: labelColumn) else {
      throw DataError("\(path): no column named '\(labelColumn)' in the header")
    }
    let t = table.features, width = t.cols - 1
    guard width > 0 else { throw DataError("\(path): nothing but the label column") }
    let features = Tensor(rows: t.rows, cols: width)
    var labels: [Int] = []
    for r in 0..<t.rows {
      let value = t[r, column]
      guard value >= 0, value == value.rounded(), value < 1e6 else {
        throw DataError("\(path): row \(r + 1), column '\(labelColumn)': \(value) is not a class label (0, 1, 2, ...)")
      }
      labels.append(Int(value))
      var j = 0
      for c in 0..<t.cols where c != column { features[r, j] = t[r, c]; j += 1 }
    }
    return Dataset(features: features, labels: labels, name: path)
  }
}
