import ArgumentParser

/// `--seed`: a 64-bit unsigned integer, as in C (`uint64_t`) and Python, which refuse a
/// negative seed too. Parsed here rather than by swift-argument-parser so that `--seed -1`
/// reaches this message instead of "missing value" (the options that take a seed parse
/// `.unconditional`ly).
enum Seed {
  static let parse: @Sendable (String) throws -> UInt64 = { text in
    if let seed = UInt64(text) { return seed }
    if let negative = Int64(text), negative < 0 {
      throw ValidationError("a seed is a whole number in 0...\(UInt64.max), not negative")
    }
    throw ValidationError("a seed is a whole number in 0...\(UInt64.max)")
  }
}
