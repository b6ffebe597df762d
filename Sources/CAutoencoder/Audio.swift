import Audio
import CAutoencoderSupport
import Runtime
import Tensor

#if canImport(Glibc)
import Glibc
#endif

// Timbre models (made by `ae audio train`): their sound settings (ae_audio_info), whole sounds
// (ae_audio_generate, ae_audio_morph, and the lengths they need) and real-time streams
// (ae_stream_*), whose pull allocates nothing and takes no lock.

/// Run `body` with the timbre model behind `model`, or refuse a model that is not one.
@inline(__always)
func withTimbre(_ name: String, _ model: OpaquePointer?, _ body: (TimbreModel) -> Int32) -> Int32 {
  withModel(name, model) { handle in
    switch handle.timbre {
    case .success(let timbre): return body(timbre)
    case .failure(let problem):
      return fail(AE_ERROR_UNSUPPORTED, "\(name): \(problem.description)")
    }
  }
}

/// The pitch a call was given (NaN: none) as the Swift side takes it, or a refusal.
func pitchArgument(_ name: String, _ timbre: TimbreModel, _ pitch: Float, _ what: String = "pitch") -> Result<Double?, Refusal> {
  if pitch.isNaN {
    return timbre.takesPitch
      ? .failure(Refusal(AE_ERROR_INVALID_ARGUMENT, "\(name): \(what) is NaN, but this model is conditioned on pitch: give a MIDI note number (0 to 127)"))
      : .success(nil)
  }
  guard timbre.takesPitch else {
    return .failure(Refusal(AE_ERROR_INVALID_ARGUMENT, "\(name): \(what) is \(pitch), but this model takes no pitch: pass NAN"))
  }
  guard pitch.isFinite, (0...127).contains(pitch) else {
    return .failure(Refusal(AE_ERROR_INVALID_ARGUMENT, "\(name): \(what) is \(pitch); a pitch is a MIDI note number from 0 to 127"))
  }
  return .success(Double(pitch))
}

/// A status and its message, not yet recorded.
struct Refusal: Error {
  let status: ae_status
  let message: String
  init(_ status: ae_status, _ message: String) {
    self.status = status
    self.message = message
  }
  var recorded: Int32 { fail(status, message) }
}

/// Samples `ae_audio_generate` writes for `seconds`, or a refusal.
func generatedLength(_ name: String, _ timbre: TimbreModel, _ seconds: Double) -> Result<Int, Refusal> {
  guard seconds.isFinite, seconds > 0, seconds <= 3600 else {
    return .failure(Refusal(AE_ERROR_INVALID_ARGUMENT, "\(name): seconds is \(seconds); a sound lasts more than 0 and at most 3600 seconds"))
  }
  let samples = Int(seconds * Double(timbre.sampleRate))
  guard samples > 0 else {
    return .failure(Refusal(AE_ERROR_INVALID_ARGUMENT, "\(name): \(seconds) seconds is less than one sample at \(timbre.sampleRate) Hz"))
  }
  return .success(samples)
}

/// Samples `ae_audio_morph` writes: `steps` sounds as long as `a`, or a refusal.
func morphedLength(_ name: String, _ aLength: Int, _ bLength: Int, _ steps: Int) -> Result<Int, Refusal> {
  guard aLength > 0, bLength > 0 else {
    return .failure(Refusal(AE_ERROR_INVALID_ARGUMENT, "\(name): a_len and b_len must be at least 1 sample"))
  }
  guard (2...1000).contains(steps) else {
    return .failure(Refusal(AE_ERROR_INVALID_ARGUMENT, "\(name): steps is \(UInt(bitPattern: steps)); a morph has 2 to 1000 steps"))
  }
  guard let total = elementCount(aLength, steps), elementCount(bLength, 1) != nil else {
    return .failure(Refusal(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: aLength)) samples times \(steps) steps do not fit in memory"))
  }
  return .success(total)
}

