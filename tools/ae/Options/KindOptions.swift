import ArgumentParser
import Models

/// The settings of the model kinds and the regularizers: what makes a model denoising, sparse,
/// contractive or variational. They go into the model spec, which judges them.
struct KindOptions: ParsableArguments {
  @Option(help: "Input corruption for --model denoising: gaussian:SIGMA, masking:P or salt-pepper:P (default gaussian:0.5).")
  var noise: String?

  @Option(help: "Sparsity for --model sparse: l1:WEIGHT, or kl:RHO:BETA (KL target rho with weight beta; makes the code sigmoid).")
  var sparsity: String?

  @Option(parsing: .unconditional, help: "Contractive models: weight of the penalty on the code's Jacobian (default 10 with --model contractive; the loss sums over features, so weights run larger than in papers that average).")
  var contractive: Float?

  @Option(parsing: .unconditional, help: "VAE: weight of the KL term (1 = the ELBO; other values give a beta-VAE).")
  var beta: Float = 1

  @Option(parsing: .unconditional, help: "VAE: epochs over which the KL weight ramps up from 0 to --beta.")
  var klWarmup: Int = 0

  @Option(parsing: .unconditional, help: "L1 penalty weight on the code activations (sparse codes).")
  var l1Activity: Float = 0

  @Option(parsing: .unconditional, help: "Dropout rate after each hidden layer.")
  var dropout: Float = 0

  /// The corruption asked for (denoising models default to gaussian:0.5).
  func corruption(for kind: ModelKind) throws -> Corruption? {
    guard let noise else { return kind == .denoising ? Corruption(kind: .gaussian, level: 0.5) : nil }
    guard let parsed = Corruption(parsing: noise) else {
      throw ValidationError("--noise must be gaussian:SIGMA, masking:P or salt-pepper:P, got '\(noise)'")
    }
    return parsed
  }

  /// (L1 weight, KL target) from --sparsity and --l1-activity.
  func sparsitySettings() throws -> (l1: Float, kl: KLSparsity?) {
    guard let sparsity else { return (l1Activity, nil) }
    let parts = sparsity.split(separator: ":").map(String.init)
    if parts.count == 2, parts[0] == "l1", let weight = Float(parts[1]) {
      return (weight, nil)
    }
    if parts.count == 3, parts[0] == "kl", let rho = Float(parts[1]), let beta = Float(parts[2]) {
      return (l1Activity, KLSparsity(target: rho, weight: beta))
    }
    throw ValidationError("--sparsity must be l1:WEIGHT or kl:RHO:BETA, got '\(sparsity)'")
  }
}
