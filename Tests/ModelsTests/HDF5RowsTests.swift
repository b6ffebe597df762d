import Foundation
import Store
import TestSupport
import Testing

/// Store's HDF5Rows, in process (ae runs it in a reader process of its own; the Python tests
/// try that side): blocks of rows read by hyperslabs equal the values written, the spec
/// "file.h5:/path" splits where it should, and a bad way to the dataset is refused by name.
@Suite struct HDF5RowsTests {
  @Test func splitsTheFileFromTheDatasetPath() {
    #expect(HDF5Rows.split("data/x.h5:/group/rows")! == ("data/x.h5", "/group/rows"))
    #expect(HDF5Rows.split("X.HDF5:rows")! == ("X.HDF5", "rows"))
    #expect(HDF5Rows.split("a:b.h5:/r")! == ("a:b.h5", "/r"))
    #expect(HDF5Rows.split("rows.npy") == nil && HDF5Rows.split("x.h5") == nil)
  }

  @Test func blocksOfRowsAreTheValuesWritten() throws {
    let directory = TestData.temporaryDirectory("hdf5rows")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/data.h5"
    let values = (0..<(37 * 6)).map { Float($0) * 0.5 - 3 }
    let file = try HDF5Group.create(file: path)
    let group = try file.createGroup("set")
    try group.write("rows", floats: values, shape: [37, 3, 2])
    try group.write("flat", floats: values, shape: [values.count])
    group.close()
    try file.finish()

    let rows = try HDF5Rows(path + ":/set/rows")
    #expect(rows.rows == 37 && rows.width == 6 && rows.imageShape == [3, 2, 1] && !rows.isByteData)
    var block = [Float](repeating: .nan, count: 10 * 6)
    for first in [0, 9, 27] {
      try block.withUnsafeMutableBufferPointer { try rows.read(first: first, count: 10, into: $0.baseAddress!) }
      #expect(block == Array(values[(first * 6)..<((first + 10) * 6)]))
    }
    #expect(throws: StoreError.self) { try block.withUnsafeMutableBufferPointer { try rows.read(first: 30, count: 10, into: $0.baseAddress!) } }
    for (spec, words) in [(":/set/flat", "has 1 axes"), (":/set", "is not a dataset"), (":/nothing/rows", "no '/nothing' in the file")] {
      do {
        _ = try HDF5Rows(path + spec)
        Issue.record("\(spec) opened")
      } catch {
        #expect("\(error)".contains(words), "\(error)")
      }
    }
  }
}
