/// bfloat16, the upper half of a float32's bits: 8 bits of exponent (float32's range) and 8 of
/// significand. Widening one to float32 is exact, so a product that reads bfloat16 weights
/// equals the float32 product on their values.
public enum BFloat16 {
  /// The bfloat16 nearest to `value` (ties to even), as its 16 bits; nil when `value` is not
  /// finite or rounds beyond the largest finite bfloat16.
  @inlinable
  public static func bits(_ value: Float) -> UInt16? {
    guard value.isFinite else { return nil }
    let bits = value.bitPattern
    let rounded = UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    return rounded & 0x7F80 == 0x7F80 ? nil : rounded
  }

  /// The float32 with these bfloat16 bits (exact).
  @inlinable
  public static func float(_ bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
  }
}
