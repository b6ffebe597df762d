import CVector
import Layers
#if canImport(Glibc)
import Glibc
#endif
import Models
import Store
import Tensor

/// Why an inference call was refused; `kind` maps to a C status.
public struct InferenceError: Error, CustomStringConvertible, Sendable {
  /// `nonFinite`: an input holds NaN or infinity, or a result does not fit in Float (the
  /// call then set every value of its outputs to NaN). `overflow`: a size whose product does
  /// not fit in Int. (Allocations that fail throw `AllocationError`.)
  public enum Kind: Sendable { case invalidArgument, nonFinite, overflow, workspace, unsupported }
  public let kind: Kind
  public let description: String
  public init(_ kind: Kind, _ description: String) { self.kind = kind; self.description = description }
}

/// A trained model that only runs forward: immutable after loading, so one instance serves
/// any number of threads at once, each with its own `Workspace`.
///
/// Every call takes raw rows in the data's units, applies the stored scaling, and (for
/// `decode`/`reconstruct`) returns data in the same units. HDF5 is touched only by `load`.
public final class InferenceModel: @unchecked Sendable {
  /// One layer's operation and its place in `weights`.
  struct LayerPlan {
    enum Operation {
      case dense
      case convolution(ConvGeometry, filters: Int)
      case transposedConvolution(ConvGeometry, inputChannels: Int)
    }
    let operation: Operation
    let inputWidth: Int
    let outputWidth: Int
    let activation: Activation
    let kernelOffset: Int
    let biasOffset: Int

    /// Scratch values per row for the im2col patches of a convolution (0 for dense layers).
    var columnsPerRow: Int {
      switch operation {
      case .dense: 0
      case .convolution(let g, _), .transposedConvolution(let g, _): g.positions * g.patchSize
      }
    }
  }

  public let spec: ModelSpec
  public let scalingMethod: Scaling.Method
  /// Per-feature offset and scale: x' = (x - offset) * scale.
  public let offset: UnsafeMutablePointer<Float>
  public let scale: UnsafeMutablePointer<Float>
  private let weights: UnsafeMutablePointer<Float>
  /// Owns the memory behind `weights`, `offset` and `scale`.
  private let storage: [FloatBuffer]
  /// `gaussian` loss: the learned log-variance per feature, inside `weights` (for `score`).
  private let logVariance: UnsafePointer<Float>?
  private let encoderPlan: [LayerPlan]
  private let decoderPlan: [LayerPlan]
  /// The widest activation any layer produces or reads.
  let maxWidth: Int
  /// The most im2col scratch values any convolution needs per row.
  let maxColumns: Int

  public var inputWidth: Int { spec.inputWidth }
  public var codeWidth: Int { spec.codeWidth }
  /// Whether the model can generate: a VAE, whose codes follow the N(0, I) prior.
  public var canSample: Bool { spec.isVariational }
  /// Classes of a conditional model (0 for the others).
  public var classCount: Int { spec.conditionWidth }

  /// Conditional models need a label for every row, which these calls do not take.
  private func requireUnconditional(_ what: String) throws {
    guard classCount == 0 else {
      throw InferenceError(.unsupported, "\(what) on a conditional (cvae) model needs labels; sample by class instead")
    }
  }
  /// Layers, encoder and decoder: dense, convolution and transposed convolution alike.
  public var layerCount: Int { encoderPlan.count + decoderPlan.count }

  /// A forward-only copy of a trained model.
  public convenience init(_ model: Autoencoder) throws {
    let weights = try FloatBuffer(count: model.parameters.count, for: "the model's weights")
    weights.pointer.initialize(from: model.parameters.values, count: model.parameters.count)
    try self.init(spec: model.spec, scaling: model.scaling, weights: weights)
  }

