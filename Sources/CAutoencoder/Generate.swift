import CAutoencoderSupport
import Runtime

// Generative models: the posterior (ae_encode_distribution), sampling (ae_sample, _ws,
// _class) and paths between codes (ae_interpolate), and their 0.2 forms with an options
// struct and an optional workspace (_v2).

// MARK: The posterior

/// The shared body of ae_encode_distribution and ae_encode_distribution_v2.
@inline(__always)
func distribution(
  _ name: String, _ handle: ModelHandle, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int,
  conditions: UnsafePointer<Float>?, labels: UnsafePointer<Int32>?,
  _ mean: UnsafeMutablePointer<Float>?, _ logVariance: UnsafeMutablePointer<Float>?
) -> Int32 {
  guard let x, let mean, let logVariance else {
    return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): x, mean and log_variance must not be NULL")
  }
  guard n != 0 else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): n is 0; pass at least one row") }
  let m = handle.model
  guard n > 0, elementCount(n, max(m.inputWidth, m.codeWidth)) != nil, conditions == nil || elementCount(n, m.conditionWidth) != nil else {
    return fail(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: n)) rows do not fit in memory")
  }
  return withScratch(name, m, workspace, own: true, rows: n) { scratch in
    do {
      try m.encodeDistribution(x, rows: n, conditions: conditions, labels: labels, mean: mean, logVariance: logVariance,
                                       workspace: scratch)
      return ok
    } catch {
      return fail(error)
    }
  }
}

@_cdecl("ae_encode_distribution")
public func ae_encode_distribution(
  _ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int, _ mean: UnsafeMutablePointer<Float>?,
  _ logVariance: UnsafeMutablePointer<Float>?
) -> Int32 {
  let name = "ae_encode_distribution"
  return withModel(name, model) { handle in
    distribution(name, handle, nil, x, n, conditions: nil, labels: nil, mean, logVariance)
  }
}

@_cdecl("ae_encode_distribution_v2")
public func ae_encode_distribution_v2(
  _ model: OpaquePointer?, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int,
  _ options: UnsafePointer<ae_encode_options>?, _ mean: UnsafeMutablePointer<Float>?, _ logVariance: UnsafeMutablePointer<Float>?
) -> Int32 {
  let name = "ae_encode_distribution_v2"
  return withModel(name, model) { handle in
    withOptions(name, "ae_encode_options", options, firstSize: aesup_encode_options_first_size(), defaults: encodeDefaults) { options in
      distribution(name, handle, workspace, x, n, conditions: options.conditions, labels: options.labels, mean, logVariance)
    }
  }
}

// MARK: Sampling

/// The shared body of the sampling calls. `own`: a NULL workspace means the call's own scratch
/// (else a workspace is required).
@inline(__always)
func sample(
  _ name: String, _ handle: ModelHandle, _ workspace: OpaquePointer?, own: Bool, _ n: Int, _ seed: UInt64,
  _ temperature: Float, _ x: UnsafeMutablePointer<Float>?, _ z: UnsafeMutablePointer<Float>?, label: Int? = nil,
  conditions: UnsafePointer<Float>? = nil
) -> Int32 {
  guard let x else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): x_out is NULL") }
  guard n != 0 else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): n is 0; ask for at least one sample") }
  let m = handle.model
  guard n > 0, elementCount(n, max(m.inputWidth, m.codeWidth)) != nil, conditions == nil || elementCount(n, m.conditionWidth) != nil else {
    return fail(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: n)) samples do not fit in memory")
  }
  if let label, label < 0 { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): label \(UInt(bitPattern: label)) is out of range") }
  return withScratch(name, m, workspace, own: own, rows: n) { scratch in
    do {
      try m.sample(rows: n, seed: seed, temperature: temperature, conditions: conditions, label: label, into: x, codes: z,
                           workspace: scratch)
      return ok
    } catch {
      return fail(error)
    }
  }
}

@_cdecl("ae_sample")
public func ae_sample(_ model: OpaquePointer?, _ n: Int, _ seed: UInt64, _ temperature: Float,
                      _ x: UnsafeMutablePointer<Float>?, _ z: UnsafeMutablePointer<Float>?) -> Int32 {
  withModel("ae_sample", model) { sample("ae_sample", $0, nil, own: true, n, seed, temperature, x, z) }
}

