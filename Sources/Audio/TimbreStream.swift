#if canImport(Glibc)
import Glibc
#endif
import CFFTW
import Runtime
import Synchronization
import Tensor

/// Why a stream refused a call. `kind` says which C status it maps to.
public struct TimbreStreamError: Error, CustomStringConvertible, Sendable {
  public enum Kind: Sendable {
    /// Zero frames, a pitch where none is taken or none where one is needed, a pitch out of range.
    case invalidArgument
    /// A NaN or infinite code or pitch.
    case nonFinite
    /// The queue has no room for the frames: retry once the stream has drained some.
    case queueFull
    /// Two threads pushing (or pulling) at once, or a reset during a push or pull.
    case busy
  }

  public let kind: Kind
  public let description: String
  public init(_ kind: Kind, _ description: String) {
    self.kind = kind
    self.description = description
  }
}

/// A timbre model played in real time: a control thread pushes codes (one per frame), an
/// audio thread pulls samples. Each frame is decoded on demand (`decodeFrame`), given phases by
/// `StreamingPhase`, inverse-transformed, windowed and overlap-added; a frame releases `hop`
/// samples. When the queue runs dry the last code is held (silence before the first one).
///
/// Threading: one pusher and one puller, which may be different threads; the queue between
/// them is a lock-free single-producer/single-consumer ring on Swift `Synchronization` atomics.
/// A second concurrent pusher (or puller) is refused with `.busy`, not raced.
/// Real-time: `pull` takes no lock, allocates nothing and throws only when a frame's decoding
/// fails (a crafted model whose outputs overflow). Every buffer is made in `init`.
/// Latency: a code reaches the output fully `fftSize` samples after the pull that takes it.
public final class TimbreStream: @unchecked Sendable {
  public let model: TimbreModel
  public let workspace: Workspace
  /// Frames the queue holds.
  public let capacity: Int
  public let fftSize: Int
  public let hop: Int
  public let bins: Int
  public let latentWidth: Int
  /// Samples between pushing a code (when the queue is empty) and hearing all of it.
  public var latency: Int { fftSize }

  /// The most frames a queue may hold (over an hour at 16 kHz with a hop of 256).
  public static let maximumCapacity = 1 << 20

  // The queue: frame i lives in slot i % capacity. `pushed` is written by the pusher only,
  // `taken` by the puller only; each reads the other's with acquire ordering.
  private let queuedCodes: UnsafeMutablePointer<Float>
  private let queuedPitches: UnsafeMutablePointer<Float>
  private let pushed = Atomic<Int>(0)
  private let taken = Atomic<Int>(0)
  private let pushing = Atomic<Bool>(false)
  private let pulling = Atomic<Bool>(false)

  // The puller's state.
  private let code: UnsafeMutablePointer<Float>
  private var pitch: Float = 0
  private var hasCode = false
  private let scratch: UnsafeMutablePointer<Float>
  private let magnitudes: UnsafeMutablePointer<Float>
  private let phase: UnsafeMutablePointer<Float>
  /// Interleaved complex bins, then (FFTW's c2r overwrites it) scratch of the transform.
  private let spectrum: UnsafeMutablePointer<Float>
  private let frame: UnsafeMutablePointer<Float>
  /// The model's analysis window divided by fftSize (FFTW's inverse is unnormalised).
  private let window: UnsafeMutablePointer<Float>
  /// Per position within a hop: 1 / (the steady-state sum of squared windows there).
  private let normalizer: UnsafeMutablePointer<Float>
  private let accumulator: UnsafeMutablePointer<Float>
  /// The samples the last frame released; `readyStart` of them were handed out.
  private let ready: UnsafeMutablePointer<Float>
  private var readyStart: Int
  private var phases: StreamingPhase
  private let inversePlan: OpaquePointer
  private var buffers: [UnsafeMutablePointer<Float>] = []

