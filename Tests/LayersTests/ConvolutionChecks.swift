import Layers
import Tensor
import TestSupport

/// Checks every convolution suite runs on its own geometries: gradients against finite
/// differences, the forward pass against the definition, and the transpose against the adjoint.
enum ConvolutionChecks {
  /// `layer` bound to a fresh store whose values (kernel and bias) are uniform in [-0.5, 0.5).
  static func bound<L: Layer>(_ layer: L, seed: UInt64) -> (L, ParameterStore) {
    let store = ParameterStore(count: layer.parameterCount)
    layer.bind(parameters: store.values, gradients: store.gradients)
    var random = SeededRandom(seed: seed)
    for i in 0..<store.count { store.values[i] = random.uniform(-0.5, 0.5) }
    return (layer, store)
  }

  /// Loss sum(layer(x) * r) over 3 rows: relative errors of the analytic input and parameter
  /// gradients against central finite differences.
  static func gradientErrors(_ layer: Layer, _ store: ParameterStore) -> (input: Double, parameters: Double) {
    let x = GradientCheck.randomTensor(rows: 3, cols: layer.inputWidth, seed: 1)
    let r = GradientCheck.randomTensor(rows: 3, cols: layer.outputWidth, seed: 2)
    func loss() -> Double { GradientCheck.dot(layer.forward(x, training: true), r) }
    store.zeroGradients()
    _ = layer.forward(x, training: true)
    let dx = layer.backward(r.copy())!.values
    let dp = Array(UnsafeBufferPointer(start: store.gradients, count: store.count))
    return (GradientCheck.relativeError(values: x.data, count: x.count, analytic: dx, loss: loss),
            GradientCheck.relativeError(values: store.values, count: store.count, analytic: dp, loss: loss))
  }

  /// <conv(x), y> and <x, convT(y)> for random x and y, with one random kernel shared by both
  /// layers (biases zero, linear activation): equal when the transpose is the adjoint.
  static func adjointPair(_ geometry: ConvGeometry, filters: Int) -> (left: Double, right: Double) {
    let conv = Conv2D(geometry: geometry, filters: filters, activation: .linear)
    let transpose = ConvTranspose2D(geometry: geometry, inputChannels: filters, activation: .linear)
    let store = ParameterStore(count: conv.parameterCount)
    conv.bind(parameters: store.values, gradients: store.gradients)
    transpose.bind(parameters: store.values, gradients: store.gradients)
    var random = SeededRandom(seed: 9)
    for i in 0..<(geometry.patchSize * filters) { store.values[i] = random.uniform(-1, 1) }
    let x = GradientCheck.randomTensor(rows: 2, cols: conv.inputWidth, seed: 5)
    let y = GradientCheck.randomTensor(rows: 2, cols: conv.outputWidth, seed: 6)
    return (GradientCheck.dot(conv.forward(x, training: false), y),
            GradientCheck.dot(x, transpose.forward(y, training: false)))
  }

  /// The convolution by its definition, in Double, for `rows` NHWC images `x`, a kernel
  /// (kh, kw, Cin, filters) and a bias (filters), linear activation:
  ///
  ///     y[n, oy, ox, f] = b[f] + sum over ky, kx, ch of
  ///                       x[n, oy * sh + ky - top, ox * sw + kx - left, ch] * K[ky, kx, ch, f]
  ///
  /// with pixels outside the image read as 0. Returns the values and, for each one, the sum of
  /// the magnitudes of its terms: the scale its float32 rounding error grows with.
  static func directConvolution(
    _ g: ConvGeometry, x: Tensor, kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>, filters: Int
  ) -> (values: [Double], scales: [Double]) {
    var values: [Double] = [], scales: [Double] = []
    for n in 0..<x.rows {
      for oy in 0..<g.outputHeight {
        for ox in 0..<g.outputWidth {
          for f in 0..<filters {
            var sum = Double(bias[f]), scale = abs(Double(bias[f]))
            for ky in 0..<g.kernelHeight {
              let y = oy * g.strideHeight + ky - g.paddingTop
              guard y >= 0 && y < g.height else { continue }
              for kx in 0..<g.kernelWidth {
                let column = ox * g.strideWidth + kx - g.paddingLeft
                guard column >= 0 && column < g.width else { continue }
                for ch in 0..<g.channels {
                  let term = Double(x[n, (y * g.width + column) * g.channels + ch])
                    * Double(kernel[((ky * g.kernelWidth + kx) * g.channels + ch) * filters + f])
                  sum += term
                  scale += abs(term)
                }
              }
            }
            values.append(sum)
            scales.append(scale)
          }
        }
      }
    }
    return (values, scales)
  }
}
