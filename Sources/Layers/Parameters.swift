import Tensor

/// The name and shape of one parameter tensor a layer owns, e.g. `kernel` (in, out).
public struct ParameterShape: Equatable, Sendable {
  public var name: String
  public var shape: [Int]
  public var count: Int { shape.reduce(1, *) }
  public init(name: String, shape: [Int]) { self.name = name; self.shape = shape }
}

/// All parameters of a model in one contiguous buffer, with their gradients in a second.
///
/// One buffer per role makes zeroing gradients one fill, an optimizer step one loop, and
/// saving one write per tensor, with no allocation while training.
public final class ParameterStore {
  /// Total number of parameters.
  public let count: Int
  /// Parameter values.
  public let values: UnsafeMutablePointer<Float>
  /// Gradients, same layout as `values`; layers accumulate into them (`+=`).
  public let gradients: UnsafeMutablePointer<Float>

  /// Whether `values` is this store's own buffer (false for a replica's view of another's).
  private let ownsValues: Bool
  /// Keeps the store whose values a replica reads alive as long as the replica.
  private let valueOwner: ParameterStore?

  public init(count: Int) {
    self.count = count
    values = .allocate(capacity: max(count, 1))
    values.initialize(repeating: 0, count: max(count, 1))
    gradients = .allocate(capacity: max(count, 1))
    gradients.initialize(repeating: 0, count: max(count, 1))
    ownsValues = true
    valueOwner = nil
  }

  /// A store that reads `other`'s values and keeps gradients of its own: what a replica that
  /// computes gradients on part of a batch needs (data-parallel training).
  public init(sharingValuesWith other: ParameterStore) {
    count = other.count
    values = other.values
    gradients = .allocate(capacity: max(count, 1))
    gradients.initialize(repeating: 0, count: max(count, 1))
    ownsValues = false
    valueOwner = other
  }

  deinit {
    if ownsValues { values.deallocate() }
    gradients.deallocate()
  }

  /// Set every gradient to zero.
  public func zeroGradients() { gradients.update(repeating: 0, count: count) }

  /// The parameter values, copied.
  public var valueArray: [Float] { Array(UnsafeBufferPointer(start: values, count: count)) }

  /// Replace every value; `newValues.count` must equal `count`.
  public func setValues(_ newValues: [Float]) {
    precondition(newValues.count == count, "expected \(count) parameters, got \(newValues.count)")
    newValues.withUnsafeBufferPointer { values.update(from: $0.baseAddress!, count: count) }
  }
}