  /// A stream of `model` decoding with `workspace` (made for `model.runtime`, 1 row is enough,
  /// and used by nobody else while the stream lives) and a queue of `capacity` frames.
  /// Throws `AllocationError` when memory runs out, `AudioError` for bad sizes.
  public init(model: TimbreModel, workspace: Workspace, capacity: Int) throws {
    guard (1...Self.maximumCapacity).contains(capacity) else {
      throw AudioError("a stream's queue holds 1 to \(Self.maximumCapacity) frames, not \(capacity)")
    }
    guard workspace.model === model.runtime else {
      throw AudioError("the workspace was made for another model")
    }
    self.model = model
    self.workspace = workspace
    self.capacity = capacity
    fftSize = model.settings.fftSize
    hop = model.settings.hop
    bins = model.features.bins
    latentWidth = model.latentWidth
    readyStart = hop
    phases = StreamingPhase(bins: bins, hop: hop, fftSize: fftSize)
    inversePlan = FFTPlans.plans(size: fftSize).inverse

    // Every buffer from fftwf_malloc (aligned as the shared plans expect), checked.
    var made: [UnsafeMutablePointer<Float>] = []
    func floats(_ count: Int) throws -> UnsafeMutablePointer<Float> {
      guard let raw = fftwf_malloc(max(count, 1) * MemoryLayout<Float>.stride) else {
        made.forEach { fftwf_free($0) }
        throw AllocationError("out of memory: cannot allocate \(count * 4) bytes for a sound stream")
      }
      let pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
      pointer.initialize(repeating: 0, count: max(count, 1))
      made.append(pointer)
      return pointer
    }
    queuedCodes = try floats(capacity * latentWidth)
    queuedPitches = try floats(capacity)
    code = try floats(latentWidth)
    scratch = try floats(model.runtime.inputWidth)
    magnitudes = try floats(bins)
    phase = try floats(bins)
    spectrum = try floats(2 * bins)
    frame = try floats(fftSize)
    window = try floats(fftSize)
    normalizer = try floats(hop)
    accumulator = try floats(fftSize)
    ready = try floats(hop)
    buffers = made

    let kind = model.features.stft.windowKind
    for i in 0..<fftSize { window[i] = Float(kind.value(i, size: fftSize) / Double(fftSize)) }
    // Sample j of a hop collects frames at offsets j, j + hop, ... of their windows (the
    // synthesis window times the analysis window the magnitudes came through: the window
    // squared, as the offline inverse STFT divides by).
    for j in 0..<hop {
      var sum = 0.0
      for i in stride(from: j, to: fftSize, by: hop) {
        let w = kind.value(i, size: fftSize)
        sum += w * w
      }
      normalizer[j] = sum > 1e-6 ? Float(1 / sum) : 0
    }
  }

  deinit { buffers.forEach { fftwf_free($0) } }

  /// Frames that can be pushed now.
  public var room: Int { capacity - (pushed.load(ordering: .relaxed) - taken.load(ordering: .acquiring)) }

  /// Queue `frames` codes (frames x latentWidth, row-major) and, for a pitch-conditioned
  /// model, one pitch per frame (MIDI note numbers, 0 to 127; nil for a model without pitch).
  /// All or nothing: `.queueFull` when they do not fit (see `room`). Allocates nothing.
  public func push(codes: UnsafePointer<Float>, pitches: UnsafePointer<Float>?, frames: Int) throws {
    guard !pushing.exchange(true, ordering: .acquiring) else {
      throw TimbreStreamError(.busy, "another thread is pushing to this stream; a stream takes one pusher at a time")
    }
    defer { pushing.store(false, ordering: .releasing) }
    guard frames > 0 else { throw TimbreStreamError(.invalidArgument, "frames is 0; push at least one frame") }
    // Room first: the caller's arrays are read only for frames that can be queued, so a
    // count far beyond the queue (and the arrays) is refused without touching them.
    let start = pushed.load(ordering: .relaxed)
    let free = capacity - (start - taken.load(ordering: .acquiring))
    guard frames <= free else {
      throw TimbreStreamError(.queueFull, "the queue has room for \(free) of the \(frames) frames (it holds \(capacity)); push again once the stream has played some")
    }
    if model.takesPitch {
      guard let pitches else {
        throw TimbreStreamError(.invalidArgument, "this model is conditioned on pitch: give one pitch (a MIDI note number) per frame")
      }
      for t in 0..<frames {
        guard pitches[t].isFinite else { throw TimbreStreamError(.nonFinite, "pitch \(t) is \(pitches[t]); pitches are finite MIDI note numbers") }
        guard (0...127).contains(pitches[t]) else {
          throw TimbreStreamError(.invalidArgument, "pitch \(t) is \(pitches[t]); a pitch is a MIDI note number from 0 to 127")
        }
      }
    } else if pitches != nil {
      throw TimbreStreamError(.invalidArgument, "this model takes no pitch; pass no pitches")
    }
    for i in 0..<(frames * latentWidth) where !codes[i].isFinite {
      throw TimbreStreamError(.nonFinite, "code value \(i) (frame \(i / latentWidth)) is \(codes[i]); codes must be finite")
    }
    for t in 0..<frames {
      let slot = (start + t) % capacity
      (queuedCodes + slot * latentWidth).update(from: codes + t * latentWidth, count: latentWidth)
      queuedPitches[slot] = pitches?[t] ?? 0
    }
    pushed.store(start + frames, ordering: .releasing)
  }