/// Refuse a sound whose working memory could not be allocated now: the Swift side's arrays
/// would abort the process where this returns AE_ERROR_OUT_OF_MEMORY. Measured (peak resident
/// size of a render): about 9 floats per bin of each frame (the spectra, several times over
/// while the phase is reconstructed) and 4 per sample; with a margin.
func memoryProblem(_ name: String, _ timbre: TimbreModel, samples: Int) -> Refusal? {
  let frames = timbre.frameCount(samples: samples)
  guard let spectra = elementCount(frames, timbre.features.bins * 10), let sound = elementCount(samples, 8),
        spectra <= Int.max / 8 - sound else {
    return Refusal(AE_ERROR_OVERFLOW, "\(name): a sound of \(samples) samples does not fit in memory")
  }
  do { _ = try FloatBuffer(count: spectra + sound, for: "a sound of \(samples) samples") } catch {
    return Refusal(AE_ERROR_OUT_OF_MEMORY, "\(name): \(error)")
  }
  return nil
}

/// Copy a rendered sound to the caller's buffer, or refuse a buffer too small for it.
func deliver(_ name: String, _ samples: [Float], _ out: UnsafeMutablePointer<Float>, _ capacity: Int,
             _ written: UnsafeMutablePointer<Int>) -> Int32 {
  guard samples.count <= capacity else {
    return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): out holds \(capacity) samples but the sound has \(samples.count); pass a buffer of at least \(samples.count)")
  }
  guard samples.allSatisfy({ $0.isFinite }) else {
    return fail(AE_ERROR_NON_FINITE, "\(name): the model's output overflowed a float")
  }
  samples.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: $0.count) }
  written.pointee = samples.count
  return ok
}

/// A status for an error of the Swift sound code.
func failSound(_ name: String, _ error: Error) -> Int32 {
  switch error {
  case let e as AudioError: return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): \(e.description)")
  case let e as TimbreStreamError:
    let status: ae_status
    switch e.kind {
    case .invalidArgument: status = AE_ERROR_INVALID_ARGUMENT
    case .nonFinite: status = AE_ERROR_NON_FINITE
    case .queueFull: status = AE_ERROR_QUEUE_FULL
    case .busy: status = AE_ERROR_MISUSE
    }
    return fail(status, "\(name): \(e.description)")
  default: return fail(error)
  }
}

// MARK: Settings and whole sounds

@_cdecl("ae_audio_info")
public func ae_audio_info(_ model: OpaquePointer?, _ info: UnsafeMutablePointer<CAutoencoderSupport.ae_audio_info>?) -> Int32 {
  let name = "ae_audio_info"
  return withTimbre(name, model) { timbre in
    guard let info else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): info is NULL") }
    // Like the options structs, but written: only the caller's `size` bytes of it.
    let size = UnsafeRawPointer(info).loadUnaligned(as: Int.self)
    let known = MemoryLayout<CAutoencoderSupport.ae_audio_info>.stride
    guard size >= aesup_audio_info_first_size() else {
      return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): info->size is \(UInt(bitPattern: size)), not sizeof(struct ae_audio_info) (\(known)); start from ae_audio_info_default(), which sets it")
    }
    guard size <= known else {
      return fail(AE_ERROR_VERSION, "\(name): info->size is \(size), larger than the \(known)-byte struct ae_audio_info of this library: the program was built with a newer autoencoder.h; run it with a library at least as new")
    }
    var answer = CAutoencoderSupport.ae_audio_info()
    answer.size = size
    answer.sample_rate = timbre.sampleRate
    answer.fft_size = timbre.settings.fftSize
    answer.hop = timbre.settings.hop
    answer.latent_dim = timbre.latentWidth
    answer.takes_pitch = timbre.takesPitch ? 1 : 0
    withUnsafeBytes(of: &answer) { UnsafeMutableRawPointer(info).copyMemory(from: $0.baseAddress!, byteCount: size) }
    return ok
  }
}

@_cdecl("ae_audio_generate_length")
public func ae_audio_generate_length(_ model: OpaquePointer?, _ seconds: Double, _ samples: UnsafeMutablePointer<Int>?) -> Int32 {
  let name = "ae_audio_generate_length"
  return withTimbre(name, model) { timbre in
    guard let samples else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): samples is NULL") }
    switch generatedLength(name, timbre, seconds) {
    case .failure(let refusal): return refusal.recorded
    case .success(let length):
      samples.pointee = length
      return ok
    }
  }
}