  /// A forward-only model over `weights`, laid out as `spec.parameterLayout` says.
  init(spec: ModelSpec, scaling: Scaling, weights: FloatBuffer) throws {
    let d = spec.inputWidth
    let offsetStorage = try FloatBuffer(count: d, for: "the input scaling")
    let scaleStorage = try FloatBuffer(count: d, for: "the input scaling")
    offsetStorage.pointer.initialize(from: scaling.offset, count: d)
    scaleStorage.pointer.initialize(from: scaling.scale, count: d)
    storage = [weights, offsetStorage, scaleStorage]
    self.weights = weights.pointer
    offset = offsetStorage.pointer
    scale = scaleStorage.pointer
    self.spec = spec
    scalingMethod = scaling.method
    var offsets: [String: Int] = [:], next = 0
    for entry in spec.parameterLayout {
      offsets[entry.path] = next
      next += entry.shape.reduce(1, *)
    }
    logVariance = offsets[ModelSpec.logVariancePath].map { UnsafePointer(weights.pointer + $0) }

    func plan(_ part: String, _ layers: [LayerSpec], inputWidth: Int, isDecoder: Bool) -> [LayerPlan] {
      var width = inputWidth
      return layers.enumerated().map { i, layer in
        let group = "\(part)/" + ModelSpec.layerGroupName(index: i, type: layer.type)
        // The decoder's last layer yields logits; the output activation is applied after.
        let activation = isDecoder && i == layers.count - 1 ? Activation.linear : layer.activation
        defer { width = layer.units }
        var operation = LayerPlan.Operation.dense
        if let geometry = layer.geometry, let input = layer.inputShape, let output = layer.outputShape {
          operation = layer.type == LayerSpec.convolutionType
            ? .convolution(geometry, filters: output[2]) : .transposedConvolution(geometry, inputChannels: input[2])
        }
        return LayerPlan(operation: operation, inputWidth: width, outputWidth: layer.units, activation: activation,
                         kernelOffset: offsets[group + "/kernel"] ?? 0, biasOffset: offsets[group + "/bias"] ?? 0)
      }
    }
    encoderPlan = plan("encoder", spec.encoder, inputWidth: spec.encoderInputWidth, isDecoder: false)
    decoderPlan = plan("decoder", spec.decoder, inputWidth: spec.decoderInputWidth, isDecoder: true)
    maxWidth = ([spec.encoderInputWidth, spec.decoderInputWidth] + (spec.encoder + spec.decoder).map(\.units)).max()!
    maxColumns = (encoderPlan + decoderPlan).map(\.columnsPerRow).max() ?? 0
  }

  /// Load a model file (HDF5 is used here and nowhere else in this type). `verify` false
  /// also reads files that carry no checksum (see `Integrity`).
  public static func load(path: String, verify: Bool = true) throws -> InferenceModel {
    let file = try HDF5Group.open(file: path, verify: verify)
    defer { file.close() }
    return try load(from: file)
  }

  /// Load a model from the bytes of a model file.
  public static func load(image: UnsafeRawBufferPointer, verify: Bool = true) throws -> InferenceModel {
    let file = try HDF5Group.open(image: image, verify: verify)
    defer { file.close() }
    return try load(from: file)
  }

  /// Straight from the file into the runtime's own weight buffer: no training model (and
  /// none of its gradients and scratch) is built, and the one large allocation may fail
  /// with a status instead of ending the process.
  private static func load(from file: HDF5Group) throws -> InferenceModel {
    let spec = try ModelFile.readSpec(from: file)
    let count = spec.parameterLayout.reduce(0) { $0 + $1.shape.reduce(1, *) }
    let weights = try FloatBuffer(count: count, for: "the model's weights")
    try ModelFile.readParameters(from: file, spec: spec, into: weights.pointer)
    return try InferenceModel(spec: spec, scaling: try ModelFile.readScaling(from: file, spec: spec), weights: weights)
  }

  /// Scratch memory for up to `maxRows` rows per pass; larger calls run in passes. Throws
  /// `overflow` when its size does not fit in Int, `AllocationError` when it exceeds physical
  /// memory or cannot be allocated.
  public func makeWorkspace(maxRows: Int) throws -> Workspace {
    try Workspace(model: self, maxRows: maxRows)
  }

  // MARK: Compute

