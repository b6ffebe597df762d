/// One named group of a conditional model's condition vector. A condition row is the groups'
/// values side by side, in the spec's order, and is appended to the encoder's input row and
/// to the code: a one-hot class (a label), or continuous values (a pitch, a column's value).
public struct ConditionSpec: Codable, Equatable, Sendable {
  public enum Kind: String, Codable, CaseIterable, Sendable {
    /// `width` classes, exactly one of which is 1.
    case oneHot = "one_hot"
    /// `width` real values.
    case continuous
  }

  public var name: String
  public var kind: Kind
  public var width: Int

  public init(name: String, kind: Kind, width: Int) {
    self.name = name
    self.kind = kind
    self.width = width
  }

  func problems() -> [String] {
    switch kind {
    case .oneHot where width < 2: ["condition '\(name)': a conditional VAE needs at least 2 classes, got \(width)"]
    case .continuous where width < 1: ["condition '\(name)' needs at least 1 value, got \(width)"]
    default: []
    }
  }
}
