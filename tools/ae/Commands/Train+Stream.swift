import ArgumentParser
import Datasets
import Foundation
import Models
import Runtime
import Tensor
import Training
#if canImport(Glibc)
import Glibc
#endif

/// `ae train --stream`: data larger than memory, read from disk block by block.
///
/// Memory is bounded whatever the data's size: a shuffle window (--shuffle-buffer rows, from
/// random blocks of at most 4096 rows and 4 MiB), one block, and two samples of about 20,000
/// rows each (at most 32 MiB each, kept raw and scaled): the held-out validation rows (the
/// --validation fraction, capped) and training rows for the anomaly score's statistics. The
/// scaling is fitted in one pass over the data (two for standard), as the in-memory path fits
/// it, with the same sums.
extension Train {
  /// Rows kept in memory for validation, and for the training codes' statistics (about: the
  /// rows are chosen by a hash, each with the same chance), and their bytes at most.
  static let streamedSampleRows = 20_000
  static let streamedSampleBytes = 32 << 20

  func checkStreaming() throws {
    if architecture.model == .cvae { throw ValidationError("--stream trains unconditional models; a cvae trains in memory (its labels are read with the data)") }
    if data.labels != nil || data.labelColumn != nil { throw ValidationError("--stream reads no labels: drop --labels and --label-column") }
    if data.limit != nil { throw ValidationError("--stream reads every row: drop --limit (or save the rows you want as .npy)") }
    if output.resume != nil { throw ValidationError("--stream does not resume from checkpoints yet: train again, or train in memory") }
    if fitting.pretrain != nil { throw ValidationError("--pretrain runs in memory: drop it with --stream") }
    // A streamed run holds out other rows than an in-memory one: its checkpoints could not be
    // resumed either way without changing which rows train.
    if output.checkpoint != nil { throw ValidationError("--stream does not write checkpoints yet: drop --checkpoint") }
  }

