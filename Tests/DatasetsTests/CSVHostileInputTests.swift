import Datasets
import Foundation
import Tensor
import TestSupport
import Testing

/// Malformed and oversized CSV: every case is a `DataError` naming the place, never a crash.
@Suite final class CSVHostileInputTests {
  let directory = TestData.temporaryDirectory()
  deinit { try? FileManager.default.removeItem(atPath: directory) }

  func write(_ text: String) throws -> String {
    let path = directory + "/\(UUID().uuidString).csv"
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func malformedFilesNameTheLine() throws {
    let cases: [(String, String)] = [
      ("", "no data rows (the file is empty)"),
      ("\u{FEFF}\n  \n\r\n", "no data rows (the file is empty)"),
      ("a,b,c\n", "no data rows (only the header line)"),
      ("a,b\n1,2\n3,4,5\n", "line 3 has 3 columns; expected 2"),
      ("a,b\n1,2\n\"3,4\n5,6\n", "line 3, column 1: a quoted field starts here and is never closed"),
      ("a,b\n1,\"2\"x\n", "line 2, column 2: text after the closing quote"),
      ("a,b\n1,2\n3,oops\n", "line 3, column 2: 'oops' is not a number, yet column 'b' holds numbers (line 2)"),
      ("a\n-infinity\n", "line 2, column 1: -infinity is not a finite number"),
    ]
    for (text, phrase) in cases {
      let path = try write(text)
      #expect { _ = try CSV.read(path) } throws: { error in
        error is DataError && "\(error)".contains(phrase) && "\(error)".contains(path)
      }
    }
  }

  @Test func specialFilesAreRefusedWithoutBlocking() throws {
    let fifo = directory + "/pipe.csv"
    #expect(mkfifo(fifo, 0o644) == 0)
    #expect { _ = try CSV.read(fifo) } throws: { "\($0)".contains("not a regular file (a FIFO)") }
    #expect { _ = try DataSource.load(fifo) } throws: { "\($0)".contains("not a regular file (a FIFO)") }
    let folder = directory + "/folder.csv"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
    #expect { _ = try DataSource.load(folder) } throws: { "\($0)".contains("not a regular file (a directory)") }
  }

  @Test func tooManyColumnsOrCategoriesAreClearErrors() throws {
    let wide = try write(String(repeating: ",", count: CSV.maximumColumns) + "\n")
    #expect { _ = try CSV.read(wide) } throws: { "\($0)".contains("line 1 has more than 1048576 columns") }
    // One column of 2^20 + 1 distinct labels.
    var text = "id\n"
    text.reserveCapacity(12 << 20)
    for i in 0...CSV.maximumCategories { text += "c\(i)\n" }
    let many = try write(text)
    #expect { _ = try CSV.read(many) } throws: { "\($0)".contains("column 'id' has more than 1048576 categories") }
  }

  @Test func longLinesAndFieldsAreRead() throws {
    // A 4 MB field, and a row of 200,000 columns.
    let field = String(repeating: "z", count: 4 << 20)
    let table = try CSV.table(try write("text,n\n\"\(field)\",1\n"))
    #expect(table.columns[0].categories == [field] && table.values == [0, 1])
    let width = 200_000
    let header = (0..<width).map { "c\($0)" }.joined(separator: ",")
    let row = [String](repeating: "1", count: width).joined(separator: ",")
    let (dataset, names) = try CSV.read(try write(header + "\n" + row + "\n" + row + "\n"))
    #expect(dataset.features.rows == 2 && dataset.features.cols == width && names?.last == "c199999")
  }

  /// Mutate a valid table at random a few hundred times (quotes, commas, line breaks, spaces,
  /// stray bytes, deletions, truncation): the reader returns a consistent table or a DataError.
  /// AE_CSV_FUZZ_TRIALS and AE_CSV_FUZZ_SEED run it longer or differently (e.g. under ASan).
  @Test func randomlyMutatedTablesNeverCrash() throws {
    let environment = ProcessInfo.processInfo.environment
    let trials = environment["AE_CSV_FUZZ_TRIALS"].flatMap { Int($0) } ?? 400
    let seed = environment["AE_CSV_FUZZ_SEED"].flatMap { UInt64($0) } ?? 2024
    let valid = Array(#"""
      price,count,name,active,day,note
      1.5,3,"Smith, John",true,2024-01-02,x
      2,4,"Doe, ""Jane""",FALSE,2024-01-03T12:00:00+02:00,
      ,NA,Lee,Yes,null,y
      -0.25,-7,"a
      b",no,2024-02-29T00:00:01.5Z,x

      """#.utf8)
    let inserts: [[UInt8]] = ["\"", ",", "\n", "\r", "\r\n", " ", "\"\"", "NA", "1e5", "true", "2024-13-01", "\u{FEFF}", "\u{00}"]
      .map { Array($0.utf8) } + [[0xFF], [0xC3]]
    var random = SeededRandom(seed: seed)
    var accepted = 0, refused = 0
    for trial in 0..<trials {
      var bytes = valid
      for _ in 0..<Int.random(in: 1...4, using: &random) {
        let at = Int.random(in: 0...bytes.count, using: &random)
        switch Int.random(in: 0..<4, using: &random) {
        case 0: bytes.insert(contentsOf: inserts[Int.random(in: 0..<inserts.count, using: &random)], at: at)
        case 1: if at < bytes.count { bytes.remove(at: at) }
        case 2: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
        default: bytes = Array(bytes.prefix(at))
        }
      }
      let kinds: [String: ColumnKind] = trial % 3 == 0 ? ["name": .categorical, "count": .continuous] : [:]
      do {
        let table = try CSV.table(bytes: bytes, name: "mutant \(trial)", columnKinds: kinds)
        let dataset = try CSV.dataset(bytes: bytes, name: "mutant \(trial)", columnKinds: kinds)
        #expect(table.values.count == table.rowCount * table.columns.count && table.rowCount > 0)
        #expect(dataset.features.rows == table.rowCount && dataset.metadata.columns == table.columns)
        for (c, column) in table.columns.enumerated() {
          let cells = (0..<table.rowCount).map { table[$0, c] }
          if column.kind.hasCategories {
            #expect(cells.allSatisfy { $0.isNaN || ($0 >= 0 && $0 < Double(column.categories.count) && $0 == $0.rounded()) })
          }
          let missing = column.kind == .categorical
            ? column.missingCategoryIndex.map { index in cells.filter { $0 == Double(index) }.count } ?? 0
            : cells.filter(\.isNaN).count
          #expect(missing == column.missingCount, "trial \(trial), column \(column.name)")
        }
        accepted += 1
      } catch is DataError {
        refused += 1
      } catch {
        Issue.record("trial \(trial): \(type(of: error)) is not a DataError: \(error)")
      }
    }
    // Both outcomes happen, or the mutations are not exercising much.
    #expect(accepted > trials / 20 && refused > trials / 20, "accepted \(accepted), refused \(refused)")
  }
}