  /// Codes (rows, codeWidth) for raw inputs (rows, inputWidth).
  ///
  /// Conditional (cvae) models need `labels`, one class per row in 0..<classCount; the
  /// other models take none. The same holds for `decode`, `reconstruct` and `score`.
  public func encode(
    _ x: UnsafePointer<Float>, rows: Int, labels: UnsafePointer<Int32>? = nil, into z: UnsafeMutablePointer<Float>,
    workspace: Workspace
  ) throws {
    try validate("encode", x, rows: rows, what: "input", labels: labels, workspace)
    try passes("encode", rows, workspace, (z, codeWidth, "codes")) { start, n in
      let head = runEncoder(x + start * inputWidth, rows: n, labels: labels.map { $0 + start }, workspace)
      let code = codes(head, rows: n, workspace)
      (z + start * codeWidth).update(from: code, count: n * codeWidth)
    }
  }

  /// VAE: posterior means and log-variances (rows, codeWidth) each for raw inputs.
  public func encodeDistribution(
    _ x: UnsafePointer<Float>, rows: Int, mean: UnsafeMutablePointer<Float>, logVariance: UnsafeMutablePointer<Float>,
    workspace: Workspace
  ) throws {
    try check(workspace)
    try requireUnconditional("encodeDistribution")
    guard canSample else { throw InferenceError(.unsupported, "a \(spec.kind.rawValue) model has no posterior distribution; only a vae has") }
    try checkFinite(x, count: rows * inputWidth, what: "input")
    let k = codeWidth
    try passes("encodeDistribution", rows, workspace, (mean, k, "means"), (logVariance, k, "log-variances")) { start, n in
      let head = runEncoder(x + start * inputWidth, rows: n, workspace)
      for r in 0..<n {
        (mean + (start + r) * k).update(from: head + r * 2 * k, count: k)
        (logVariance + (start + r) * k).update(from: head + r * 2 * k + k, count: k)
      }
    }
  }

  /// VAE: `rows` new samples in raw units: codes z ~ N(0, temperature^2 I) drawn from `seed`
  /// (the same seed gives the same samples, whatever the workspace or thread), then decoded.
  /// The codes go to `codes` too when it is given.
  ///
  /// Conditional models need `label` (in 0..<classCount): every row is drawn for that class.
  public func sample(
    rows: Int, seed: UInt64, temperature: Float, label: Int? = nil, into x: UnsafeMutablePointer<Float>,
    codes: UnsafeMutablePointer<Float>?, workspace: Workspace
  ) throws {
    try check(workspace)
    guard canSample else { throw InferenceError(.unsupported, "a \(spec.kind.rawValue) model cannot sample; only a vae can") }
    if classCount > 0 {
      guard let label else { throw InferenceError(.unsupported, "a conditional (cvae) model samples by class: pass a label (ae sample --class, ae_sample_class, sample(label=))") }
      guard (0..<classCount).contains(label) else {
        throw InferenceError(.invalidArgument, "class \(label) is outside 0..<\(classCount)")
      }
    } else if label != nil {
      throw InferenceError(.unsupported, "a \(spec.kind.rawValue) model has no classes; sample without a label")
    }
    guard temperature.isFinite, temperature >= 0 else {
      throw InferenceError(.invalidArgument, "temperature must be finite and >= 0, got \(temperature)")
    }
    var random = SeededRandom(seed: seed)
    let k = codeWidth
    let width = spec.decoderInputWidth
    try checkedPasses("sample", rows, workspace, (x, inputWidth, "samples"), codes.map { ($0, k, "codes") }) { start, n in
      let z = workspace.a
      for r in 0..<n {
        let row = z + r * width
        for j in 0..<k { row[j] = temperature * random.gaussian() }
        if let label { writeOneHot(label, into: row + k) }
        codes.map { ($0 + (start + r) * k).update(from: row, count: k) }
      }
      // The drawn codes overflow for a huge temperature even when the caller does not ask for them.
      if let bad = firstNonFinite(z, rows: n, width: k, stride: width) {
        return (start + bad.row, bad.column, z[bad.row * width + bad.column], "drawn codes")
      }
      let logits = run(decoderPlan, from: z, rows: n, workspace)
      writeOutput(logits, rows: n, into: x + start * inputWidth)
      return nil
    }
  }

