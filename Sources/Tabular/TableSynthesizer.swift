#if canImport(Glibc)
import Glibc
#endif
import Datasets
import Models
import Runtime
import Tensor
import Training

/// Trains a table model: a VAE over a table's encoded rows (`TableSchema`), conditioned on
/// its category columns so that sampling can fix them, as TVAE is a VAE over CTGAN's encoding.
public enum TableSynthesizer {
  public struct Options: Sendable {
    /// How numbers are encoded. The quantile map is the default: on the bench's tables it
    /// gives the better synthetic data (diamonds quality 0.96 against 0.91 with modes, see
    /// bench/augment/README.md); mode-specific normalization is TVAE's choice.
    public var transform: TableSchemaFitter.Transform = .quantile
    /// Epochs and rows per update; nil picks them for the table's size (`defaultEpochs`,
    /// `defaultBatchSize`).
    public var epochs: Int?
    public var batchSize: Int?
    public var seed: UInt64 = 0
    /// Encoder widths (the decoder mirrors them) and the code's width: TVAE's defaults.
    public var hidden = [128, 128]
    public var latent = 128
    public var learningRate: Float = 1e-3
    /// Weight of the KL term: TVAE weighs its reconstruction by 2, which is beta 0.5.
    public var beta: Float = 0.5

    public init() {}
  }

  /// Passes over the data when none are given: about 640,000 rows in all, between 30 and
  /// 300 epochs (TVAE runs 300 whatever the size). On diamonds (8,000 rows), 80 epochs gave
  /// quality 0.974 and cut F1 0.58 where 100 gave 0.965 and 0.54 (seed 1): more passes buy
  /// nothing measurable there and cost the fit's speed.
  public static func defaultEpochs(rows: Int) -> Int {
    min(300, max(30, 640_000 / max(rows, 1)))
  }

  /// Rows per update when none are given: about 64 updates an epoch, 32 to 500 rows (TVAE's
  /// 500 for large tables). Smaller tables need the updates more than the larger batches:
  /// diamonds' quality went from 0.91 at 500 rows to 0.96 at 128 in the same 100 epochs.
  public static func defaultBatchSize(rows: Int) -> Int {
    min(500, max(32, rows / 64))
  }

  /// The schema, the untrained model for it, its training rows and condition rows.
  public static func prepare(_ table: Table, options: Options) throws -> (model: Autoencoder, data: Tensor, conditions: Tensor?) {
    let schema = try TableSchemaFitter.fit(table, transform: options.transform, seed: options.seed)
    var spec = ModelSpec.variational(inputWidth: schema.networkWidth, hidden: options.hidden, latent: options.latent,
                                     outputActivation: .linear, loss: .gaussian, beta: options.beta)
    spec.heads = schema.heads
    let conditions = schema.conditions
    if !conditions.isEmpty {
      spec.kind = .cvae
      spec.conditions = conditions
    }
    let model = try Autoencoder(spec: spec, seed: options.seed)
    model.pipeline = Pipeline([.table(schema)])
    let data = Tensor(rows: table.rowCount, cols: schema.networkWidth)
    do {
      try table.values.withUnsafeBufferPointer { try schema.encode($0.baseAddress!, rows: table.rowCount, into: data.data) }
    } catch {
      throw TabularError("\(table.name): \(error)")
    }
    return (model, data, conditions.isEmpty ? nil : try conditionRows(table, schema, seed: options.seed))
  }

  /// Train a table model; `progress` prints epochs as `ae train` does.
  public static func fit(_ table: Table, options: Options, progress: ProgressPrinter? = nil) throws -> (model: Autoencoder, result: TrainingResult) {
    let (model, data, conditions) = try prepare(table, options: options)
    let epochs = options.epochs ?? defaultEpochs(rows: table.rowCount)
    let batchSize = options.batchSize ?? defaultBatchSize(rows: table.rowCount)
    let training = TrainingOptions(epochs: epochs, batchSize: min(batchSize, table.rowCount),
                                   optimizer: OptimizerSettings(kind: .adam, learningRate: options.learningRate, weightDecay: 1e-5),
                                   seed: options.seed)
    let trainer = Trainer(model: model, options: training)
    trainer.progress = progress
    let result = try trainer.fit(data, conditions: conditions)
    try recordCodeStatistics(model, data: data, table: table)
    try calibrate(model, rows: min(max(table.rowCount, 20_000), 100_000), seed: options.seed)
    return (model, result)
  }