  /// The next `count` samples into `out`. Real-time safe (see the type's comment). If a
  /// frame cannot be decoded the rest of `out` is silence and the error is thrown.
  public func pull(into out: UnsafeMutablePointer<Float>, count: Int) throws {
    guard !pulling.exchange(true, ordering: .acquiring) else {
      throw TimbreStreamError(.busy, "another thread is pulling from this stream; a stream takes one puller at a time")
    }
    defer { pulling.store(false, ordering: .releasing) }
    var done = 0
    while done < count {
      if readyStart == hop {
        do {
          try renderFrame()
        } catch {
          (out + done).update(repeating: 0, count: count - done)
          throw error
        }
        readyStart = 0
      }
      let n = min(hop - readyStart, count - done)
      (out + done).update(from: ready + readyStart, count: n)
      readyStart += n
      done += n
    }
  }

  /// Back to a new stream's state: the queue emptied, silence until the next push. Not while
  /// a push or pull runs (`.busy`).
  public func reset() throws {
    guard !pushing.exchange(true, ordering: .acquiring) else {
      throw TimbreStreamError(.busy, "a push is running; reset a stream while nobody pushes or pulls")
    }
    defer { pushing.store(false, ordering: .releasing) }
    guard !pulling.exchange(true, ordering: .acquiring) else {
      throw TimbreStreamError(.busy, "a pull is running; reset a stream while nobody pushes or pulls")
    }
    defer { pulling.store(false, ordering: .releasing) }
    pushed.store(0, ordering: .releasing)
    taken.store(0, ordering: .releasing)
    hasCode = false
    accumulator.update(repeating: 0, count: fftSize)
    readyStart = hop
    phases = StreamingPhase(bins: bins, hop: hop, fftSize: fftSize)
  }

  /// Take the next queued code, if any, into `code` (else the last one stays).
  private func takeNextCode() {
    let next = taken.load(ordering: .relaxed)
    guard next < pushed.load(ordering: .acquiring) else { return }
    let slot = next % capacity
    code.update(from: queuedCodes + slot * latentWidth, count: latentWidth)
    pitch = queuedPitches[slot]
    hasCode = true
    taken.store(next + 1, ordering: .releasing)
  }

  /// Decode one frame, overlap-add it, and release its first `hop` samples into `ready`.
  private func renderFrame() throws {
    takeNextCode()
    if hasCode {
      do {
        try model.decodeFrame(code: code, pitch: pitch, workspace: workspace, scratch: scratch, into: magnitudes)
      } catch {
        magnitudes.update(repeating: 0, count: bins)
        release()
        throw error
      }
    }
    if hasCode {
      phases.next(magnitudes: magnitudes, phase: phase)
      for k in 0..<bins {
        spectrum[2 * k] = magnitudes[k] * cosf(phase[k])
        spectrum[2 * k + 1] = magnitudes[k] * sinf(phase[k])
      }
      spectrum.withMemoryRebound(to: fftwf_complex.self, capacity: bins) {
        fftwf_execute_dft_c2r(inversePlan, $0, frame)
      }
      for i in 0..<fftSize { accumulator[i] += frame[i] * window[i] }
    }
    release()
  }

  /// Move the accumulator's first hop (no later frame reaches it) into `ready`, normalised,
  /// and shift the rest down.
  private func release() {
    for j in 0..<hop { ready[j] = accumulator[j] * normalizer[j] }
    memmove(accumulator, accumulator + hop, (fftSize - hop) * MemoryLayout<Float>.stride)
    (accumulator + (fftSize - hop)).update(repeating: 0, count: hop)
  }
}
