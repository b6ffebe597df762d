import Layers
import Models
import Tensor
import TestSupport
import Testing

/// The whole model's gradient (every layer, the loss and the L1 code penalty together) must
/// match finite differences of the objective.
/// Relative error between the model's gradient of the batch-mean objective and central
/// differences of the batch-sum objective (divided by the 4 rows), on random inputs in [0, 1].
func objectiveGradientError(_ model: Autoencoder, dataSeed: UInt64, prepare: @escaping () -> Void = {}) -> Double {
  let x = GradientCheck.randomTensor(rows: 4, cols: model.spec.inputWidth, seed: dataSeed, low: 0, high: 1)
  func objective() -> Double {
    prepare()
    return model.computeGradients(input: x, target: x)
  }
  _ = objective()
  let analytic = Array(UnsafeBufferPointer(start: model.parameters.gradients, count: model.parameters.count))
  return GradientCheck.relativeError(values: model.parameters.values, count: model.parameters.count,
                                     analytic: analytic.map { $0 * 4 }, step: 1e-2, loss: objective)
}

@Suite struct AutoencoderGradientTests {
  @Test(arguments: [(Loss.bce, Activation.tanh, Float(0)), (.mse, .sigmoid, 0.05), (.mse, .tanh, 0)])
  func objectiveGradientMatchesFiniteDifferences(loss: Loss, activation: Activation, l1: Float) throws {
    let output: Activation = loss == .bce ? .sigmoid : .linear
    let spec = ModelSpec.dense(inputWidth: 6, widths: [5, 3], activation: activation,
                               outputActivation: output, loss: loss, l1Activity: l1)
    #expect(try objectiveGradientError(Autoencoder(spec: spec, seed: 4), dataSeed: 8) < 1e-3)
  }

  /// The KL sparsity term couples every row of the batch through the mean activation.
  @Test func klSparsityGradientMatchesFiniteDifferences() throws {
    var spec = ModelSpec.dense(inputWidth: 6, widths: [5, 3], activation: .tanh, codeActivation: .sigmoid,
                               outputActivation: .sigmoid, loss: .bce, kind: .sparse,
                               klSparsity: KLSparsity(target: 0.1, weight: 2))
    spec.l1Activity = 0
    #expect(try objectiveGradientError(Autoencoder(spec: spec, seed: 5), dataSeed: 9) < 1e-3)
  }
}

@Suite struct ContractiveTests {
  /// The penalty's gradient reaches the code layer's kernel directly and every layer through
  /// f''; both must match finite differences, for one- and two-layer encoders.
  @Test(arguments: [([3], Activation.sigmoid), ([5, 3], .tanh), ([5, 3], .sigmoid)])
  func gradientMatchesFiniteDifferences(widths: [Int], code: Activation) throws {
    let spec = ModelSpec.dense(inputWidth: 6, widths: widths, activation: .tanh, codeActivation: code,
                               outputActivation: .sigmoid, loss: .bce, kind: .contractive, contractive: 0.5)
    #expect(try objectiveGradientError(Autoencoder(spec: spec, seed: 6), dataSeed: 10) < 1e-3)
  }
}
