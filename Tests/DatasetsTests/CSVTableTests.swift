import Datasets
import Foundation
import Tensor
import TestSupport
import Testing

/// Tables with text, booleans, dates and missing cells: kinds, categories, values, overrides.
@Suite final class CSVTableTests {
  let directory = TestData.temporaryDirectory()
  deinit { try? FileManager.default.removeItem(atPath: directory) }

  func write(_ text: String, name: String = UUID().uuidString + ".csv") throws -> String {
    let path = directory + "/" + name
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// A float, an int, a text column with commas and quotes inside quotes, a boolean, a date,
  /// a mostly-empty text column; missing cells in several.
  let mixed = #"""
    price,count,name,active,day,note
    1.5,3,"Smith, John",true,2024-01-02,x
    2,4,"Doe, ""Jane""",FALSE,2024-01-03T12:00:00+02:00,
    ,NA,Lee,Yes,null,y
    -0.25,-7,"Smith, John",no,2024-02-29T00:00:01.5Z,x

    """#

  @Test func kindsCategoriesAndMissingCellsAreInferred() throws {
    let table = try CSV.table(try write(mixed))
    #expect(table.hasHeader && table.rowCount == 4)
    #expect(table.columnNames == ["price", "count", "name", "active", "day", "note"])
    #expect(table.kinds == [.continuous, .integer, .categorical, .boolean, .datetime, .categorical])
    // Categories in order of first appearance; a missing categorical cell is the category "".
    #expect(table.columns[2].categories == ["Smith, John", "Doe, \"Jane\"", "Lee"])
    #expect(table.columns[3].categories == ["false", "true"])
    #expect(table.columns[5].categories == ["x", "", "y"])
    #expect(table.columns.map(\.missingCount) == [1, 1, 0, 0, 1, 1])
    #expect(table.columns.map(\.hasMissing) == [true, true, false, false, true, true])
    #expect(table.columns[5].missingCategoryIndex == 1)

    func column(_ c: Int) -> [Double] { (0..<table.rowCount).map { table[$0, c] } }
    #expect(column(0)[0] == 1.5 && column(0)[1] == 2 && column(0)[2].isNaN && column(0)[3] == -0.25)
    #expect(column(1)[0] == 3 && column(1)[2].isNaN && column(1)[3] == -7)
    #expect(column(2) == [0, 1, 2, 0])
    #expect(column(3) == [1, 0, 1, 0])
    // Unix seconds, UTC: 2024-01-02 is day 19,724; 12:00+02:00 is 10:00Z.
    #expect(column(4)[0] == 1_704_153_600 && column(4)[1] == 1_704_276_000 && column(4)[2].isNaN)
    #expect(column(4)[3] == 1_709_164_801.5)
    #expect(column(5) == [0, 1, 2, 0])
    #expect(table.category(row: 1, column: 2) == "Doe, \"Jane\"" && table.category(row: 1, column: 5) == "")
    #expect(table.category(row: 0, column: 0) == nil)
  }

  @Test func theDatasetHoldsTheSameValuesInFloat32() throws {
    let path = try write(mixed)
    let (dataset, header) = try CSV.read(path)
    #expect(header == ["price", "count", "name", "active", "day", "note"])
    let table = try CSV.table(path)
    #expect(dataset.features.rows == 4 && dataset.features.cols == 6)
    for (a, b) in zip(dataset.features.values, table.values) {
      #expect(a == Float(b) || (a.isNaN && b.isNaN))
    }
    #expect(dataset.metadata.columns == table.columns)
    #expect(dataset.metadata.shape == [4, 6])
    #expect(dataset.imageShape == nil && dataset.metadata.sampleRate == nil && !dataset.isByteData)
    // The same through the registry.
    let loaded = try DataSource.load(path)
    #expect(loaded.metadata.columns == table.columns)
  }

  @Test func rfc4180QuotingLineEndingsAndByteOrderMark() throws {
    let text = "\u{FEFF}a,b\r\n\"two\r\nlines\",1\r\n  \"x\"  ,2\r\n\"\",3\r\n"
    let table = try CSV.table(try write(text))
    #expect(table.columnNames == ["a", "b"])
    #expect(table.columns[0].categories == ["two\r\nlines", "x", ""])
    #expect(table.columns[0].missingCount == 1)
    #expect(table.values == [0, 1, 1, 2, 2, 3])
    // A lone CR ends a line too; blank lines are skipped.
    let classic = try CSV.table(try write("a,b\r1,2\r\r   \r3,4\r"))
    #expect(classic.values == [1, 2, 3, 4] && classic.kinds == [.integer, .integer])
    // Line numbers count the lines inside quoted fields.
    let ragged = try write("a,b\n\"x\ny\",1\nz\n")
    #expect { _ = try CSV.table(ragged) } throws: { "\($0)".contains("line 4 has 1 columns; expected 2") }
    // Messages stay on one line whatever the cells hold.
    let mixed = try write("a\n1\n\"x\ny\"\n")
    #expect { _ = try CSV.table(mixed) } throws: { "\($0)".contains("line 3, column 1: 'x\\ny' is not a number") }
  }

  @Test func iso8601FormsAndImpossibleDays() throws {
    let table = try CSV.table(try write("""
      when,odd
      1969-12-31,2023-02-28
      2023-02-28 23:59,2023-02-29
      2024-01-01T00:00+0100,2024-01-01T24:00
      2000-01-01t00:00:00.25-00:30,2024-1-01

      """))
    #expect(table.kinds == [.datetime, .categorical])
    #expect((0..<4).map { table[$0, 0] } == [-86_400, 1_677_628_740, 1_704_063_600, 946_686_600.25])
    #expect(table.columns[1].categories == ["2023-02-28", "2023-02-29", "2024-01-01T24:00", "2024-1-01"])
  }

  @Test func numericFilesKeepTheirHeaderRule() throws {
    // No header: every cell of the first line is a number or missing.
    let (plain, none) = try CSV.read(try write("1,,3\n4,5,NaN\n"))
    #expect(none == nil)
    #expect(plain.metadata.columnNames == ["1", "2", "3"])
    #expect(plain.metadata.columns?.map(\.missingCount) == [0, 1, 1])
    #expect(plain.features[0, 0] == 1 && plain.features[0, 1].isNaN && plain.features[1, 1] == 5)
    // Booleans and dates are not numbers, so such a first line is a header.
    let (_, header) = try CSV.read(try write("true,2024-01-01\n1,2\n"))
    #expect(header == ["true", "2024-01-01"])
  }

  @Test func kindsCanBeGivenPerColumn() throws {
    let path = try write("zip,flag,when,code\n02139,0,2024-01-01,7\n10001,1,2024-01-02,x7\n02139,1,,8\n")
    // Without help, "code" mixes numbers and text: refused as a likely typo.
    #expect { _ = try CSV.table(path) } throws: {
      "\($0)".contains("line 3, column 4: 'x7' is not a number") && "\($0)".contains("declare the column's kind")
    }
    let table = try CSV.table(path, columnKinds: ["zip": .categorical, "flag": .boolean, "code": .categorical])
    #expect(table.kinds == [.categorical, .boolean, .datetime, .categorical])
    #expect(table.columns[0].categories == ["02139", "10001"])
    #expect(table.columns[1].categories == ["false", "true"])
    #expect(table.values[0..<4] == [0, 0, 1_704_067_200, 0])
    #expect(table.columns[3].categories == ["7", "x7", "8"])
    // The registry passes them on.
    let loaded = try DataSource.load(path, options: ReadOptions(columnKinds: ["code": .categorical]))
    #expect(loaded.metadata.columns?.map(\.kind) == [.integer, .integer, .datetime, .categorical])

    let cases: [([String: ColumnKind], String)] = [
      (["zipp": .categorical], "no column by that name (columns: 'zip', 'flag', 'when', 'code')"),
      (["when": .continuous, "code": .categorical], "line 2, column 3: '2024-01-01' is not a number (column 'when' is continuous)"),
      (["code": .integer], "line 3, column 4: 'x7' is not an integer"),
      (["zip": .datetime, "code": .categorical], "line 2, column 1: '02139' is not an ISO 8601 date"),
      (["code": .boolean], "line 2, column 4: '7' is not a boolean"),
    ]
    for (kinds, phrase) in cases {
      #expect(throws: DataError.self) { _ = try CSV.table(path, columnKinds: kinds) }
      #expect { _ = try CSV.table(path, columnKinds: kinds) } throws: { "\($0)".contains(phrase) }
    }
    let twice = try write("a,a\n1,2\n")
    #expect { _ = try CSV.table(twice, columnKinds: ["a": .integer]) } throws: { "\($0)".contains("2 columns have that name") }
  }

  @Test func categoricalLabelsBecomeClassIndexes() throws {
    let path = try write("x,species,y\n1,cat,2\n3,dog,4\n5,cat,6\n")
    let data = try CSV.read(path, labelColumn: "species")
    #expect(data.labels == [0, 1, 0])
    #expect(data.features.values == [1, 2, 3, 4, 5, 6])
    #expect(data.metadata.columnNames == ["x", "y"] && data.metadata.shape == [3, 2])
    let missing = try write("x,species\n1,cat\n2,\n")
    #expect { _ = try CSV.read(missing, labelColumn: "species") } throws: { "\($0)".contains("row 2, column 'species': the label is missing") }
    #expect { _ = try CSV.read(path, labelColumn: "kind") } throws: { "\($0)".contains("no column named 'kind' in the header") }
  }

  @Test func missingCellsAreCountedAgainAfterAPrefixAndNamedWhenRefused() throws {
    let dataset = try CSV.read(try write("a,b\n1,x\n2,\nNA,y\n")).dataset
    #expect(dataset.metadata.columns?.map(\.missingCount) == [1, 1])
    let head = dataset.prefix(2)
    #expect(head.metadata.columns?.map(\.missingCount) == [0, 1])
    #expect(head.metadata.shape == [2, 2])
    #expect(head.metadata.columns?[1].categories == ["x", "", "y"])
    try head.checkFinite()
    #expect { try dataset.checkFinite() } throws: { "\($0)".contains("row 2, column 0 ('a') is missing") }
  }
}
