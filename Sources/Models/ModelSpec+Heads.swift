import Layers

extension ModelSpec {
  /// Reasons the output heads cannot work: each head's activation and loss must go together,
  /// and given heads must cover the row exactly, after a linear last layer.
  func headProblems() -> [String] {
    var found = outputHeads.flatMap { $0.problems() }
    guard let heads else { return found }
    let covered = heads.reduce(0) { $0 + max($1.width, 0) }
    if covered != inputWidth { found.append("the output heads cover \(covered) values, not the \(inputWidth) of a row") }
    if let last = decoder.last, last.activation != .linear {
      found.append("with output heads the decoder's last layer must be linear (each head applies its own activation), got \(last.activation.rawValue)")
    }
    return found
  }
}
