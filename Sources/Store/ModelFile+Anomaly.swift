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
    if group.contains("code_mean") || group.contains("code_whitening") {
      let k = codeWidth
      var mean = [Float](repeating: 0, count: k), whitening = [Float](repeating: 0, count: k * k)
      try mean.withUnsafeMutableBufferPointer { try group.read("code_mean", into: $0.baseAddress!, shape: [k]) }
      try whitening.withUnsafeMutableBufferPointer { try group.read("code_whitening", into: $0.baseAddress!, shape: [k, k]) }
      settings.codes = AnomalySettings.CodeDistribution(mean: mean, whitening: whitening)
    }
    let found = settings.problems(pipeline: nil, codeWidth: codeWidth)
    guard found.isEmpty else {
      throw StoreError("\(group.label): the anomaly settings are unusable: " + found.prefix(5).joined(separator: "; "))
    }
    return settings
  }
}
