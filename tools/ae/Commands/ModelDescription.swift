import Foundation
import Models
import Store

/// `ae inspect --json`: one model file described for scripts. Every key is always present
/// (null when it does not apply), in snake_case; the README lists them.
enum ModelDescription {
  static func json(_ inspected: InspectedFile) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: object(inspected), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }

  static func object(_ inspected: InspectedFile) -> [String: Any] {
    let model = inspected.model, spec = model.spec
    return [
      "file": inspected.path,
      "format": ModelFile.formatName,
      "format_version": inspected.formatVersion,
      "library_version": inspected.libraryVersion ?? NSNull(),
      "checksum": inspected.isSealed ? "verified" : "absent",
      "kind": spec.kind.rawValue,
      "input_width": spec.inputWidth,
      "image_shape": spec.inputShape ?? NSNull(),
      "code_width": spec.codeWidth,
      "classes": spec.labelClasses > 0 ? spec.labelClasses : NSNull(),
      "condition_width": spec.conditionWidth,
      "conditions": spec.conditionGroups.map { ["name": $0.name, "kind": $0.kind.rawValue, "width": $0.width] as [String: Any] },
      "heads": spec.outputHeads.map { head -> [String: Any] in
        ["name": head.name ?? NSNull(), "width": head.width, "activation": head.activation.rawValue, "loss": head.loss.rawValue]
      },
      "loss": spec.loss.rawValue,
      "output_activation": spec.outputActivation.rawValue,
      "scaling": model.scaling.method.rawValue,
      "parameters": model.parameters.count,
      "layers": layers(spec),
      "settings": settings(spec),
      "history": history(inspected.history),
      "anomaly": [
        "score": model.anomaly.score.rawValue, "threshold": model.anomaly.threshold ?? NSNull(),
        "calibration": model.anomaly.calibration.map { c -> [String: Any] in
          ["rule": c.rule.rawValue, "level": c.level, "rows": c.rows, "quantiles": c.quantiles]
        } ?? NSNull(),
      ] as [String: Any],
      "table": table(model.pipeline.table),
      "spectrogram": model.pipeline.spectrogram.map { s -> [String: Any] in
        ["sample_rate": s.sampleRate, "fft_size": s.fftSize, "hop": s.hop, "window": s.window, "floor": Double(s.floor),
         "bins": s.bins, "axis": s.axis.rawValue, "mels": s.mels, "harmonics": s.harmonics, "points_per_harmonic": s.pointsPerHarmonic,
         "condition": s.condition ?? NSNull()]
      } ?? NSNull(),
      "melody": model.pipeline.melody.map { m -> [String: Any] in
        ["bars": m.bars, "steps_per_bar": m.stepsPerBar, "lowest_pitch": m.lowestPitch, "highest_pitch": m.highestPitch,
         "vocabulary": m.vocabulary]
      } ?? NSNull(),
    ]
  }

  /// A table model's columns, or null for other models.
  static func table(_ schema: TableSchema?) -> Any {
    guard let schema else { return NSNull() }
    return ["columns": schema.columns.map { column -> [String: Any] in
      ["name": column.name, "kind": column.kind.rawValue, "categories": column.categories ?? NSNull(),
       "condition": column.condition, "missing": column.missing,
       "minimum": finite(column.minimum), "maximum": finite(column.maximum)]
    }]
  }

  /// Encoder then decoder layers; dense layers' shapes are their widths. Kernel and stride are
  /// (height, width) pairs, as the spec holds them (height 1 for 1-D convolutions); padding too,
  /// or (top, left, bottom, right) when the sides differ.
  static func layers(_ spec: ModelSpec) -> [[String: Any]] {
    var described: [[String: Any]] = []
    for (part, layers, start) in [("encoder", spec.encoder, spec.encoderInputWidth), ("decoder", spec.decoder, spec.decoderInputWidth)] {
      var width = start
      for (index, layer) in layers.enumerated() {
        described.append([
          "part": part, "index": index, "kind": layer.kind.rawValue, "units": layer.units, "activation": layer.activation.rawValue,
          "kernel": layer.kernel ?? NSNull(), "stride": layer.stride ?? NSNull(), "padding": layer.padding ?? NSNull(),
          "input_shape": layer.inputShape ?? [width], "output_shape": layer.outputShape ?? [layer.units],
        ])
        width = layer.units
      }
    }
    return described
  }

  /// What the kind and the regularizers were set to.
  static func settings(_ spec: ModelSpec) -> [String: Any] {
    [
      "dropout": number(spec.dropout),
      "l1_activity": number(spec.l1Activity),
      "noise": spec.noise.map { ["kind": $0.kind.rawValue, "level": number($0.level)] as [String: Any] } ?? NSNull(),
      "kl_sparsity": spec.klSparsity.map { ["target": number($0.target), "weight": number($0.weight)] } ?? NSNull(),
      "contractive": spec.contractive.map(number) ?? NSNull(),
      "beta": spec.isVariational ? number(spec.beta ?? 1) : NSNull(),
      "kl_warmup_epochs": spec.isVariational ? spec.klWarmupEpochs ?? 0 : NSNull(),
    ]
  }

  /// The training history summed up, or null for a file without one.
  static func history(_ history: TrainingHistory) -> Any {
    guard history.epochs > 0 else { return NSNull() }
    let validation = history.validationLoss
    let best = validation.indices.filter { validation[$0].isFinite }.min { validation[$0] < validation[$1] }
    return [
      "epochs": history.epochs,
      "first_loss": finite(history.loss.first),
      "last_loss": finite(history.loss.last),
      "last_val_loss": finite(validation.last),
      "best_val_loss": finite(best.map { validation[$0] }),
      "best_epoch": best.map { $0 + 1 } ?? NSNull(),
      "seconds": history.seconds.filter(\.isFinite).reduce(0, +),
    ] as [String: Any]
  }

  /// A Float as the decimal it prints as (0.1, not 0.10000000149011612).
  static func number(_ value: Float) -> Any { value.isFinite ? Double("\(value)")! : NSNull() }

  static func finite(_ value: Double?) -> Any { value.flatMap { $0.isFinite ? $0 : nil } ?? NSNull() }
}
