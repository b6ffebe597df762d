import CAutoencoderSupport
import Models
import Runtime

#if canImport(Glibc)
import Glibc
#endif

// Table models (made by `ae augment fit`): their columns (names, kinds, categories, which ones
// can be fixed) and ae_sample_table, which draws rows in the table's units. Everything else of
// the C ABI refuses a table model with AE_ERROR_UNSUPPORTED (the runtime's check).

/// A table model's column names and category labels as C strings, owned by the model's handle
/// (valid until it is freed).
final class TableStrings {
  let names: [UnsafeMutablePointer<CChar>]
  /// Per column, its categories' labels (empty for number columns).
  let categories: [[UnsafeMutablePointer<CChar>]]

  /// nil when memory cannot be allocated (whatever was copied is freed).
  init?(_ table: TableSchema) {
    var names: [UnsafeMutablePointer<CChar>] = [], categories: [[UnsafeMutablePointer<CChar>]] = []
    func release() {
      names.forEach { free($0) }
      categories.joined().forEach { free($0) }
    }
    for column in table.columns {
      guard let name = strdup(column.name) else { release(); return nil }
      names.append(name)
      var labels: [UnsafeMutablePointer<CChar>] = []
      for label in column.categories ?? [] {
        guard let copy = strdup(label) else {
          labels.forEach { free($0) }
          release()
          return nil
        }
        labels.append(copy)
      }
      categories.append(labels)
    }
    self.names = names
    self.categories = categories
  }

  deinit {
    names.forEach { free($0) }
    categories.joined().forEach { free($0) }
  }
}

/// The ae_column_kind value of a column kind (values fixed by the header).
func columnKindCode(_ kind: TableSchema.ColumnKind) -> Int32 {
  let code: ae_column_kind
  switch kind {
  case .continuous: code = AE_COLUMN_CONTINUOUS
  case .integer: code = AE_COLUMN_INTEGER
  case .categorical: code = AE_COLUMN_CATEGORICAL
  case .boolean: code = AE_COLUMN_BOOLEAN
  case .datetime: code = AE_COLUMN_DATETIME
  }
  return Int32(bitPattern: code.rawValue)
}

/// Run `body` with column `column` of a table model, or record why there is none (not a table
/// model, an index out of range) and return `none`. A call that gets its answer empties the
/// last error, as the other introspection calls do.
@inline(__always)
func withColumn<T>(
  _ name: String, _ model: OpaquePointer?, _ column: Int, _ none: T,
  _ body: (TableSchema.Column, TableStrings) -> T
) -> T {
  var answer = none
  _ = withModel(name, model) { handle in
    guard let table = handle.model.table, let strings = handle.table else {
      return fail(AE_ERROR_UNSUPPORTED, "\(name): this is a \(handle.model.spec.kind.rawValue) model, not a table model (made by ae augment fit): it has no columns")
    }
    guard column >= 0, column < table.columns.count else {
      return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): column \(UInt(bitPattern: column)) is outside 0..<\(table.columns.count), the model's columns")
    }
    answer = body(table.columns[column], strings)
    return ok
  }
  return answer
}

@_cdecl("ae_table_column_count")
public func ae_table_column_count(_ model: OpaquePointer?) -> Int {
  inspect("ae_table_column_count", model, 0) { $0.model.table?.columns.count ?? 0 }
}

@_cdecl("ae_table_column_name")
public func ae_table_column_name(_ model: OpaquePointer?, _ column: Int) -> UnsafePointer<CChar>? {
  withColumn("ae_table_column_name", model, column, nil) { _, strings in UnsafePointer(strings.names[column]) }
}

@_cdecl("ae_table_column_kind")
public func ae_table_column_kind(_ model: OpaquePointer?, _ column: Int) -> Int32 {
  withColumn("ae_table_column_kind", model, column, -1) { described, _ in columnKindCode(described.kind) }
}

@_cdecl("ae_table_category_count")
public func ae_table_category_count(_ model: OpaquePointer?, _ column: Int) -> Int {
  withColumn("ae_table_category_count", model, column, 0) { _, strings in strings.categories[column].count }
}

@_cdecl("ae_table_category")
public func ae_table_category(_ model: OpaquePointer?, _ column: Int, _ index: Int) -> UnsafePointer<CChar>? {
  let name = "ae_table_category"
  var label: UnsafePointer<CChar>?
  var outside: Int?
  withColumn(name, model, column, ()) { _, strings in
    let labels = strings.categories[column]
    if index >= 0, index < labels.count { label = UnsafePointer(labels[index]) } else { outside = labels.count }
  }
  if let outside {
    _ = fail(AE_ERROR_INVALID_ARGUMENT, outside == 0
      ? "\(name): column \(column) holds numbers, not categories"
      : "\(name): index \(UInt(bitPattern: index)) is outside 0..<\(outside), the categories of column \(column)")
  }
  return label
}

@_cdecl("ae_table_column_is_condition")
public func ae_table_column_is_condition(_ model: OpaquePointer?, _ column: Int) -> Int32 {
  withColumn("ae_table_column_is_condition", model, column, -1) { described, _ in described.condition ? 1 : 0 }
}

@_cdecl("ae_sample_table")
public func ae_sample_table(
  _ model: OpaquePointer?, _ workspace: OpaquePointer?, _ rows: Int, _ seed: UInt64, _ firstRow: UInt64,
  _ fixed: UnsafePointer<Double>?, _ out: UnsafeMutablePointer<Double>?
) -> Int32 {
  let name = "ae_sample_table"
  return withModel(name, model) { handle in
    let m = handle.model
    guard let table = m.table else {
      return fail(AE_ERROR_UNSUPPORTED, "\(name): this is a \(m.spec.kind.rawValue) model, not a table model (made by ae augment fit); sample it with ae_sample_v2")
    }
    guard let out else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): out is NULL") }
    guard rows != 0 else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): rows is 0; ask for at least one row") }
    guard rows > 0, elementCount(rows, table.columns.count) != nil, elementCount(rows, m.spec.inputWidth) != nil else {
      return fail(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: rows)) rows of \(table.columns.count) columns do not fit in memory")
    }
    guard firstRow <= UInt64(Int.max - rows) else {
      return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): first_row \(firstRow) plus \(rows) rows is beyond the last row a sample has (2^63 - 1)")
    }
    return withScratch(name, m, workspace, own: true, rows: rows) { scratch in
      do {
        try m.sampleTable(rows: rows, seed: seed, first: Int(firstRow), fixing: fixed, into: out, workspace: scratch)
        return ok
      } catch {
        let status = fail(error)
        // As every call does for a result that overflowed: no half-written rows look like data.
        if status == code(AE_ERROR_NON_FINITE) { out.update(repeating: .nan, count: rows * table.columns.count) }
        return status
      }
    }
  }
}