@_cdecl("ae_audio_generate")
public func ae_audio_generate(
  _ model: OpaquePointer?, _ seconds: Double, _ seed: UInt64, _ pitch: Float,
  _ out: UnsafeMutablePointer<Float>?, _ capacity: Int, _ written: UnsafeMutablePointer<Int>?
) -> Int32 {
  let name = "ae_audio_generate"
  return withTimbre(name, model) { timbre in
    guard let out, let written else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): out and written must not be NULL") }
    let length: Int, note: Double?
    switch (generatedLength(name, timbre, seconds), pitchArgument(name, timbre, pitch)) {
    case (.failure(let refusal), _), (_, .failure(let refusal)): return refusal.recorded
    case (.success(let l), .success(let p)): (length, note) = (l, p)
    }
    guard length <= capacity else {
      return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): out holds \(capacity) samples but \(seconds) seconds need \(length); pass a buffer of at least \(length) (ae_audio_generate_length)")
    }
    if let refusal = memoryProblem(name, timbre, samples: length) { return refusal.recorded }
    do {
      let sound = try timbre.generate(seconds: seconds, seed: seed, pitch: note)
      return deliver(name, sound.samples, out, capacity, written)
    } catch {
      return failSound(name, error)
    }
  }
}

@_cdecl("ae_audio_morph_length")
public func ae_audio_morph_length(_ model: OpaquePointer?, _ aLength: Int, _ bLength: Int, _ steps: Int,
                                  _ samples: UnsafeMutablePointer<Int>?) -> Int32 {
  let name = "ae_audio_morph_length"
  return withTimbre(name, model) { _ in
    guard let samples else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): samples is NULL") }
    switch morphedLength(name, aLength, bLength, steps) {
    case .failure(let refusal): return refusal.recorded
    case .success(let length):
      samples.pointee = length
      return ok
    }
  }
}

@_cdecl("ae_audio_morph")
public func ae_audio_morph(
  _ model: OpaquePointer?, _ a: UnsafePointer<Float>?, _ aLength: Int, _ b: UnsafePointer<Float>?, _ bLength: Int,
  _ pitchA: Float, _ pitchB: Float, _ steps: Int,
  _ out: UnsafeMutablePointer<Float>?, _ capacity: Int, _ written: UnsafeMutablePointer<Int>?
) -> Int32 {
  let name = "ae_audio_morph"
  return withTimbre(name, model) { timbre in
    guard let a, let b, let out, let written else {
      return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): a, b, out and written must not be NULL")
    }
    let length: Int, pitches: (Double, Double)?
    switch (morphedLength(name, aLength, bLength, steps), pitchArgument(name, timbre, pitchA, "pitch_a"),
            pitchArgument(name, timbre, pitchB, "pitch_b")) {
    case (.failure(let refusal), _, _), (_, .failure(let refusal), _), (_, _, .failure(let refusal)): return refusal.recorded
    case (.success(let l), .success(let p), .success(let q)): (length, pitches) = (l, p.flatMap { p in q.map { (p, $0) } })
    }
    guard length <= capacity else {
      return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): out holds \(capacity) samples but the morph needs \(length) (\(steps) steps of a_len \(aLength)); pass a buffer of at least \(length) (ae_audio_morph_length)")
    }
    for (sound, count, label) in [(a, aLength, "a"), (b, bLength, "b")] {
      if let i = (0..<count).first(where: { !sound[$0].isFinite }) {
        return fail(AE_ERROR_NON_FINITE, "\(name): sample \(i) of \(label) is \(sound[i]); sounds must be finite")
      }
    }
    if let refusal = memoryProblem(name, timbre, samples: max(length, bLength)) { return refusal.recorded }
    do {
      let sound = try timbre.morph(Array(UnsafeBufferPointer(start: a, count: aLength)),
                                   Array(UnsafeBufferPointer(start: b, count: bLength)), pitches: pitches, steps: steps)
      return deliver(name, sound.samples, out, capacity, written)
    } catch {
      return failSound(name, error)
    }
  }
}

// MARK: Streams

