import ArgumentParser

/// `ae score`: an anomaly score per row, as `ae_score` and `Model.score` give it.
struct Score: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write an anomaly score per data row: the model's loss on that row (.csv: one per line, or .npy).",
    usage: "ae score <model.h5> --data <data> --out <scores.csv|.npy> [<options>]",
    discussion: """
      The score is the row's reconstruction loss in the model's own loss, on the scaled values: \
      BCE, squared error, Gaussian negative log-likelihood (nats) or cross-entropy, summed over \
      features and output heads; a vae is scored on the reconstruction of its posterior mean. The same \
      numbers as ae_score in C and Model.score in Python. Conditional models take the data's \
      labels, or --labels FILE.
      """)
  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup(title: "Model file") var file: ModelFileOptions
  @OptionGroup(title: "Data") var dataOptions: DataOptions
  @Option(help: ArgumentHelp("Output file (.csv or .npy).", valueName: "file")) var out: String
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  func run() throws { try TableCommand.run(.score, modelPath: modelPath, file: file, data: dataOptions, out: out, compute: compute) }
}
