/// Per-epoch figures from training, saved with the model.
public struct TrainingHistory: Equatable, Sendable {
  /// Mean training objective per sample, one per epoch.
  public var loss: [Double] = []
  /// Mean validation objective per sample (empty without a validation split).
  public var validationLoss: [Double] = []
  /// Wall-clock seconds each epoch took.
  public var seconds: [Double] = []

  public init(loss: [Double] = [], validationLoss: [Double] = [], seconds: [Double] = []) {
    self.loss = loss
    self.validationLoss = validationLoss
    self.seconds = seconds
  }

  public var epochs: Int { loss.count }
}
