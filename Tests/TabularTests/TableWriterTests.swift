import Datasets
import Foundation
import Tabular
import TestSupport
import Testing

/// The streaming CSV and NPY writers: what they write, that it reads back, and that a failed or
/// unfinished write leaves nothing behind.
@Suite struct TableWriterTests {
  static let columns = [
    ColumnInfo(name: "amount", kind: .continuous),
    ColumnInfo(name: "price", kind: .continuous),
    ColumnInfo(name: "count", kind: .integer),
    ColumnInfo(name: "label", kind: .categorical, categories: ["plain", "a,b", "say \"hi\"", "two\nlines", "", " padded "]),
    ColumnInfo(name: "flag", kind: .boolean, categories: ["false", "true"]),
    ColumnInfo(name: "when", kind: .datetime),
  ]
  static let kinds = Dictionary(uniqueKeysWithValues: columns.map { ($0.name, $0.kind) })
  /// 2024-05-01T00:00:00Z.
  static let day = 1_714_521_600.0
  static let rows: [[Double]] = [
    [0.1, 0.23, 42, 0, 1, day],
    [-1234.5678, 1, -7, 1, 0, day + 43_200],
    [.nan, .nan, .nan, 4, .nan, .nan],
    [1e-5, -3.14, 0, 2, 1, day + 0.25],
    [6.02e23, 1000, 9_000_000_000, 3, 0, -1],
    [2.5, 0.5, 1, 5, 1, 0],
  ]

  /// Write `rows` in chunks of `chunk` rows.
  static func write<Sink: TableRowSink>(_ rows: [[Double]], to sink: inout Sink, chunk: Int) throws {
    for start in stride(from: 0, to: rows.count, by: chunk) {
      let values = rows[start..<min(start + chunk, rows.count)].flatMap { $0 }
      try values.withUnsafeBufferPointer { try sink.write($0, rowCount: values.count / rows[0].count) }
    }
  }

  /// Every kind, with quoted labels, missing cells and datetimes, reads back to the same values.
  @Test func csvRoundTrip() throws {
    let path = TestData.temporaryDirectory() + "/table.csv"
    var writer = try CSVTableWriter(path: path, columns: Self.columns, decimals: [nil, 2, nil, nil, nil, nil])
    try Self.write(Self.rows, to: &writer, chunk: 4)
    try writer.finish()
    let table = try CSV.table(path, columnKinds: Self.kinds)
    #expect(table.columnNames == Self.columns.map(\.name))
    #expect(table.kinds == Self.columns.map(\.kind))
    #expect(table.rowCount == Self.rows.count)
    for (r, row) in Self.rows.enumerated() {
      for (c, expected) in row.enumerated() {
        switch Self.columns[c].kind {
        case .categorical:
          #expect(table.category(row: r, column: c) == Self.columns[c].categories[Int(expected)], "row \(r)")
        case .datetime:
          #expect(abs(table[r, c] - expected) < 1e-6 || (expected.isNaN && table[r, c].isNaN), "row \(r)")
        default:
          #expect(table[r, c] == expected || (expected.isNaN && table[r, c].isNaN), "row \(r), column \(c)")
        }
      }
    }
  }

