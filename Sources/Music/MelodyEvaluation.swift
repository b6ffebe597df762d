import Models
import Runtime
import Tensor

/// How well a melody model reconstructs phrases it did not train on: each phrase is encoded
/// to its posterior mean, decoded, and the most likely token per step compared with the
/// phrase's. Holds are most steps of a melody, so the accuracy on the other steps (note
/// starts and rests) is given too, and two baselines that need no model.
public struct MelodyEvaluation: Equatable, Sendable {
  public var phrases: Int
  public var steps: Int
  /// Steps whose token the reconstruction got right, of all steps.
  public var accuracy: Double
  /// The same over the steps whose true token is not a hold (note starts and rests).
  public var nonHoldAccuracy: Double
  /// Baseline "hold everywhere": the fraction of steps that are holds.
  public var holdEverywhereAccuracy: Double
  /// Baseline "each phrase's most common token": every step of a phrase predicted as the
  /// token most frequent in that phrase (it sees the answer's histogram, so it is generous).
  public var phraseModeAccuracy: Double

  /// Compare reconstructions with `truth` phrases, step by step.
  public init(truth: [[Int]], reconstructions: [[Int]]) {
    var right = 0, steps = 0, nonHold = 0, nonHoldRight = 0, holds = 0, modeRight = 0
    for (phrase, guess) in zip(truth, reconstructions) {
      var counts: [Int: Int] = [:]
      for token in phrase { counts[token, default: 0] += 1 }
      let mode = counts.max { ($0.value, -$0.key) < ($1.value, -$1.key) }?.key ?? MelodySettings.hold
      for (token, predicted) in zip(phrase, guess) {
        steps += 1
        if token == predicted { right += 1 }
        if token == mode { modeRight += 1 }
        if token == MelodySettings.hold {
          holds += 1
        } else {
          nonHold += 1
          if token == predicted { nonHoldRight += 1 }
        }
      }
    }
    func fraction(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
    phrases = truth.count
    self.steps = steps
    accuracy = fraction(right, steps)
    nonHoldAccuracy = fraction(nonHoldRight, nonHold)
    holdEverywhereAccuracy = fraction(holds, steps)
    phraseModeAccuracy = fraction(modeRight, steps)
  }

  /// Evaluate `model` on `phrases`.
  public static func evaluate(_ model: InferenceModel, phrases: [[Int]]) throws -> MelodyEvaluation {
    guard !phrases.isEmpty else { throw MusicError("there are no phrases to evaluate") }
    let reconstructions = try MelodyModel.decode(MelodyModel.encode(phrases, model: model), model: model)
    return MelodyEvaluation(truth: phrases, reconstructions: reconstructions)
  }
}
