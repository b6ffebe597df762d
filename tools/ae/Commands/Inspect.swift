import ArgumentParser
import Foundation
import Models
import Store

/// `ae inspect`: what a model file holds, as text or as one JSON document.
struct Inspect: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Describe a model file: kind, layers, parameters, scaling, training history.",
    usage: "ae inspect <model.h5> [--json] [--unverified]",
    discussion: "--json prints one JSON object for scripts (its keys are listed in the README), with the checksum status too; the text is for people.")
  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup(title: "Model file") var file: ModelFileOptions
  @Flag(help: "Print one machine-readable JSON object instead of text.") var json = false

  func run() throws {
    let inspected = try InspectedFile.read(modelPath, file)
    if json {
      print(try ModelDescription.json(inspected))
    } else {
      printText(inspected)
    }
  }

  func printText(_ inspected: InspectedFile) {
    let (model, history) = (inspected.model, inspected.history)
    let spec = model.spec
    print("model:      \(modelPath)")
    print("kind:       \(spec.kind.rawValue)")
    print("layers:     \(describe(spec))")
    if let shape = spec.inputShape {
      // A timbre model's (width, 1) rows are one spectral frame: its convolutions run along frequency.
      let what = shape.count == 3 ? "image" : model.pipeline.spectrogram != nil ? "spectral frame" : "frames over time"
      print("input:      \(spec.inputWidth) values (\(shape.map(String.init).joined(separator: "x")) \(what))")
    }
    if spec.isVariational {
      print("latent:     \(spec.codeWidth) (Gaussian posterior from a linear head of \(2 * spec.codeWidth); prior N(0, I); beta \(spec.beta ?? 1))")
    } else {
      print("code:       \(spec.codeWidth) units (\(spec.encoder.last!.activation.rawValue))")
    }
    if let table = model.pipeline.table {
      printTable(table)
    } else if let sound = model.pipeline.spectrogram {
      let axis = switch sound.axis {
      case .harmonic: "ln(|X| + \(sound.floor)) on a pitch-relative axis: \(sound.harmonics) harmonics x \(sound.pointsPerHarmonic) points"
      case .mel: "ln(band + \(sound.floor)), \(sound.mels) mel bands (Slaney, 0 Hz to \(sound.sampleRate / 2) Hz)"
      case .bins: "ln(|X| + \(sound.floor)) \(sound.bins) bins"
      }
      print("sound:      \(sound.sampleRate) Hz, STFT \(sound.fftSize) / hop \(sound.hop) (\(sound.window) window), \(axis)"
        + (sound.condition.map { "; condition: \($0)" } ?? ""))
    } else if let melody = model.pipeline.melody {
      print("melody:     \(melody.bars) bars of \(melody.stepsPerBar) steps, \(melody.vocabulary) tokens per step (hold, rest, pitches \(melody.lowestPitch)...\(melody.highestPitch))")
    } else if spec.conditionWidth > 0 {
      print("classes:    \(spec.conditionWidth) (one-hot label joins the input and the code)")
    }
    print("parameters: \(model.parameters.count)")
    for tensor in model.parameterTensors {
      print("  \(tensor.path) \(tensor.shape.map(String.init).joined(separator: "x"))")
    }
    if spec.dropout > 0 { print("dropout:    \(spec.dropout)") }
    if spec.l1Activity > 0 { print("l1 code:    \(spec.l1Activity)") }
    let scaling = model.scaling
    let low = scaling.offset.min() ?? 0, high = scaling.offset.max() ?? 0
    print("scaling:    \(scaling.method.rawValue) (x - offset) * scale; offset \(low)...\(high), scale \(scaling.scale.min() ?? 1)...\(scaling.scale.max() ?? 1)")
    var anomaly = "anomaly:    \(model.anomaly.score.rawValue) score"
    if let threshold = model.anomaly.threshold, let calibration = model.anomaly.calibration {
      anomaly += ", threshold \(threshold) (\(calibration.rule.rawValue) \(calibration.level) of \(calibration.rows) held-out rows)"
    }
    print(anomaly)
    if history.epochs > 0 {
      let seconds = history.seconds.reduce(0, +)
      var line = "history:    \(history.epochs) epochs, loss \(history.loss.first!) -> \(history.loss.last!)"
      if let v = history.validationLoss.last, let best = history.validationLoss.min() {
        line += ", val_loss \(v) (best \(best))"
      }
      print(line + String(format: ", %.1f s", seconds))
    } else {
      print("history:    none")
    }
  }

  /// Categories listed per column in text; --json lists them all.
  static let shownCategories = 20

  /// A table model's columns, one line each: name, kind, whether sampling can fix it, categories.
  func printTable(_ table: TableSchema) {
    let fixable = table.columns.filter(\.condition).count
    print("table:      \(table.columns.count) columns, a table model (ae augment fit; sample it with ae augment sample)"
      + (fixable > 0 ? "; \(fixable) can be fixed when sampling" : ""))
    let names = table.columns.map { Self.shown($0.name) }
    let nameWidth = min(24, names.map(\.count).max() ?? 0)
    for (column, name) in zip(table.columns, names) {
      var line = "  " + name.padding(toLength: max(nameWidth, name.count), withPad: " ", startingAt: 0)
        + "  " + column.kind.rawValue
      if column.condition { line += ", condition" }
      if column.missing { line += ", missing cells" }
      if let categories = column.categories {
        let shown = categories.prefix(Self.shownCategories).map { $0.isEmpty ? "(missing)" : Self.shown($0) }
        let more = categories.count - shown.count
        line += ": " + shown.joined(separator: ", ") + (more > 0 ? " (+\(more) more)" : "")
      } else if let low = column.minimum, let high = column.maximum {
        line += ": \(low)...\(high)"
      }
      print(line)
    }
  }

  /// A name or label from the file, fit for one line of a terminal: control characters
  /// escaped (a crafted file could hold escape sequences), cut after 60 characters.
  static func shown(_ text: String) -> String {
    let short = text.count > 60 ? String(text.prefix(60)) + "..." : text
    return short.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined()
  }
}

/// A model file read once for `ae inspect`: the model, its history, the file's format
/// attributes and whether it carries ae's checksum (which is always checked when present).
struct InspectedFile {
  let path: String
  let model: Autoencoder
  let history: TrainingHistory
  let formatVersion: Int
  let libraryVersion: String?
  let isSealed: Bool

  static func read(_ path: String, _ options: ModelFileOptions) throws -> InspectedFile {
    try refuseReducedPrecision(options)
    return try explainingUnverified(path) {
      let bytes = try ModelFile.readBytes(path)
      return try bytes.withUnsafeBytes { image in
        let file = try HDF5Group.open(image: image, label: path, verify: !options.unverified)
        defer { file.close() }
        let (model, history) = try ModelFile.read(from: file)
        return InspectedFile(path: path, model: model, history: history, formatVersion: try file.integer("format_version"),
                             libraryVersion: file.hasAttribute("library_version") ? try? file.string("library_version") : nil,
                             isSealed: Integrity.isSealed(image))
      }
    }
  }
}