  /// Each condition column's code statistics (`TableSchema.Column.codeMeans`): the training
  /// rows encoded with no column fixed (as most were trained), and per slot of the column the
  /// mean of its rows' codes and the deviation of their aggregate posterior (the spread of the
  /// means and the mean posterior variance). Without them `--where` drew codes from N(0, I),
  /// which carry the other categories as much as the fixed one: fixing a shop table's category
  /// to games gave a mean price of 34.5 where the data's games cost 46.4.
  static func recordCodeStatistics(_ model: Autoencoder, data: Tensor, table: Table) throws {
    guard var schema = model.pipeline.table, schema.columns.contains(where: \.condition) else { return }
    let k = model.spec.codeWidth, n = data.rows
    let input = try model.conditioned(data, Tensor(rows: n, cols: model.spec.conditionWidth))
    var count = schema.columns.map { [Double](repeating: 0, count: $0.condition ? $0.groupWidth : 0) }
    var sum = schema.columns.map { [[Double]](repeating: [Double](repeating: 0, count: k), count: $0.condition ? $0.groupWidth : 0) }
    var square = sum, variance = sum
    let batch = Tensor(rows: 256, cols: input.cols)
    var start = 0
    while start < n {
      let end = min(start + 256, n)
      batch.copyRows(start..<end, from: input)
      let head = model.encoder.forward(batch, training: false)
      for r in 0..<(end - start) {
        let h = head.row(r)
        for (c, column) in schema.columns.enumerated() where column.condition {
          guard let slot = column.groupSlot(of: table[start + r, c]), slot < column.groupWidth else { continue }
          count[c][slot] += 1
          for j in 0..<k {
            let mu = Double(h[j])
            sum[c][slot][j] += mu
            square[c][slot][j] += mu * mu
            variance[c][slot][j] += exp(Double(h[k + j]))
          }
        }
      }
      start = end
    }
    for c in schema.columns.indices where schema.columns[c].condition {
      var means: [[Double]] = [], deviations: [[Double]] = []
      for slot in 0..<schema.columns[c].groupWidth {
        let m = count[c][slot]
        guard m > 0 else {
          means.append([Double](repeating: 0, count: k))
          deviations.append([Double](repeating: 1, count: k))
          continue
        }
        means.append(sum[c][slot].map { $0 / m })
        deviations.append((0..<k).map { j in
          let mean = sum[c][slot][j] / m
          return max(square[c][slot][j] / m - mean * mean + variance[c][slot][j] / m, 1e-6).squareRoot()
        })
      }
      schema.columns[c].codeMeans = means
      schema.columns[c].codeDeviations = deviations
    }
    model.pipeline = Pipeline([.table(schema)])
  }

  /// Give each number under the quantile transform its calibration: the knots of `rows` of
  /// the trained model's own values (drawn unrounded), so that sampling maps the model's
  /// distribution of the column onto the data's. Without it the model's tails fall short: on
  /// diamonds its depth spanned 56 to 70 where the data spans 44 to 74.
  static func calibrate(_ model: Autoencoder, rows: Int, seed: UInt64) throws {
    guard var schema = model.pipeline.table, schema.columns.contains(where: { $0.quantiles != nil }) else { return }
    var unrounded = schema
    for c in unrounded.columns.indices { unrounded.columns[c].step = nil }
    model.pipeline = Pipeline([.table(unrounded)])
    defer { model.pipeline = Pipeline([.table(schema)]) }
    let runtime = try InferenceModel(model)
    let width = schema.rawWidth
    var values = [Double](repeating: 0, count: rows * width)
    try runtime.sampleTable(rows: rows, seed: seed ^ 0xCA11_B4A7, into: &values, workspace: runtime.makeWorkspace(maxRows: 256))
    for c in schema.columns.indices where schema.columns[c].quantiles != nil {
      let drawn = stride(from: c, to: values.count, by: width).map { values[$0] }.filter { !$0.isNaN }
      if !drawn.isEmpty { schema.columns[c].calibration = QuantileMap.fit(drawn).knots }
    }
  }

  /// Each row's condition row: its own category values for a random subset of the
  /// conditioned columns. Four rows in five fix none (what unconditional sampling sees), the
  /// rest fix each column with probability 1/2, so any set of `--where` columns was seen in
  /// training. Fixing more often costs the unconditional samples: on diamonds, with half the
  /// rows fixing some, quality 0.949 and 0.952 and cut F1 0.485 and 0.519 (seeds 3 and 1);
  /// with a fifth, 0.965 and 0.965, F1 0.550 and 0.538.
  static func conditionRows(_ table: Table, _ schema: TableSchema, seed: UInt64) throws -> Tensor {
    let width = schema.conditions.reduce(0) { $0 + $1.width }, columns = table.columns.count
    let rows = Tensor(rows: table.rowCount, cols: width)
    var random = SeededRandom(seed: seed, stream: 0x7AB1E)
    var fixed = [Double](repeating: .nan, count: columns)
    try fixed.withUnsafeMutableBufferPointer { fixed in
      for r in 0..<table.rowCount {
        let fixesSome = random.uniform() < 0.2
        for c in 0..<columns {
          fixed[c] = fixesSome && schema.columns[c].condition && random.uniform() < 0.5 ? table[r, c] : .nan
        }
        try schema.conditionRow(fixing: UnsafePointer(fixed.baseAddress!), into: rows.row(r))
      }
    }
    return rows
  }
}