  func runStreaming(_ progress: ProgressPrinter?) throws {
    let source = try data.rowSource()
    let d = source.width
    let shape = try data.parsedImageShape() ?? data.parsedFrames() ?? source.imageShape
    if let shape, shape.reduce(1, *) != d {
      throw ValidationError("--image-shape/--frames holds \(shape.reduce(1, *)) values but the rows of \(source.name) have \(d)")
    }
    let spec = try modelSpec(inputWidth: d, inputShape: shape, classes: nil)
    let autoencoder = try Autoencoder(spec: spec, seed: fitting.seed)
    try checkMemory(rows: autoencoder.parameters.count, values: 1, copies: 5, what: "training \(autoencoder.parameters.count) parameters")
    let options = fitting.trainingOptions
    let rowBytes = 4 * d
    let blockRows = max(1, min(4096, (4 << 20) / rowBytes))
    let cap = max(1, min(Self.streamedSampleRows, Self.streamedSampleBytes / rowBytes))
    let validationFraction = min(options.validationFraction, Double(cap) / Double(source.rows))
    if validationFraction < options.validationFraction {
      progress?.message("holding out about \(cap) rows for validation (--validation \(options.validationFraction) of \(source.rows) rows would be \(Int(options.validationFraction * Double(source.rows))); streamed runs keep a bounded sample)")
    }
    let heldOut = RowSelection(seed: options.seed, fraction: validationFraction, stream: 0x5EED)
    let sampled = RowSelection(seed: options.seed, fraction: min(1, Double(cap) / Double(source.rows)), stream: 0x5A3F)

    // The scaling's passes; the first also keeps the held-out rows and the sample (raw).
    progress?.message("reading \(source.rows) rows of \(d) values from \(source.name) for the scaling")
    var fitter = Scaling.Fitter(method: architecture.scale, width: d, isByteData: source.isByteData)
    var validation: [Float] = [], sample: [Float] = []
    var trainingRows = 0
    // Each column's smallest and largest raw value: the scaled range corrupted inputs are clipped to.
    var low = [Float](repeating: .infinity, count: d), high = [Float](repeating: -.infinity, count: d)
    let block = Tensor(rows: blockRows, cols: d)
    for pass in 0..<max(1, fitter.passes) {
      for first in stride(from: 0, to: source.rows, by: blockRows) {
        let count = min(blockRows, source.rows - first)
        try source.read(first: first, count: count, into: block.data)
        if pass < fitter.passes { fitter.observe(block.data, rows: count, pass: pass) }
        guard pass == 0 else { continue }
        for r in 0..<count {
          let values = UnsafeBufferPointer(start: block.row(r), count: d)
          for j in 0..<d { low[j] = min(low[j], values[j]); high[j] = max(high[j], values[j]) }
          if heldOut.contains(first + r) {
            validation += values
          } else {
            trainingRows += 1
            if sampled.contains(first + r) { sample += values }
          }
        }
      }
      fitter.finishPass(pass)
    }
    guard trainingRows > 0 else { throw CommandError("\(source.name): no training rows left after the validation split") }
    if anomaly.calibration != nil && validation.isEmpty {
      throw CommandError("\(source.name): --calibrate and --contamination read the threshold from held-out rows, and --validation \(options.validationFraction) of \(source.rows) rows held out none: raise --validation")
    }
    autoencoder.scaling = fitter.scaling()
    let scaledLow = Tensor(rows: 1, cols: d, values: low), scaledHigh = Tensor(rows: 1, cols: d, values: high)
    autoencoder.scaling.apply(to: scaledLow)
    autoencoder.scaling.apply(to: scaledHigh)
    let valueRange = min(scaledLow.values.min()!, scaledHigh.values.min()!)...max(scaledLow.values.max()!, scaledHigh.values.max()!)
    let rawValidation = Tensor(rows: validation.count / d, cols: d), rawSample = Tensor(rows: sample.count / d, cols: d)
    rawValidation.data.update(from: validation, count: validation.count)
    rawSample.data.update(from: sample, count: sample.count)
    (validation, sample) = ([], [])
    let scaledValidation = rawValidation.copy(), scaledSample = rawSample.copy()
    autoencoder.scaling.apply(to: scaledValidation)
    autoencoder.scaling.apply(to: scaledSample)

    // The window: --shuffle-buffer rows, or 64 MiB of rows; never more than the data holds.
    let window = min(streaming.shuffleBuffer ?? max(blockRows, (64 << 20) / rowBytes), trainingRows)
    try checkMemory(rows: window + 2 * blockRows, values: d, copies: 1, what: "a shuffle window of \(window) rows of \(d) values")
    let rows = StreamedRows(windows: ShuffledWindows(source: source, heldOut: heldOut, windowRows: window,
                                                     blockRows: blockRows, seed: options.seed),
                            count: trainingRows, scaling: autoencoder.scaling)
    let trainer = Trainer(model: autoencoder, options: options)
    trainer.checkpointDirectory = output.checkpoint
    trainer.progress = progress
    progress?.message("training \(describe(spec)) on \(trainingRows) rows streamed from \(source.name), \(rawValidation.rows) held out (\(autoencoder.parameters.count) parameters, shuffle window \(window) rows)")
    let result = try trainer.fit(streaming: rows, validation: rawValidation.rows > 0 ? scaledValidation : nil, sample: scaledSample,
                                 valueRange: valueRange)

    autoencoder.anomaly = try anomalySettings(autoencoder, trainingRows: rawSample, labels: nil)
    if let calibration = anomaly.calibration {
      autoencoder.anomaly = try calibrate(autoencoder, validationRows: rawValidation, labels: nil, calibration)
    }
    try saveTrainedModel(autoencoder, history: result.history, to: output.out)
    var summary = Self.summary(of: result, autoencoder, savedTo: output.out) + [
      ("rows", source.rows), ("training_rows", trainingRows), ("held_out_rows", rawValidation.rows), ("shuffle_window", window),
      ("max_rss_mb", peakResidentMegabytes()),
    ]
    if let reader = source as? HDF5RowReader { summary.append(("reader_max_rss_mb", reader.readerPeakMegabytes)) }
    print(jsonLine(summary))
  }
}

/// The training rows of a streamed source, scaled, in shuffled windows (see ShuffledWindows).
struct StreamedRows: StreamedTrainingRows {
  let windows: ShuffledWindows
  let count: Int
  let scaling: Scaling
  var width: Int { windows.source.width }

  func windows(epoch: Int, _ body: (UnsafeMutablePointer<Float>, Int) throws -> Void) throws {
    try windows.forEachWindow(epoch: epoch, prepare: { values, rows in scaling.apply(values, rows: rows, into: values) }, body)
  }
}

/// A process's peak resident set in MiB (this one's by default): VmHWM, which starts afresh
/// with the program (getrusage's ru_maxrss also counts the image before exec, such as a large
/// parent's fork).
func peakResidentMegabytes(process: String = "self") -> Double? {
  guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else {
    return nil
  }
  return kilobytes / 1024
}
