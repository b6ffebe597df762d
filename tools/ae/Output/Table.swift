import Datasets
import Foundation
import Tensor

/// Write a result table as .npy or .csv, as the suffix says (`checkOutput` has checked it),
/// through `writeAtomically` (which refuses to replace anything but a regular file).
func writeTable(_ tensor: Tensor, to path: String) throws {
  try requireFinite(tensor.values, what: "result")
  guard OutputFormat(path: path) == .csv else {
    try writeAtomically(to: path) { temporary in
      do {
        try NPY.write(tensor, to: temporary)
      } catch {
        throw CommandError(oneLine(error).replacingOccurrences(of: temporary, with: path))
      }
    }
    return
  }
  var text = ""
  for r in 0..<tensor.rows {
    text += (0..<tensor.cols).map { String(tensor[r, $0]) }.joined(separator: ",") + "\n"
  }
  try writeAtomically(to: path) { temporary in
    do {
      try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
    } catch {
      throw CommandError("\(path): cannot write the file: \(error.localizedDescription)")
    }
  }
}

/// Results that overflowed float32 are an error, never written or printed as if they were
/// numbers (a model file's weights may be finite and still multiply up beyond float32).
func requireFinite(_ values: [Float], what: String) throws {
  guard let bad = values.firstIndex(where: { !$0.isFinite }) else { return }
  throw CommandError("the \(what) does not fit in 32-bit floats (value \(bad) is \(values[bad])): the model's weights or the data are far outside the range it was trained on; nothing was written")
}

/// One JSON object on one line, keys in a stable order.
func jsonLine(_ pairs: KeyValuePairs<String, Any?>) -> String {
  jsonLine(pairs.map { ($0.key, $0.value) })
}

/// One JSON object on one line, from pairs built up in code (keys in their order).
func jsonLine(_ pairs: [(String, Any?)]) -> String {
  let body = pairs.map { key, value -> String in
    let text: String
    switch value {
    case let v as Double: text = v.isFinite ? String(format: "%.6g", v) : "null"
    case let v as Int: text = String(v)
    case let v as String: text = JSONText.quoted(v)
    case let v as Bool: text = v ? "true" : "false"
    default: text = "null"
    }
    return "\(JSONText.quoted(key)): \(text)"
  }
  return "{" + body.joined(separator: ", ") + "}"
}