  /// Decode `steps` codes on the path from `a` to `b` (codeWidth values each): straight, or
  /// along the great circle (slerp, better for Gaussian codes) when `spherical`.
  public func interpolate(
    from a: UnsafePointer<Float>, to b: UnsafePointer<Float>, steps: Int, spherical: Bool,
    into x: UnsafeMutablePointer<Float>, workspace: Workspace
  ) throws {
    try check(workspace)
    try requireUnconditional("interpolate")
    guard steps >= 2 else { throw InferenceError(.invalidArgument, "interpolation needs at least 2 steps, got \(steps)") }
    try checkFinite(a, count: codeWidth, what: "code")
    try checkFinite(b, count: codeWidth, what: "code")
    let k = codeWidth
    var dot = 0.0, normA = 0.0, normB = 0.0
    for j in 0..<k {
      dot += Double(a[j]) * Double(b[j]); normA += Double(a[j] * a[j]); normB += Double(b[j] * b[j])
    }
    let cosine = dot / max((normA * normB).squareRoot(), 1e-30)
    let angle = acos(min(max(cosine, -1), 1))
    try checkedPasses("interpolate", steps, workspace, (x, inputWidth, "rows")) { start, n in
      let z = workspace.a
      for r in 0..<n {
        let t = Double(start + r) / Double(steps - 1)
        var wa = 1 - t, wb = t
        if spherical && angle > 1e-6 {
          wa = sin((1 - t) * angle) / sin(angle)
          wb = sin(t * angle) / sin(angle)
        }
        for j in 0..<k { z[r * k + j] = Float(wa * Double(a[j]) + wb * Double(b[j])) }
      }
      if let bad = firstNonFinite(z, rows: n, width: k, stride: k) {
        return (start + bad.row, bad.column, z[bad.row * k + bad.column], "codes on the path")
      }
      let logits = run(decoderPlan, from: z, rows: n, workspace)
      writeOutput(logits, rows: n, into: x + start * inputWidth)
      return nil
    }
  }

  /// Reconstructions (rows, inputWidth) in raw units for codes (rows, codeWidth).
  public func decode(
    _ z: UnsafePointer<Float>, rows: Int, labels: UnsafePointer<Int32>? = nil, into x: UnsafeMutablePointer<Float>,
    workspace: Workspace
  ) throws {
    try validate("decode", z, rows: rows, what: "code", labels: labels, workspace)
    try passes("decode", rows, workspace, (x, inputWidth, "reconstructions")) { start, n in
      let input = decoderInput(z + start * codeWidth, rows: n, labels: labels.map { $0 + start }, into: workspace.a)
      let logits = run(decoderPlan, from: input, rows: n, workspace)
      writeOutput(logits, rows: n, into: x + start * inputWidth)
    }
  }

  /// Reconstructions in raw units for raw inputs.
  public func reconstruct(
    _ x: UnsafePointer<Float>, rows: Int, labels: UnsafePointer<Int32>? = nil, into y: UnsafeMutablePointer<Float>,
    workspace: Workspace
  ) throws {
    try validate("reconstruct", x, rows: rows, what: "input", labels: labels, workspace)
    try passes("reconstruct", rows, workspace, (y, inputWidth, "reconstructions")) { start, n in
      let logits = runAutoencoder(x + start * inputWidth, rows: n, labels: labels.map { $0 + start }, workspace)
      writeOutput(logits, rows: n, into: y + start * inputWidth)
    }
  }

  /// Anomaly scores: each row's reconstruction loss in the model's own loss (BCE summed over
  /// features, or squared error summed over features), on the scaled values.
  public func score(
    _ x: UnsafePointer<Float>, rows: Int, labels: UnsafePointer<Int32>? = nil, into scores: UnsafeMutablePointer<Float>,
    workspace: Workspace
  ) throws {
    try validate("score", x, rows: rows, what: "input", labels: labels, workspace)
    try passes("score", rows, workspace, (scores, 1, "scores")) { start, n in
      let logits = runAutoencoder(x + start * inputWidth, rows: n, labels: labels.map { $0 + start }, workspace)
      spec.loss.rowLosses(logits: logits, activation: spec.outputActivation, target: workspace.scaled,
                          rows: n, width: inputWidth, logVariance: logVariance, into: scores + start)
    }
  }

