import Layers
import Models
import Store
import Tensor

/// A trained model that only runs forward: immutable after loading, so one instance serves
/// any number of threads at once, each with its own `Workspace`.
///
/// Every call takes raw rows in the units the model was trained on, applies the stored
/// pipeline, and (for `decode`, `reconstruct`, `sample`, `interpolate`) returns data in the
/// same units. It runs the spec's `NetworkPlan`, as training does, over its own copy of the
/// weights. HDF5 is touched only by `load`.
///
/// The calls live by job: `+Compute` (encode, decode, reconstruct, score, distributions),
/// `+Sampling` (sample, interpolate), `+Execution` (passes, checks, the plan's run) and
/// `+Tensors` (the same on `Tensor`s, for Swift callers).
public final class InferenceModel: @unchecked Sendable {
  public let spec: ModelSpec
  public let plan: NetworkPlan
  /// Raw values to the network's and back.
  public let pipeline: Pipeline
  /// The weights, laid out as `plan.parameters` says; private, never written after loading.
  let weights: UnsafePointer<Float>
  /// Owns the memory behind `weights`.
  let storage: FloatBuffer
  /// What the layers' kernels are stored in (see InferenceModel+Precision.swift).
  public let precision: Precision
  /// The dense and convolution kernels packed for the own kernels, at `precision` (nil when
  /// the model was made while the products ran on OpenBLAS, and at int8).
  let packed: PackedKernels?
  /// At int8: the dense and convolution kernels quantized (nil at other precisions).
  let quantized: QuantizedKernels?
  /// At bfloat16 or int8: the float32 model's `identity` (see +Compression).
  let inheritedIdentity: UInt32?
  /// Gaussian heads: the learned log-variance per output value, inside `weights` (for `score`).
  let logVariance: UnsafePointer<Float>?
  /// The output heads, and whether the whole output is one sigmoid head after an affine
  /// pipeline (the usual image model), which has a fused output stage.
  let heads: [OutputHead]
  let fusedSigmoidOutput: Bool
  /// A table model's schema: its rows are sampled with `sampleTable`, not the calls on float rows.
  public let table: TableSchema?
  /// What `score` computes, and the threshold `classify` compares it with.
  public let anomaly: AnomalySettings

  /// Values per raw input row.
  public var inputWidth: Int { pipeline.rawWidth }
  public var codeWidth: Int { spec.codeWidth }
  /// Values per condition row (0 for unconditional models).
  public let conditionWidth: Int
  /// Classes, when the model is conditioned on one class label (what the label calls take); 0 otherwise.
  public let classCount: Int
  /// Whether the model can generate: a VAE, whose codes follow the N(0, I) prior. A
  /// conditional one needs conditions, or draws its one-hot conditions when given none.
  public var canSample: Bool { spec.isVariational && ConditionRows.canDraw(conditionGroups) && table == nil }
  /// The condition groups, in the order their values sit in a condition row.
  public let conditionGroups: [ConditionSpec]
  /// Layers, encoder and decoder: dense, convolution and transposed convolution alike.
  public var layerCount: Int { plan.encoder.count + plan.decoder.count }
  /// The affine scaling's method (`none` when the pipeline has none).
  public var scalingMethod: Scaling.Method { pipeline.scaling?.method ?? .none }

  /// A forward-only copy of a trained model.
  public convenience init(_ model: Autoencoder) throws {
    let weights = try FloatBuffer(count: model.parameters.count, for: "the model's weights")
    weights.pointer.initialize(from: model.parameters.values, count: model.parameters.count)
    try self.init(spec: model.spec, pipeline: model.pipeline, anomaly: model.anomaly, weights: weights)
  }

  /// A forward-only model over `weights`, laid out as the spec's plan says (at bfloat16, its
  /// kernels hold bfloat16 values); `packed` are its kernels packed, made here when nil and
  /// the products run on the own kernels.
  init(
    spec: ModelSpec, pipeline: Pipeline, anomaly: AnomalySettings, weights: FloatBuffer, precision: Precision = .float32,
    packed: PackedKernels? = nil, quantized: QuantizedKernels? = nil, identity: UInt32? = nil
  ) throws {
    let plan: NetworkPlan
    do { plan = try NetworkPlan(spec) } catch { throw InferenceError(.invalidArgument, "\(error)") }
    let problems = pipeline.problems(networkWidth: spec.inputWidth)
    guard problems.isEmpty, weights.count >= plan.parameterCount else {
      throw InferenceError(.invalidArgument, "the model's pipeline or weights do not fit its network: " + problems.joined(separator: "; "))
    }
    if let table = pipeline.table {
      let codeWidths = table.columns.compactMap { $0.codeMeans?.first?.count }
      guard spec.isVariational, table.conditions == spec.conditionGroups, table.heads == spec.outputHeads,
            codeWidths.allSatisfy({ $0 == spec.codeWidth }) else {
        throw InferenceError(.invalidArgument, "the model's table schema does not match its network (a VAE with the schema's heads and conditions)")
      }
    }
    let anomalyProblems = anomaly.problems(pipeline: pipeline, codeWidth: spec.codeWidth)
    guard anomalyProblems.isEmpty else {
      throw InferenceError(.invalidArgument, "the model's anomaly settings are unusable: " + anomalyProblems.joined(separator: "; "))
    }
    self.anomaly = anomaly
    self.table = pipeline.table
    self.spec = spec
    self.plan = plan
    self.pipeline = pipeline
    storage = weights
    self.weights = UnsafePointer(weights.pointer)
    self.precision = precision
    inheritedIdentity = identity
    if precision == .int8 {
      self.quantized = try quantized ?? QuantizedKernels(plan, weights.pointer)
      self.packed = nil
    } else {
      self.quantized = nil
      self.packed = try packed ?? (BLAS.usesOwnKernels ? PackedKernels(plan, weights.pointer, precision: precision) : nil)
    }
    logVariance = plan.logVarianceOffset.map { UnsafePointer(weights.pointer + $0) }
    heads = spec.outputHeads
    conditionWidth = spec.conditionWidth
    conditionGroups = spec.conditionGroups
    classCount = spec.labelClasses
    fusedSigmoidOutput = heads.count == 1 && heads[0].activation == .sigmoid && pipeline.transforms.count == 1
      && pipeline.scaling != nil
  }

  /// This model scoring by `score` instead of its own, on the same weights. Without a
  /// threshold unless the score is its own: a threshold belongs to the score it was read from.
  public func scoring(by score: AnomalySettings.Score) throws -> InferenceModel {
    try scoring(with: anomaly.scoring(by: score))
  }

  /// This model with other anomaly settings, on the same weights.
  public func scoring(with settings: AnomalySettings) throws -> InferenceModel {
    guard settings != anomaly else { return self }
    return try InferenceModel(spec: spec, pipeline: pipeline, anomaly: settings, weights: storage, precision: precision,
                              packed: packed, quantized: quantized, identity: inheritedIdentity)
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
    return try InferenceModel(spec: spec, pipeline: try ModelFile.readPipeline(from: file, spec: spec),
                              anomaly: try ModelFile.readAnomaly(from: file, codeWidth: spec.codeWidth), weights: weights)
  }

  /// Scratch memory for up to `maxRows` rows per pass; larger calls run in passes. Throws
  /// `overflow` when its size does not fit in Int, `AllocationError` when it exceeds physical
  /// memory or cannot be allocated.
  public func makeWorkspace(maxRows: Int) throws -> Workspace {
    try Workspace(model: self, maxRows: maxRows)
  }
}