@_cdecl("ae_sample_ws")
public func ae_sample_ws(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ n: Int, _ seed: UInt64, _ temperature: Float,
                         _ x: UnsafeMutablePointer<Float>?, _ z: UnsafeMutablePointer<Float>?) -> Int32 {
  withModel("ae_sample_ws", model) { sample("ae_sample_ws", $0, workspace, own: false, n, seed, temperature, x, z) }
}

@_cdecl("ae_sample_class")
public func ae_sample_class(_ model: OpaquePointer?, _ n: Int, _ label: Int, _ seed: UInt64, _ temperature: Float,
                            _ x: UnsafeMutablePointer<Float>?, _ z: UnsafeMutablePointer<Float>?) -> Int32 {
  withModel("ae_sample_class", model) { sample("ae_sample_class", $0, nil, own: true, n, seed, temperature, x, z, label: label) }
}

@_cdecl("ae_sample_v2")
public func ae_sample_v2(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ n: Int, _ options: UnsafePointer<ae_sample_options>?,
                         _ x: UnsafeMutablePointer<Float>?, _ z: UnsafeMutablePointer<Float>?) -> Int32 {
  let name = "ae_sample_v2"
  return withModel(name, model) { handle in
    withOptions(name, "ae_sample_options", options, firstSize: aesup_sample_options_first_size(), defaults: sampleDefaults) { options in
      let (label, refused) = optionalLabel(name, options.label)
      if let refused { return refused }
      return sample(name, handle, workspace, own: true, n, options.seed, options.temperature, x, z, label: label.map { Int($0) },
                    conditions: options.conditions)
    }
  }
}

// MARK: Interpolation

/// The shared body of ae_interpolate and ae_interpolate_v2 (whose workspace may be NULL).
@inline(__always)
func interpolate(
  _ name: String, _ handle: ModelHandle, _ workspace: OpaquePointer?, _ a: UnsafePointer<Float>?, _ b: UnsafePointer<Float>?,
  steps: Int, spherical: Bool, condition: UnsafePointer<Float>? = nil, label: Int32? = nil, _ x: UnsafeMutablePointer<Float>?
) -> Int32 {
  guard let a, let b, let x else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): z_a, z_b and x_out must not be NULL") }
  guard steps < 0 || steps >= 2 else {
    return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): steps is \(steps); a path needs at least 2 (its two ends)")
  }
  let m = handle.model
  guard steps > 0, elementCount(steps, max(m.inputWidth, m.codeWidth)) != nil else {
    return fail(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: steps)) steps do not fit in memory")
  }
  return withScratch(name, m, workspace, own: true, rows: steps) { scratch in
    do {
      try m.interpolate(from: a, to: b, steps: steps, spherical: spherical, condition: condition, label: label, into: x,
                                workspace: scratch)
      return ok
    } catch {
      return fail(error)
    }
  }
}

@_cdecl("ae_interpolate")
public func ae_interpolate(_ model: OpaquePointer?, _ a: UnsafePointer<Float>?, _ b: UnsafePointer<Float>?, _ steps: Int,
                           _ spherical: Int32, _ x: UnsafeMutablePointer<Float>?) -> Int32 {
  withModel("ae_interpolate", model) { interpolate("ae_interpolate", $0, nil, a, b, steps: steps, spherical: spherical != 0, x) }
}

@_cdecl("ae_interpolate_v2")
public func ae_interpolate_v2(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ a: UnsafePointer<Float>?,
                              _ b: UnsafePointer<Float>?, _ options: UnsafePointer<ae_interpolate_options>?,
                              _ x: UnsafeMutablePointer<Float>?) -> Int32 {
  let name = "ae_interpolate_v2"
  return withModel(name, model) { handle in
    guard let options else {
      return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): options is NULL; steps has no default (start from ae_interpolate_options_default())")
    }
    return withOptions(name, "ae_interpolate_options", options, firstSize: aesup_interpolate_options_first_size(),
                       defaults: interpolateDefaults) { options in
      let (label, refused) = optionalLabel(name, options.label)
      if let refused { return refused }
      return interpolate(name, handle, workspace, a, b, steps: options.steps, spherical: options.spherical != 0,
                         condition: options.condition, label: label, x)
    }
  }
}