  // MARK: Internals

  /// The checks every data-taking call makes: its workspace, labels exactly when the model is
  /// conditional (each in range), and finite values in its `rows` rows of input ("input") or
  /// codes ("code").
  private func validate(
    _ name: String, _ values: UnsafePointer<Float>, rows: Int, what: String, labels: UnsafePointer<Int32>?,
    _ workspace: Workspace
  ) throws {
    try check(workspace)
    if let labels {
      guard classCount > 0 else {
        throw InferenceError(.unsupported, "\(name): a \(spec.kind.rawValue) model has no classes; call it without labels")
      }
      for r in 0..<rows where !(0..<Int32(classCount)).contains(labels[r]) {
        throw InferenceError(.invalidArgument, "\(name): label \(labels[r]) of row \(r) is outside 0..<\(classCount)")
      }
    } else if classCount > 0 {
      throw InferenceError(.unsupported, "\(name) on a conditional (cvae) model needs a label per row (the _labeled calls, labels=)")
    }
    try checkFinite(values, count: rows * (what == "code" ? codeWidth : inputWidth), what: what)
  }

  private func check(_ workspace: Workspace) throws {
    guard workspace.model === self else {
      throw InferenceError(.workspace, "the workspace was made for another model")
    }
  }

  private func checkFinite(_ values: UnsafePointer<Float>, count: Int, what: String) throws {
    guard VectorMath.containsNonFinite(values, count: count) else { return }
    let width = what == "code" ? codeWidth : inputWidth
    for i in 0..<count where !values[i].isFinite {
      throw InferenceError(.nonFinite, "\(what) row \(i / width), column \(i % width) is \(values[i]); values must be finite")
    }
  }

  /// An output of a call: `rows` rows of `width` values at `values`, called `what`.
  typealias Output = (values: UnsafeMutablePointer<Float>, width: Int, what: String)

  /// Run `body(firstRow, rowCount)` over passes of at most the workspace's row count, then
  /// check each pass's results in `first` and `second`: finite inputs can still give results
  /// that do not fit in Float (a huge input or code times a weight), which must not pass as
  /// success. On the first non-finite result every value of both outputs is set to NaN and
  /// the call throws `nonFinite`.
  @inline(__always)
  private func passes(
    _ name: String, _ rows: Int, _ workspace: Workspace, _ first: Output, _ second: Output? = nil,
    _ body: (Int, Int) -> Void
  ) throws {
    try checkedPasses(name, rows, workspace, first, second) { start, n in
      body(start, n)
      return nil
    }
  }

  /// `passes` for a body that checks values of its own: it returns the first non-finite one
  /// it found (row, column, value and what it was), or nil.
  @inline(__always)
  private func checkedPasses(
    _ name: String, _ rows: Int, _ workspace: Workspace, _ first: Output, _ second: Output? = nil,
    _ body: (Int, Int) -> (row: Int, column: Int, value: Float, what: String)?
  ) throws {
    var start = 0
    while start < rows {
      let n = min(workspace.maxRows, rows - start)
      var bad = body(start, n)
      if bad == nil { bad = nonFinite(first, start, n) }
      if bad == nil, let second { bad = nonFinite(second, start, n) }
      if let bad {
        first.values.update(repeating: .nan, count: rows * first.width)
        second.map { $0.values.update(repeating: .nan, count: rows * $0.width) }
        throw InferenceError(.nonFinite, "\(name): the result does not fit in 32-bit floats: row \(bad.row), column \(bad.column) of the \(bad.what) is \(bad.value) although the input was finite (values too large for this model); every output value was set to NaN")
      }
      start += n
    }
  }

  /// The first non-finite value among rows `start ..< start + n` of `output`, or nil.
  @inline(__always)
  private func nonFinite(_ output: Output, _ start: Int, _ n: Int) -> (row: Int, column: Int, value: Float, what: String)? {
    let pass = output.values + start * output.width
    guard let found = firstNonFinite(pass, rows: n, width: output.width, stride: output.width) else { return nil }
    return (start + found.row, found.column, pass[found.row * output.width + found.column], output.what)
  }

