import Audio
import AudioTraining
import CAllocationCounter
import Models
import Runtime
import Testing

/// The real-time stream overlap-adds with the model's own window: pulled block by block, it
/// gives the offline render (the same streaming phases, no Griffin-Lim passes) delayed by
/// fftSize / 2 samples, for every window (the Blackman model on mel frames, so the stream's
/// mel-to-bins path is the offline one too). Measured: within 2.3e-6 of the peak; a stream
/// that kept Hann for these models was off by 2.7e-2 (Hamming) and 0.14 (Blackman). Its pulls
/// allocate nothing, on the mel model too.
@Suite struct TimbreStreamWindowTests {
  @Test(arguments: SpectralWindow.allCases)
  func theStreamPlaysWhatTheOfflineRenderPlays(window: SpectralWindow) throws {
    var options = TimbreTrainer.Options()
    options.settings = SpectrogramSettings(sampleRate: TimbreTests.rate, fftSize: 256, hop: 64, window: window,
                                           condition: "pitch", mels: window == .blackman ? 64 : 0)
    options.latent = 4
    options.hidden = [32]
    options.epochs = 2
    let (trained, _, _) = try TimbreTrainer.fit(TimbreTests.sounds(pitches: [55, 60, 65]), options: options)
    let model = try TimbreModel(InferenceModel(trained))
    model.iterations = 0

    let pitch = 60.0, n = 256, hop = 64
    let codes = try model.encode(TimbreTests.note(pitch: pitch, brightness: 0.6), pitch: pitch)
    let frames = codes.rows, length = model.length(frames: frames)
    let offline = model.render(magnitudes: try model.magnitudes(codes, pitches: [pitch]), frames: frames, length: length)

    let stream = try TimbreStream(model: model, workspace: try model.runtime.makeWorkspace(maxRows: 1), capacity: frames)
    let pitches = [Float](repeating: Float(pitch), count: frames)
    try stream.push(codes: codes.data, pitches: pitches, frames: frames)
    var played = [Float](repeating: 0, count: frames * hop)
    try played.withUnsafeMutableBufferPointer { out in
      for start in stride(from: 0, to: out.count, by: 48) { // blocks that straddle the hops
        try stream.pull(into: out.baseAddress! + start, count: min(48, out.count - start))
      }
    }
    // Pulls allocate nothing on a mel model either (its bands are read back at the bins in
    // buffers made once).
    if aecount_available() != 0 {
      var block = [Float](repeating: 0, count: 64)
      try block.withUnsafeMutableBufferPointer { out in
        aecount_start()
        for _ in 0..<8 { try stream.pull(into: out.baseAddress!, count: 64) }
        #expect(aecount_stop() == 0, "\(window): a pull allocated")
      }
    }
    // Away from both ends, where the offline inverse has fewer frames overlapping.
    let peak = offline.reduce(0) { max($0, abs($1)) }
    var worst: Float = 0
    for q in (n / 2)..<(length - n) { worst = max(worst, abs(played[q + n / 2] - offline[q])) }
    #expect(peak > 0 && worst < 1e-3 * peak, "\(window): largest difference \(worst), peak \(peak)")
  }
}
