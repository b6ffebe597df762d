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
    try file.createGroup("anomaly").setAttribute("anomaly", text)
  }

  /// The settings, checked on their own (`problems(pipeline:)` checks them against the model).
  public static func readAnomaly(from file: HDF5Group) throws -> AnomalySettings {
    guard file.contains("anomaly") else { return .legacy }
    let group = try file.openGroup("anomaly")
    let text = try group.string("anomaly")
    let settings: AnomalySettings
    do { settings = try JSONDecoder().decode(AnomalySettings.self, from: Data(text.utf8)) } catch {
      throw StoreError("\(group.label): the 'anomaly' attribute is not anomaly settings (\(error))")
    }
    let found = settings.problems(pipeline: nil)
    guard found.isEmpty else {
      throw StoreError("\(group.label): the anomaly settings are unusable: " + found.prefix(5).joined(separator: "; "))
    }
    return settings
  }
}
