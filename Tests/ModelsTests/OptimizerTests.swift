import Foundation
import Layers
import Testing
import Training

/// Adam as torch.optim.Adam computes it, and without subnormal state: the moments of a weight
/// whose gradient stops decay to 0 without passing through subnormal floats (which x86
/// computes at ~100x the cost), and gradients too small to move a weight count as 0.
@Suite struct OptimizerTests {
  /// torch.optim.Adam's update in Double, for one parameter.
  struct ReferenceAdam {
    var m = 0.0, v = 0.0, t = 0.0
    mutating func step(_ p: inout Double, _ g: Double, lr: Double = 1e-3) {
      t += 1
      m = 0.9 * m + 0.1 * g
      v = 0.999 * v + 0.001 * g * g
      let denominator = (v.squareRoot() / (1 - pow(0.999, t)).squareRoot()) + 1e-8
      p -= lr / (1 - pow(0.9, t)) * m / denominator
    }
  }

  @Test func adamFollowsTorchAndKeepsNoSubnormalState() {
    let count = 19 // two vectors of 8 and a tail of 3
    let store = ParameterStore(count: count)
    let optimizer = Optimizer(settings: OptimizerSettings(kind: .adam, learningRate: 1e-3), parameterCount: count)
    var reference = [ReferenceAdam](repeating: ReferenceAdam(), count: count)
    var expected = [Double](repeating: 0, count: count)
    for i in 0..<count { store.values[i] = Float(i) * 0.1; expected[i] = Double(i) * 0.1 }
    for step in 1...3000 {
      for i in 0..<count {
        // Parameters 0 and 17 get a gradient for 5 steps, then none: their moments decay.
        // Parameter 9 gets gradients too small to matter; the rest, ordinary ones.
        let g: Float = switch i {
        case 0, 17: step <= 5 ? 0.01 : 0
        case 9: 1e-20
        default: sin(Float(step * (i + 1))) * 0.1
        }
        store.gradients[i] = g
        if i != 9 { reference[i].step(&expected[i], Double(g)) }
      }
      optimizer.update(store)
      for value in optimizer.first + optimizer.second {
        #expect(value == 0 || value.isNormal, "step \(step): a moment is subnormal: \(value)")
        if !(value == 0 || value.isNormal) { return }
      }
    }
    for i in 0..<count where i != 9 {
      #expect(abs(Double(store.values[i]) - expected[i]) < 1e-4, "parameter \(i): \(store.values[i]) against \(expected[i])")
    }
    #expect(store.values[9] == Float(9) * 0.1, "a gradient of 1e-20 moves nothing")
    #expect(optimizer.first[0] == 0 && optimizer.second[0] > 0, "the first moment decayed to 0, the second (slower) not yet")
  }

  /// A NaN gradient is not taken for a tiny one: it still reaches the parameter, in the
  /// vector body and the scalar tail alike, as in torch.
  @Test func nanGradientsStillPropagate() {
    for kind in [OptimizerKind.adam, .sgd] {
      let store = ParameterStore(count: 11)
      let optimizer = Optimizer(settings: OptimizerSettings(kind: kind, learningRate: 1e-3, momentum: 0.9), parameterCount: 11)
      store.gradients[2] = .nan
      store.gradients[10] = .nan
      optimizer.update(store)
      #expect(store.values[2].isNaN && store.values[10].isNaN, "\(kind)")
      #expect(store.values[3] == 0, "\(kind)")
    }
  }
}