  /// The first non-finite value among `rows` rows of `width` values `stride` apart, or nil.
  @inline(__always)
  private func firstNonFinite(_ values: UnsafePointer<Float>, rows: Int, width: Int, stride: Int) -> (row: Int, column: Int)? {
    if stride == width {
      guard VectorMath.containsNonFinite(values, count: rows * width) else { return nil }
    }
    for r in 0..<rows {
      for j in 0..<width where !values[r * stride + j].isFinite { return (r, j) }
    }
    return nil
  }

  /// Scale raw rows into `workspace.scaled` and run the encoder; returns its output (the
  /// head). Conditional models read each scaled row with its one-hot label appended.
  private func runEncoder(
    _ x: UnsafePointer<Float>, rows n: Int, labels: UnsafePointer<Int32>? = nil, _ workspace: Workspace
  ) -> UnsafeMutablePointer<Float> {
    let d = inputWidth, s = workspace.scaled
    for r in 0..<n {
      let from = x + r * d, to = s + r * d
      for j in 0..<d { to[j] = (from[j] - offset[j]) * scale[j] }
    }
    guard let labels else { return run(encoderPlan, from: s, rows: n, workspace) }
    let width = spec.encoderInputWidth, input = workspace.a
    for r in 0..<n {
      let row = input + r * width
      row.update(from: s + r * d, count: d)
      writeOneHot(Int(labels[r]), into: row + d)
    }
    return run(encoderPlan, from: input, rows: n, workspace)
  }

  /// Encoder, then decoder (on the code and, for conditional models, the label); the logits.
  private func runAutoencoder(
    _ x: UnsafePointer<Float>, rows n: Int, labels: UnsafePointer<Int32>?, _ workspace: Workspace
  ) -> UnsafeMutablePointer<Float> {
    let code = codes(runEncoder(x, rows: n, labels: labels, workspace), rows: n, workspace)
    let input = labels == nil ? code : decoderInput(code, rows: n, labels: labels, into: code == workspace.a ? workspace.b : workspace.a)
    return run(decoderPlan, from: input, rows: n, workspace)
  }

  /// Codes (rows, codeWidth) laid out as the decoder reads them in `buffer` (which must not
  /// overlap `z`): each followed by its one-hot label for conditional models. Returns `buffer`.
  private func decoderInput(
    _ z: UnsafePointer<Float>, rows n: Int, labels: UnsafePointer<Int32>?, into buffer: UnsafeMutablePointer<Float>
  ) -> UnsafeMutablePointer<Float> {
    let k = codeWidth
    guard let labels else { buffer.update(from: z, count: n * k); return buffer }
    let width = spec.decoderInputWidth
    for r in 0..<n {
      let row = buffer + r * width
      row.update(from: z + r * k, count: k)
      writeOneHot(Int(labels[r]), into: row + k)
    }
    return buffer
  }

  /// The one-hot encoding of `label` in the classCount values at `place`.
  @inline(__always)
  private func writeOneHot(_ label: Int, into place: UnsafeMutablePointer<Float>) {
    place.update(repeating: 0, count: classCount)
    place[label] = 1
  }

  /// The codes in the encoder's output: itself, or for a VAE the means, packed into the other
  /// ping-pong buffer (the head holds mu and logvar side by side).
  private func codes(_ head: UnsafeMutablePointer<Float>, rows n: Int, _ workspace: Workspace) -> UnsafeMutablePointer<Float> {
    guard canSample else { return head }
    let k = codeWidth
    let packed = head == workspace.a ? workspace.b : workspace.a
    for r in 0..<n { (packed + r * k).update(from: head + r * 2 * k, count: k) }
    return packed
  }

