import Models
import Tensor
import TestSupport
import Testing

@Suite struct ScalingTests {
  @Test(arguments: [Scaling.Method.unit, .standard, .none])
  func applyThenInvertIsTheIdentity(method: Scaling.Method) {
    let data = GradientCheck.randomTensor(rows: 50, cols: 4, seed: 1, low: -20, high: 30)
    let scaling = Scaling.fit(data, method: method)
    let copy = data.copy()
    scaling.apply(to: copy)
    if method == .unit {
      #expect(copy.values.min()! >= 0 && copy.values.max()! <= 1)
    }
    scaling.invert(copy)
    for i in 0..<data.count { #expect(abs(copy.data[i] - data.data[i]) < 1e-4) }
  }

  @Test func byteDataIsDividedBy255AndConstantFeaturesAreSafe() {
    let data = Tensor(rows: 2, cols: 2, values: [0, 7, 128, 7])
    #expect(Scaling.fit(data, method: .unit, isByteData: true).scale == [1 / 255, 1 / 255])
    let fitted = Scaling.fit(data, method: .unit)
    #expect(fitted.scale[1] == 1)
    #expect(Scaling.fit(data, method: .standard).scale[1] == 1)
  }

  @Test func invalidSpecsAreRejectedWithReasons() {
    var spec = ModelSpec.dense(inputWidth: 10, widths: [4], outputActivation: .linear, loss: .bce)
    #expect(spec.problems().contains { $0.contains("sigmoid") })
    spec = ModelSpec.dense(inputWidth: 10, widths: [0])
    #expect(spec.problems().contains { $0.contains("0 units") })
    #expect(throws: ModelError.self) { try Autoencoder(spec: spec) }
  }
}

/// `Scaling.Fitter` fed block by block (as `ae train --stream` feeds it) gives the fit of the
/// whole data, bit for bit: the same sums in the same order.
@Suite struct StreamedScalingTests {
  @Test(arguments: [Scaling.Method.unit, .standard, .none])
  func blocksGiveTheWholeDatasFit(method: Scaling.Method) {
    let data = GradientCheck.randomTensor(rows: 1000, cols: 6, seed: 4, low: -50, high: 80)
    let whole = Scaling.fit(data, method: method)
    var fitter = Scaling.Fitter(method: method, width: data.cols)
    for pass in 0..<fitter.passes {
      for first in stride(from: 0, to: data.rows, by: 77) { // blocks that do not divide the rows
        fitter.observe(data.row(first), rows: min(77, data.rows - first), pass: pass)
      }
      fitter.finishPass(pass)
    }
    let streamed = fitter.scaling()
    #expect(streamed.offset == whole.offset && streamed.scale == whole.scale && streamed.method == whole.method)
    if method != .none { #expect(whole.scale.contains { $0 != 1 }) } // a real fit, not the identity
  }
}
