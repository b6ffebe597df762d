/// A batch of rows of Float32 values, stored row-major in one contiguous buffer.
///
/// Shape legend used across the code: `n` rows (batch), `d` columns (features).
/// A tensor can shrink and regrow its row count without reallocating up to the largest
/// row count it has held, so layers keep one buffer per role for a whole training run.
/// Not thread-safe: one tensor belongs to one layer or one caller at a time.
public final class Tensor {
  /// Number of rows in use (the batch size).
  public private(set) var rows: Int
  /// Values per row.
  public let cols: Int
  /// Rows the buffer can hold without reallocating.
  public private(set) var capacityRows: Int
  /// The values, `rows * cols` of them in use.
  public private(set) var data: UnsafeMutablePointer<Float>

  /// A zero-filled tensor of `rows` x `cols`.
  public init(rows: Int, cols: Int) {
    precondition(rows >= 0 && cols >= 0, "Tensor shape must be non-negative, got \(rows)x\(cols)")
    self.rows = rows
    self.cols = cols
    self.capacityRows = rows
    let count = max(rows * cols, 1)
    self.data = .allocate(capacity: count)
    self.data.initialize(repeating: 0, count: count)
  }

  /// A tensor holding `values` (row-major), which must have `rows * cols` elements.
  public convenience init(rows: Int, cols: Int, values: [Float]) {
    precondition(values.count == rows * cols, "Tensor(\(rows)x\(cols)) needs \(rows * cols) values, got \(values.count)")
    self.init(rows: rows, cols: cols)
    values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
  }

  deinit { data.deallocate() }

  /// Number of values in use.
  @inlinable public var count: Int { rows * cols }

  /// Set the row count; grows the buffer only when `rows` exceeds the capacity.
  /// Values are kept for rows that stay; new rows hold unspecified values.
  public func resize(rows newRows: Int) {
    precondition(newRows >= 0, "row count must be non-negative, got \(newRows)")
    if newRows > capacityRows {
      let count = newRows * cols
      let grown = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
      grown.initialize(repeating: 0, count: max(count, 1))
      grown.update(from: data, count: rows * cols)
      data.deallocate()
      data = grown
      capacityRows = newRows
    }
    rows = newRows
  }

  /// Start of row `r`.
  @inlinable public func row(_ r: Int) -> UnsafeMutablePointer<Float> { data + r * cols }

  /// One value; for tests and tools, not hot loops.
  public subscript(row: Int, col: Int) -> Float {
    get {
      precondition(row >= 0 && row < rows && col >= 0 && col < cols, "index (\(row), \(col)) outside \(rows)x\(cols)")
      return data[row * cols + col]
    }
    set {
      precondition(row >= 0 && row < rows && col >= 0 && col < cols, "index (\(row), \(col)) outside \(rows)x\(cols)")
      data[row * cols + col] = newValue
    }
  }

  /// The values in use, copied into an array.
  public var values: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

  /// An independent copy.
  public func copy() -> Tensor {
    let result = Tensor(rows: rows, cols: cols)
    result.data.update(from: data, count: count)
    return result
  }

  /// Fill every value in use with `value`.
  public func fill(_ value: Float) { data.update(repeating: value, count: count) }

  /// Copy rows `indices` of `source` into this tensor, resizing it to `indices.count` rows.
  public func gather(rows indices: ArraySlice<Int>, from source: Tensor) {
    precondition(source.cols == cols, "gather: column counts differ (\(source.cols) vs \(cols))")
    resize(rows: indices.count)
    var target = data
    for index in indices {
      target.update(from: source.row(index), count: cols)
      target += cols
    }
  }

  /// Rows `range` of this tensor, copied.
  public func slice(rows range: Range<Int>) -> Tensor {
    precondition(range.lowerBound >= 0 && range.upperBound <= rows, "slice \(range) outside 0..<\(rows)")
    let result = Tensor(rows: range.count, cols: cols)
    result.data.update(from: row(range.lowerBound), count: range.count * cols)
    return result
  }
}

extension Tensor {
  /// Copy rows `range` of `source` into this tensor, resizing it to `range.count` rows.
  public func copyRows(_ range: Range<Int>, from source: Tensor) {
    precondition(source.cols == cols, "copyRows: column counts differ (\(source.cols) vs \(cols))")
    precondition(range.lowerBound >= 0 && range.upperBound <= source.rows, "copyRows: \(range) outside 0..<\(source.rows)")
    resize(rows: range.count)
    data.update(from: source.row(range.lowerBound), count: range.count * cols)
  }
}
