import Audio
import AudioTraining
import CAllocationCounter
import Models
import Runtime
import Testing

/// A timbre model whose encoder convolves along the frame (`TimbreTrainer.Options.architecture`:
/// each frame a (width, 1) row): it trains on a few synthesized notes, holds 1-D convolutions
/// and their transposes, reconstructs a note, and its real-time stream decodes without
/// allocating (the workspace holds the convolutions' columns). Pitch conditioning with a
/// convolution first is refused with the reason: the condition is read beside the frame.
@Suite struct TimbreConvolutionTests {
  static func options(condition: String?) -> TimbreTrainer.Options {
    var options = TimbreTrainer.Options()
    options.settings = SpectrogramSettings(sampleRate: TimbreTests.rate, fftSize: 256, hop: 64, condition: condition)
    options.architecture = try! Architecture(parsing: "conv4s2,conv8s2,dense4")
    options.epochs = 3
    return options
  }

  @Test func aConvolutionalModelTrainsRendersAndStreams() throws {
    let sounds = TimbreTests.sounds(pitches: [55, 60, 65]).map { SoundFolder.Sound(path: $0.path, samples: $0.samples, pitch: nil) }
    let (trained, result, _) = try TimbreTrainer.fit(sounds, options: Self.options(condition: nil))
    #expect(trained.spec.inputShape == [129, 1])
    #expect(trained.spec.encoder.prefix(2).map(\.kind) == [.conv1d, .conv1d])
    #expect(trained.spec.decoder.suffix(2).map(\.kind) == [.conv1dTranspose, .conv1dTranspose])
    #expect(result.history.loss.allSatisfy(\.isFinite) && result.history.loss.last! < result.history.loss.first!,
            "losses \(result.history.loss)")

    let model = try TimbreModel(InferenceModel(trained))
    model.iterations = 4
    let note = TimbreTests.note(pitch: 60, brightness: 0.6)
    let rebuilt = try model.reconstruct(note, pitch: nil).samples
    #expect(rebuilt.count == note.count && rebuilt.allSatisfy(\.isFinite) && rebuilt.contains { $0 != 0 })

    let codes = try model.encode(note, pitch: nil)
    let stream = try TimbreStream(model: model, workspace: try model.runtime.makeWorkspace(maxRows: 1), capacity: codes.rows)
    try stream.push(codes: codes.data, pitches: nil, frames: codes.rows)
    var block = [Float](repeating: 0, count: 64)
    try block.withUnsafeMutableBufferPointer { out in
      try stream.pull(into: out.baseAddress!, count: 64) // the first pull may set the stream up
      if aecount_available() != 0 { aecount_start() }
      for _ in 0..<8 { try stream.pull(into: out.baseAddress!, count: 64) }
      if aecount_available() != 0 { #expect(aecount_stop() == 0, "a pull of a convolutional model allocated") }
    }
    #expect(block.allSatisfy(\.isFinite) && block.contains { $0 != 0 })
  }

  @Test func pitchConditioningWithAConvolutionFirstIsRefused() throws {
    let error = #expect(throws: AudioTrainingError.self) {
      _ = try TimbreTrainer.fit(TimbreTests.sounds(pitches: [60]), options: Self.options(condition: "pitch"))
    }
    #expect(error?.description.contains("encoder must start with a dense layer") == true, "\(String(describing: error))")
  }
}
