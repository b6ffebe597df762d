import Layers
import Tensor
import TestSupport
import Testing

/// Every layer's backward pass must match central finite differences of its forward pass.
@Suite struct LayerGradientTests {
  /// Loss L = sum(layer(x) * r) for a fixed random r, so dL/dy = r.
  func check(_ layer: Layer, parameters store: ParameterStore?, rows: Int = 5, seed: UInt64 = 1,
             reseed: () -> Void = {}) -> (input: Double, parameters: Double) {
    let x = GradientCheck.randomTensor(rows: rows, cols: layer.inputWidth, seed: seed)
    let r = GradientCheck.randomTensor(rows: rows, cols: layer.outputWidth, seed: seed + 100)
    func loss() -> Double {
      reseed()
      return GradientCheck.dot(layer.forward(x, training: true), r)
    }
    store?.zeroGradients()
    reseed()
    _ = layer.forward(x, training: true)
    let dx = layer.backward(r.copy())!.values
    let analyticParameters = store.map { Array(UnsafeBufferPointer(start: $0.gradients, count: $0.count)) } ?? []
    let inputError = GradientCheck.relativeError(values: x.data, count: x.count, analytic: dx, loss: loss)
    var parameterError = 0.0
    if let store {
      parameterError = GradientCheck.relativeError(values: store.values, count: store.count, analytic: analyticParameters, loss: loss)
    }
    return (inputError, parameterError)
  }

  func makeDense(_ activation: Activation, seed: UInt64) -> (Dense, ParameterStore) {
    let dense = Dense(inputWidth: 6, outputWidth: 4, activation: activation)
    let store = ParameterStore(count: dense.parameterCount)
    dense.bind(parameters: store.values, gradients: store.gradients)
    var random = SeededRandom(seed: seed)
    dense.initialize(using: &random)
    for i in 0..<4 { store.values[6 * 4 + i] = random.uniform(-0.5, 0.5) } // non-zero biases
    return (dense, store)
  }

  @Test(arguments: [Activation.linear, .tanh, .sigmoid])
  func denseSmoothActivations(activation: Activation) {
    let (dense, store) = makeDense(activation, seed: 11)
    let errors = check(dense, parameters: store)
    #expect(errors.input < 1e-3)
    #expect(errors.parameters < 1e-3)
  }

  /// ReLU and leaky ReLU have a kink at 0; this seed keeps every pre-activation well away from it
  /// (checked below), so finite differences are valid.
  @Test(arguments: [Activation.relu, .leakyRelu])
  func denseKinkedActivations(activation: Activation) {
    let (dense, store) = makeDense(activation, seed: 5)
    let x = GradientCheck.randomTensor(rows: 5, cols: 6, seed: 1)
    let linear = Dense(inputWidth: 6, outputWidth: 4, activation: .linear)
    linear.bind(parameters: store.values, gradients: store.gradients)
    let z = linear.forward(x, training: false)
    #expect(z.values.allSatisfy { abs($0) > 0.05 }, "pick a seed whose pre-activations avoid the kink")
    let errors = check(dense, parameters: store)
    #expect(errors.input < 1e-3)
    #expect(errors.parameters < 1e-3)
  }

  @Test func dropoutWithAFixedMask() {
    let dropout = Dropout(width: 8, rate: 0.3)
    let errors = check(dropout, parameters: nil) { dropout.random = SeededRandom(seed: 77) }
    #expect(errors.input < 1e-3)
  }

  @Test func dropoutIsIdentityAtInferenceAndKeepsTheMeanInTraining() {
    let dropout = Dropout(width: 1000, rate: 0.4, seed: 3)
    let x = Tensor(rows: 20, cols: 1000)
    x.fill(1)
    #expect(dropout.forward(x, training: false).values == x.values)
    let y = dropout.forward(x, training: true).values
    let zeros = y.filter { $0 == 0 }.count
    #expect(abs(Double(zeros) / Double(y.count) - 0.4) < 0.02)
    #expect(abs(y.reduce(0, +) / Float(y.count) - 1) < 0.03)
  }
}

@Suite struct LossTests {
  func check(_ loss: Loss, _ activation: Activation, targetLow: Float = 0) -> Double {
    let z = GradientCheck.randomTensor(rows: 4, cols: 7, seed: 21, low: -3, high: 3)
    let t = GradientCheck.randomTensor(rows: 4, cols: 7, seed: 22, low: targetLow, high: 1)
    let g = Tensor(rows: 0, cols: 7)
    _ = loss.evaluate(logits: z, activation: activation, target: t, gradient: g)
    // The gradient is of the batch mean; the value returned is the batch sum.
    return GradientCheck.relativeError(values: z.data, count: z.count, analytic: g.values.map { $0 * 4 }, step: 1e-2) {
      loss.evaluate(logits: z, activation: activation, target: t, gradient: nil)
    }
  }

  @Test func bceFromLogits() { #expect(check(.bce, .sigmoid) < 1e-3) }

  @Test(arguments: [Activation.linear, .sigmoid, .tanh])
  func mse(activation: Activation) { #expect(check(.mse, activation, targetLow: -1) < 1e-3) }

  @Test func bceMatchesTheTextbookFormulaAndNeverOverflows() {
    let z = Tensor(rows: 1, cols: 4, values: [-2, 0.5, 3, 1])
    let t = Tensor(rows: 1, cols: 4, values: [0, 1, 0.25, 0.9])
    var expected = 0.0
    for j in 0..<4 {
      let y = 1 / (1 + Foundation_exp(-Double(z.data[j])))
      expected -= Double(t.data[j]) * Foundation_log(y) + (1 - Double(t.data[j])) * Foundation_log(1 - y)
    }
    let value = Loss.bce.evaluate(logits: z, activation: .sigmoid, target: t, gradient: nil)
    #expect(abs(value - expected) < 1e-5)
    let extreme = Tensor(rows: 1, cols: 2, values: [-200, 200])
    let g = Tensor(rows: 0, cols: 2)
    let big = Loss.bce.evaluate(logits: extreme, activation: .sigmoid, target: Tensor(rows: 1, cols: 2, values: [1, 0]), gradient: g)
    #expect(abs(big - 400) < 1e-3)
    #expect(g.values == [-1, 1])
  }
}