  /// Run layers, alternating between the workspace's two buffers; returns the last output.
  private func run(_ plan: [LayerPlan], from input: UnsafeMutablePointer<Float>, rows n: Int, _ workspace: Workspace) -> UnsafeMutablePointer<Float> {
    var x = input
    var y = input == workspace.a ? workspace.b : workspace.a
    for layer in plan {
      let kernel = weights + layer.kernelOffset, bias = weights + layer.biasOffset
      switch layer.operation {
      case .dense:
        Dense.apply(x, rows: n, kernel: kernel, bias: bias, inputWidth: layer.inputWidth,
                    outputWidth: layer.outputWidth, activation: layer.activation, into: y)
      case .convolution(let geometry, let filters):
        Conv2D.apply(x, rows: n, geometry: geometry, kernel: kernel, bias: bias, filters: filters,
                     activation: layer.activation, columns: workspace.columns, into: y)
      case .transposedConvolution(let geometry, let inputChannels):
        ConvTranspose2D.apply(x, rows: n, geometry: geometry, kernel: kernel, bias: bias, inputChannels: inputChannels,
                              activation: layer.activation, columns: workspace.columns, into: y)
      }
      x = y
      y = y == workspace.a ? workspace.b : workspace.a
    }
    return x
  }

  /// Output activation, then back to raw units.
  private func writeOutput(_ logits: UnsafeMutablePointer<Float>, rows n: Int, into out: UnsafeMutablePointer<Float>) {
    let d = inputWidth
    if spec.outputActivation == .sigmoid {
      // The usual case in one pass, and with AVX2 where the CPU has it (see CVector.c).
      aevec_sigmoid_rows(logits, out, n, d, offset, scalingMethod == .none ? nil : scale)
      return
    }
    out.update(from: logits, count: n * d)
    spec.outputActivation.apply(out, count: n * d)
    if scalingMethod == .none { return }
    for r in 0..<n {
      let row = out + r * d
      for j in 0..<d { row[j] = row[j] / scale[j] + offset[j] }
    }
  }
}

/// Scratch buffers for one thread's calls on one model: allocated once, so calls that use a
/// workspace allocate nothing.
public final class Workspace: @unchecked Sendable {
  public let model: InferenceModel
  public let maxRows: Int
  /// Scaled inputs (maxRows, inputWidth).
  let scaled: UnsafeMutablePointer<Float>
  /// Ping-pong activations (maxRows, maxWidth) each.
  let a: UnsafeMutablePointer<Float>
  let b: UnsafeMutablePointer<Float>
  /// im2col patches of convolutions (maxRows, maxColumns).
  let columns: UnsafeMutablePointer<Float>

  /// The one block the four buffers live in.
  private let block: FloatBuffer

  /// Throws `overflow` when the workspace's size does not fit in Int, and `AllocationError`
  /// when it is larger than physical memory or the allocation fails: never traps.
  init(model: InferenceModel, maxRows: Int) throws {
    guard maxRows >= 1 else { throw InferenceError(.invalidArgument, "a workspace needs max_rows >= 1, got \(maxRows)") }
    let line = 16 // floats per 64-byte cache line; each buffer starts on one
    /// maxRows rows of `width` floats, in whole cache lines; nil when that overflows.
    func lines(_ width: Int) -> Int? {
      let (count, overflow) = maxRows.multipliedReportingOverflow(by: max(width, 1))
      return overflow || count > Int.max - line ? nil : (count + line - 1) / line * line
    }
    let perRow = model.inputWidth + 2 * model.maxWidth + max(model.maxColumns, 1)
    guard let scaledCount = lines(model.inputWidth), let activationCount = lines(model.maxWidth),
          let columnCount = lines(model.maxColumns),
          case let (twice, o1) = activationCount.multipliedReportingOverflow(by: 2), !o1,
          case let (sum, o2) = scaledCount.addingReportingOverflow(twice), !o2,
          case let (total, o3) = sum.addingReportingOverflow(columnCount), !o3,
          case (_, false) = total.multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
    else {
      throw InferenceError(.overflow, "a workspace for \(maxRows) rows of \(perRow) values does not fit in the address space")
    }
    block = try FloatBuffer(count: total, for: "a workspace of \(maxRows) rows (calls with more rows run in passes: use fewer)")
    self.model = model
    self.maxRows = maxRows
    scaled = block.pointer
    a = scaled + scaledCount
    b = a + activationCount
    columns = b + activationCount
  }
}