/// What an `ae_stream *` stands for: the stream, and the caller's workspace handle when the
/// stream decodes with one (each pull then takes it as a _ws call does); nil when the stream
/// made its own.
final class StreamHandle {
  let stream: TimbreStream
  let workspace: OpaquePointer?
  init(_ stream: TimbreStream, workspace: OpaquePointer?) {
    self.stream = stream
    self.workspace = workspace
  }
}

/// `withHandle` for a stream: counted in, not exclusively (its pusher and puller run at once;
/// the stream itself refuses a second pusher or puller).
@inline(__always)
func withStream(_ name: String, _ pointer: OpaquePointer?, _ body: (StreamHandle) -> Int32) -> Int32 {
  withHandle(name, .stream, pointer, as: StreamHandle.self, body)
}

@_cdecl("ae_stream_create")
public func ae_stream_create(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ queueFrames: Int,
                             _ stream: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
  let name = "ae_stream_create"
  return withTimbre(name, model) { timbre in
    guard let stream else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): stream is NULL") }
    guard queueFrames >= 1, queueFrames <= TimbreStream.maximumCapacity else {
      return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): queue_frames is \(UInt(bitPattern: queueFrames)); a queue holds 1 to \(TimbreStream.maximumCapacity) frames")
    }
    func make(_ scratch: Workspace) -> Int32 {
      guard scratch.model === timbre.runtime else {
        return fail(AE_ERROR_WORKSPACE, "\(name): the workspace was made for another model")
      }
      let made: TimbreStream
      do { made = try TimbreStream(model: timbre, workspace: scratch, capacity: queueFrames) } catch { return failSound(name, error) }
      guard let opaque = registerHandle(StreamHandle(made, workspace: workspace), .stream) else {
        return fail(AE_ERROR_OUT_OF_MEMORY, "\(name): out of memory for the stream's handle")
      }
      stream.pointee = opaque
      return ok
    }
    if workspace != nil { return withWorkspace(name, workspace, make) }
    do { return make(try timbre.runtime.makeWorkspace(maxRows: 1)) } catch { return fail(error) }
  }
}

@_cdecl("ae_stream_push")
public func ae_stream_push(_ stream: OpaquePointer?, _ codes: UnsafePointer<Float>?, _ pitches: UnsafePointer<Float>?,
                           _ frames: Int) -> Int32 {
  let name = "ae_stream_push"
  return withStream(name, stream) { handle in
    guard let codes else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): codes is NULL") }
    guard frames >= 0, elementCount(frames, handle.stream.latentWidth) != nil else {
      return fail(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: frames)) frames of codes do not fit in memory")
    }
    do {
      try handle.stream.push(codes: codes, pitches: pitches, frames: frames)
      return ok
    } catch {
      return failSound(name, error)
    }
  }
}

@_cdecl("ae_stream_pull")
public func ae_stream_pull(_ stream: OpaquePointer?, _ out: UnsafeMutablePointer<Float>?, _ n: Int) -> Int32 {
  let name = "ae_stream_pull"
  return withStream(name, stream) { handle in
    guard let out else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): out is NULL") }
    guard n != 0 else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): n is 0; ask for at least one sample") }
    guard n > 0 else { return fail(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: n)) samples do not fit in memory") }
    func pull() -> Int32 {
      do {
        try handle.stream.pull(into: out, count: n)
        return ok
      } catch {
        return failSound(name, error)
      }
    }
    guard let workspace = handle.workspace else { return pull() }
    return withWorkspace(name, workspace) { _ in pull() }
  }
}

@_cdecl("ae_stream_room")
public func ae_stream_room(_ stream: OpaquePointer?) -> Int {
  var room = 0
  _ = withStream("ae_stream_room", stream) { handle in
    room = handle.stream.room
    return ok
  }
  return room
}

@_cdecl("ae_stream_reset")
public func ae_stream_reset(_ stream: OpaquePointer?) -> Int32 {
  let name = "ae_stream_reset"
  return withStream(name, stream) { handle in
    do {
      try handle.stream.reset()
      return ok
    } catch {
      return failSound(name, error)
    }
  }
}

@_cdecl("ae_stream_free")
public func ae_stream_free(_ stream: OpaquePointer?) { closeHandle("ae_stream_free", .stream, stream) }