  /// The exact text of each kind of cell.
  @Test func csvCellText() throws {
    let path = TestData.temporaryDirectory() + "/table.csv"
    var writer = try CSVTableWriter(path: path, columns: Self.columns, decimals: [nil, 2, nil, nil, nil, nil])
    try Self.write(Self.rows, to: &writer, chunk: 100)
    try writer.finish()
    let lines = try String(contentsOfFile: path, encoding: .utf8)
    #expect(lines == #"""
      amount,price,count,label,flag,when
      0.1,0.23,42,plain,true,2024-05-01
      -1234.5678,1,-7,"a,b",false,2024-05-01T12:00:00Z
      ,,,,,
      1e-05,-3.14,0,"say ""hi""",true,2024-05-01T00:00:00.25Z
      6.02e+23,1000,9000000000,"two
      lines",false,1969-12-31T23:59:59Z
      2.5,0.5,1," padded ",true,1970-01-01

      """#)
  }

  /// Rounding to the given places without trailing zeros.
  @Test func decimalPlaces() throws {
    let path = TestData.temporaryDirectory() + "/numbers.csv"
    var writer = try CSVTableWriter(path: path, columns: [ColumnInfo(name: "x", kind: .continuous)], decimals: [2])
    try Self.write([[0.2300001], [0.999], [-0.004], [-0.5], [12.345678], [1e20]], to: &writer, chunk: 6)
    try writer.finish()
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "x\n0.23\n1\n0\n-0.5\n12.35\n1e+20\n")
  }

  /// A one-column row with a missing cell is written as "" so the reader does not skip the line.
  @Test func singleColumnMissingCell() throws {
    let path = TestData.temporaryDirectory() + "/one.csv"
    var writer = try CSVTableWriter(path: path, columns: [ColumnInfo(name: "x", kind: .integer)], decimals: [nil])
    try Self.write([[1], [.nan], [3]], to: &writer, chunk: 1)
    try writer.finish()
    let table = try CSV.table(path, columnKinds: ["x": .integer])
    #expect(table.rowCount == 3 && table[1, 0].isNaN && table[2, 0] == 3)
  }

  /// Bad values are errors naming the row and column, and the failed file is not kept.
  @Test(arguments: [
    (ColumnInfo(name: "c", kind: .categorical, categories: ["a", "b"]), 2.0, "2.0 is not the index of one of its 2 categories"),
    (ColumnInfo(name: "c", kind: .categorical, categories: ["a", "b"]), 0.5, "0.5 is not the index"),
    (ColumnInfo(name: "c", kind: .boolean, categories: ["false", "true"]), -1.0, "-1.0 is not the index"),
    (ColumnInfo(name: "c", kind: .continuous), Double.infinity, "not a finite number"),
    (ColumnInfo(name: "c", kind: .datetime), 1e15, "not a date in the years 0000 to 9999"),
  ])
  func badValuesAreErrors(column: ColumnInfo, value: Double, message: String) throws {
    let directory = TestData.temporaryDirectory()
    var writer = try CSVTableWriter(path: directory + "/bad.csv", columns: [column], decimals: [nil])
    do {
      try Self.write([[0], [value]], to: &writer, chunk: 2)
      Issue.record("no error for \(value)")
    } catch let error as TabularError {
      #expect(error.description.contains("row 2, column 'c': "), "\(error)")
      #expect(error.description.contains(message), "\(error)")
    }
    // Removed at the error, while the writer still exists; finishing it is refused.
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [])
    #expect(throws: TabularError.self) { try writer.finish() }
    #expect(!FileManager.default.fileExists(atPath: directory + "/bad.csv"))
  }

  /// Nothing appears at the destination before finish(); an existing file is replaced only then,
  /// and a writer dropped unfinished leaves no temporary file.
  @Test func atomicReplacement() throws {
    let directory = TestData.temporaryDirectory()
    let path = directory + "/out.csv"
    try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
    var writer = try CSVTableWriter(path: path, columns: [ColumnInfo(name: "x", kind: .integer)], decimals: [nil])
    try Self.write([[1]], to: &writer, chunk: 1)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
    try writer.finish()
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "x\n1\n")
    #expect(throws: TabularError.self) { try writer.finish() }

    do {
      var dropped = try CSVTableWriter(path: directory + "/dropped.csv", columns: [ColumnInfo(name: "x", kind: .integer)], decimals: [nil])
      try Self.write([[2]], to: &dropped, chunk: 1)
    }
    var abandoned = try NPYTableWriter(path: directory + "/abandoned.npy", columns: 1, rows: 1)
    try Self.write([[2]], to: &abandoned, chunk: 1)
    abandoned.abandon()
    #expect(throws: TabularError.self) { try Self.write([[3]], to: &abandoned, chunk: 1) }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["out.csv"])
  }

  /// A destination that is a folder, FIFO or device is refused before anything is written.
  @Test func refusesNonRegularDestinations() throws {
    let directory = TestData.temporaryDirectory()
    let fifo = directory + "/fifo"
    #expect(mkfifo(fifo, 0o600) == 0)
    for path in [directory, fifo, "/dev/null", directory + "/missing/folder.csv"] {
      #expect(throws: (any Error).self) {
        _ = try CSVTableWriter(path: path, columns: [ColumnInfo(name: "x", kind: .integer)], decimals: [nil])
      }
      #expect(throws: (any Error).self) { _ = try NPYTableWriter(path: path, columns: 1, rows: 1) }
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["fifo"])
  }

  /// Mismatched arguments are errors, not traps.
  @Test func badArguments() throws {
    let directory = TestData.temporaryDirectory()
    let columns = [ColumnInfo(name: "x", kind: .continuous)]
    #expect(throws: TabularError.self) { _ = try CSVTableWriter(path: directory + "/a.csv", columns: [], decimals: []) }
    #expect(throws: TabularError.self) { _ = try CSVTableWriter(path: directory + "/a.csv", columns: columns, decimals: []) }
    #expect(throws: TabularError.self) { _ = try CSVTableWriter(path: directory + "/a.csv", columns: columns, decimals: [-1]) }
    #expect(throws: TabularError.self) { _ = try NPYTableWriter(path: directory + "/a.npy", columns: 0, rows: 1) }
    #expect(throws: TabularError.self) { _ = try NPYTableWriter(path: directory + "/a.npy", columns: 1 << 40, rows: 1 << 40) }
    var writer = try CSVTableWriter(path: directory + "/a.csv", columns: columns, decimals: [nil])
    #expect(throws: TabularError.self) { try [1.0].withUnsafeBufferPointer { try writer.write($0, rowCount: 2) } }
    #expect(throws: TabularError.self) { try [1.0].withUnsafeBufferPointer { try writer.write($0, rowCount: -1) } }
  }

  /// The .npy header says float64, C order, (rows, columns), the data starts on a 64-byte
  /// boundary, and the values follow bit for bit (NaN included); NumPy-format readers accept it.
  @Test func npyFile() throws {
    let path = TestData.temporaryDirectory() + "/table.npy"
    let rows: [[Double]] = [[1.5, -2, .nan], [1e300, 0, 3], [4, 5, 6]]
    var writer = try NPYTableWriter(path: path, columns: 3, rows: 3)
    try Self.write(rows, to: &writer, chunk: 2)
    try writer.finish()
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(Array(bytes[0..<8]) == [0x93] + Array("NUMPY".utf8) + [1, 0])
    let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
    #expect((10 + headerLength) % 64 == 0)
    let header = String(decoding: bytes[10..<10 + headerLength], as: UTF8.self)
    #expect(header.hasPrefix("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }") && header.hasSuffix(" \n"))
    let data = Array(bytes[(10 + headerLength)...])
    #expect(data.count == 9 * 8)
    for (i, expected) in rows.flatMap({ $0 }).enumerated() {
      let bits = (0..<8).reduce(UInt64(0)) { $0 | UInt64(data[8 * i + $1]) << (8 * $1) }
      #expect(bits == expected.bitPattern || (expected.isNaN && Double(bitPattern: bits).isNaN))
    }
    // The project's reader (float32, so only the shape and small values are compared).
    let small = TestData.temporaryDirectory() + "/small.npy"
    var smallWriter = try NPYTableWriter(path: small, columns: 2, rows: 2)
    try Self.write([[1, 2], [3, 4.5]], to: &smallWriter, chunk: 2)
    try smallWriter.finish()
    let read = try NPY.read(small)
    #expect(read.features.rows == 2 && read.features.cols == 2)
    #expect((0..<4).map { read.features.data[$0] } == [1, 2, 3, 4.5])
  }

  /// More rows than declared are refused as they come; fewer are refused by finish(); neither
  /// leaves a file.
  @Test func npyRowCountIsEnforced() throws {
    let directory = TestData.temporaryDirectory()
    var tooMany = try NPYTableWriter(path: directory + "/many.npy", columns: 1, rows: 2)
    #expect(throws: TabularError.self) { try Self.write([[1], [2], [3]], to: &tooMany, chunk: 3) }
    var tooFew = try NPYTableWriter(path: directory + "/few.npy", columns: 1, rows: 2)
    try Self.write([[1]], to: &tooFew, chunk: 1)
    #expect(throws: TabularError.self) { try tooFew.finish() }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [])
    var empty = try NPYTableWriter(path: directory + "/empty.npy", columns: 2, rows: 0)
    try empty.finish()
    #expect(try NPY.read(directory + "/empty.npy").features.rows == 0)
  }
}
