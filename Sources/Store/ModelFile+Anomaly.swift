import Foundation
import Models

/// `/anomaly`: how the model scores rows and, once calibrated, its threshold, as the JSON
/// attribute `anomaly` (`AnomalySettings`). Files without the group score by their loss, as
/// they did when they were written.
extension ModelFile {
  static func writeAnomaly(_ settings: AnomalySettings, into file: HDF5Group) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let text = String(decoding: try encoder.encode(settings), as: UTF8.self)
    let group = try file.createGroup("anomaly")
    try group.setAttribute("anomaly", text)
    if let codes = settings.codes {
      try group.write("code_mean", floats: codes.mean)
      try group.write("code_whitening", floats: codes.whitening, shape: [codes.width, codes.width])
      try group.write("code_neighbours", floats: codes.neighbours, shape: [codes.neighbourRows, codes.width])
    }
  }

  /// The settings, checked on their own and against the code width (`problems(pipeline:)`
  /// checks them against the pipeline). The code distribution is read only at the shape a
  /// code `codeWidth` wide needs, so a crafted extent allocates nothing.
  public static func readAnomaly(from file: HDF5Group, codeWidth: Int) throws -> AnomalySettings {
    guard file.contains("anomaly") else { return .legacy }
    let group = try file.openGroup("anomaly")
    let text = try group.string("anomaly")
    var settings: AnomalySettings
    do { settings = try JSONDecoder().decode(AnomalySettings.self, from: Data(text.utf8)) } catch {
      throw StoreError("\(group.label): the 'anomaly' attribute is not anomaly settings (\(error))")
    }
    if group.contains("code_mean") || group.contains("code_whitening") || group.contains("code_neighbours") {
      let k = codeWidth
      let stored = try group.info("code_neighbours").shape
      let m = stored.count == 2 ? stored[0] : 0
      guard stored.count == 2, stored[1] == k, m <= AnomalySettings.TrainingCodes.neighbourLimit else {
        throw StoreError("\(group.label): dataset 'code_neighbours' has shape \(stored); expected (rows <= \(AnomalySettings.TrainingCodes.neighbourLimit), \(k))")
      }
      var mean = [Float](repeating: 0, count: k), whitening = [Float](repeating: 0, count: k * k)
      var neighbours = [Float](repeating: 0, count: m * k)
      try mean.withUnsafeMutableBufferPointer { try group.read("code_mean", into: $0.baseAddress!, shape: [k]) }
      try whitening.withUnsafeMutableBufferPointer { try group.read("code_whitening", into: $0.baseAddress!, shape: [k, k]) }
      if m > 0 { try neighbours.withUnsafeMutableBufferPointer { try group.read("code_neighbours", into: $0.baseAddress!, shape: [m, k]) } }
      settings.codes = AnomalySettings.TrainingCodes(mean: mean, whitening: whitening, neighbours: neighbours)
    }
    let found = settings.problems(pipeline: nil, codeWidth: codeWidth)
    guard found.isEmpty else {
      throw StoreError("\(group.label): the anomaly settings are unusable: " + found.prefix(5).joined(separator: "; "))
    }
    return settings
  }
}
