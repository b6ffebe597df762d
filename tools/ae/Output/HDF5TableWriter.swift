#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Models
import Store
import Tabular
import Tensor

/// Synthetic rows into an HDF5 file, chunk by chunk: the dataset `rows` (rows x columns,
/// float64; categories as indexes), the attribute `columns` (JSON: name, kind, categories per
/// column) and one attribute per provenance field. Written under a temporary name and moved
/// into place by `finish`; removed if never finished.
final class HDF5TableWriter: TableRowSink {
  private let path: String, temporary: String
  private let file: HDF5Group
  private let totalRows: Int, columns: Int
  private var written = 0
  private var finished = false

  init(path: String, table: TableSchema, rows: Int, provenance: [String: String]) throws {
    try checkReplaceable(path)
    self.path = path
    temporary = temporaryPath(beside: path)
    file = try HDF5Group.create(file: temporary)
    totalRows = rows
    columns = table.rawWidth
    do {
      let described = table.columns.map { column -> [String: Any] in
        var entry: [String: Any] = ["name": column.name, "kind": column.kind.rawValue]
        if let categories = column.categories { entry["categories"] = categories }
        return entry
      }
      try file.setAttribute("columns", String(decoding: try JSONSerialization.data(withJSONObject: described), as: UTF8.self))
      for (key, value) in provenance.sorted(by: { $0.key < $1.key }) { try file.setAttribute(key, value) }
    } catch {
      abandon()
      throw error
    }
  }

  deinit { abandon() }

  func write(_ values: UnsafeBufferPointer<Double>, rowCount: Int) throws {
    guard rowCount > 0 else { return }
    guard written + rowCount <= totalRows, values.count >= rowCount * columns, let base = values.baseAddress else {
      throw FileWriteError("\(path): more rows than the \(totalRows) announced")
    }
    try file.writeRows("rows", doubles: base, totalRows: totalRows, columns: columns, first: written, count: rowCount)
    written += rowCount
  }

  func finish() throws {
    guard written == totalRows else { throw FileWriteError("\(path): \(written) of \(totalRows) rows were written") }
    do {
      if totalRows == 0 { // an empty shard: the dataset still exists, (0, columns)
        var none = 0.0
        try file.writeRows("rows", doubles: &none, totalRows: 0, columns: columns, first: 0, count: 0)
      }
      try file.finish()
    } catch {
      abandon()
      throw error
    }
    finished = true
    try moveIntoPlace(temporary, path)
  }

  /// Drop the unfinished file.
  private func abandon() {
    guard !finished else { return }
    finished = true
    file.close()
    unlink(temporary)
  }
}
