import CAutoencoderSupport
import Models
import Runtime
import Tensor

// Anomaly detection: which score the model gives, its calibrated threshold, and rows labelled
// against it (ae_model_score_kind, ae_model_threshold, ae_classify).

/// The score's name as a C string that lives as long as the process.
private func cName(_ score: AnomalySettings.Score) -> UnsafePointer<CChar> {
  let name: StaticString = switch score {
  case .loss: "loss"
  case .excess: "excess"
  case .mse: "mse"
  case .code: "code"
  case .neighbours: "neighbours"
  case .combined: "combined"
  }
  return UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
}

@_cdecl("ae_model_score_kind")
public func ae_model_score_kind(_ model: OpaquePointer?) -> UnsafePointer<CChar>? {
  inspect("ae_model_score_kind", model, nil) { cName($0.model.anomaly.score) }
}

@_cdecl("ae_model_threshold")
public func ae_model_threshold(_ model: OpaquePointer?, _ threshold: UnsafeMutablePointer<Double>?) -> Int32 {
  withModel("ae_model_threshold", model) { handle in
    guard let threshold else { return fail(AE_ERROR_INVALID_ARGUMENT, "ae_model_threshold: threshold is NULL") }
    guard let value = handle.model.threshold else {
      return fail(AE_ERROR_UNSUPPORTED, "ae_model_threshold: the model has no anomaly threshold; train it with ae train --calibrate Q or --contamination C")
    }
    threshold.pointee = value
    return ok
  }
}

@_cdecl("ae_classify")
public func ae_classify(_ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int, _ labels: UnsafeMutablePointer<Int32>?) -> Int32 {
  let name = "ae_classify"
  return withModel(name, model) { handle in
    guard let x else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): x is NULL") }
    guard let labels else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): labels is NULL") }
    guard n != 0 else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): n is 0; pass at least one row") }
    let m = handle.model
    guard n > 0, elementCount(n, m.inputWidth) != nil, elementCount(n, 4) != nil else {
      return fail(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: n)) rows of \(m.inputWidth) values do not fit in memory")
    }
    guard m.threshold != nil else {
      return fail(AE_ERROR_UNSUPPORTED, "\(name): the model has no anomaly threshold; train it with ae train --calibrate Q or --contamination C")
    }
    return withScratch(name, m, nil, own: true, rows: n) { scratch in
      do {
        let scores = try FloatBuffer(count: n, for: "\(n) scores")
        try m.classify(x, rows: n, scores: scores.pointer, into: labels, workspace: scratch)
        return ok
      } catch {
        return fail(error)
      }
    }
  }
}
