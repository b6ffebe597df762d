import CAutoencoderSupport

// The options structs of the 0.2 calls (ae_sample_options, ae_interpolate_options,
// ae_encode_options). Each starts with a size_t size that the caller sets to sizeof the struct
// as its header declares it: the structs grow only by appending fields, so a size at least the
// first version's end and at most this library's sizeof names the fields the caller has; the
// rest keep their defaults.

/// Run `body` with the caller's options, read through their size field, or with `defaults`
/// when `pointer` is NULL. A size below `firstSize` (an uninitialized struct, 0) is refused
/// with AE_ERROR_INVALID_ARGUMENT, one above this library's struct with AE_ERROR_VERSION.
/// Reads exactly `size` bytes of the caller's struct; allocates nothing.
@inline(__always)
func withOptions<T>(
  _ name: String, _ type: String, _ pointer: UnsafePointer<T>?, firstSize: Int, defaults: T, _ body: (T) -> Int32
) -> Int32 {
  guard let pointer else { return body(defaults) }
  let size = UnsafeRawPointer(pointer).loadUnaligned(as: UInt.self)
  let known = UInt(MemoryLayout<T>.stride)
  guard size >= UInt(firstSize) else {
    return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): options->size is \(size), not sizeof(\(type)) (\(known)); start from \(type)_default(), which sets it")
  }
  guard size <= known else {
    return fail(AE_ERROR_VERSION, "\(name): options->size is \(size), larger than the \(known)-byte \(type) of this library (\(String(cString: aesup_version()))): the program was built with a newer autoencoder.h; run it with a library at least as new")
  }
  var options = defaults
  withUnsafeMutableBytes(of: &options) { bytes in
    bytes.copyMemory(from: UnsafeRawBufferPointer(start: UnsafeRawPointer(pointer), count: Int(size)))
  }
  return body(options)
}

/// ae_sample_options_default() of the header, as this library's struct.
var sampleDefaults: ae_sample_options {
  ae_sample_options(size: MemoryLayout<ae_sample_options>.stride, seed: 0, conditions: nil, temperature: 1, label: -1)
}

/// ae_interpolate_options_default() of the header (steps 0: the caller must set them).
var interpolateDefaults: ae_interpolate_options {
  ae_interpolate_options(size: MemoryLayout<ae_interpolate_options>.stride, steps: 0, condition: nil, spherical: 0, label: -1)
}

/// ae_encode_options_default() of the header.
var encodeDefaults: ae_encode_options {
  ae_encode_options(size: MemoryLayout<ae_encode_options>.stride, conditions: nil, labels: nil)
}

/// The class an options struct names: nil for -1 (none); refused (nil, status) below -1.
@inline(__always)
func optionalLabel(_ name: String, _ label: Int32) -> (label: Int32?, refused: Int32?) {
  if label == -1 { return (nil, nil) }
  guard label >= 0 else {
    return (nil, fail(AE_ERROR_INVALID_ARGUMENT, "\(name): options->label is \(label); pass a class (0 or more) or -1 for none"))
  }
  return (label, nil)
}
