import Foundation
import Layers
import Models
import Runtime
import Store
import Tensor
import TestSupport
import Testing

/// The pipelines of timbre models (spectrogram then affine) and melody models (melody alone):
/// they survive the file, pass rows through unchanged, and crafted settings are refused.
@Suite struct SoundPipelineTests {
  func timbreModel(_ settings: SpectrogramSettings) throws -> Autoencoder {
    let model = try Autoencoder(spec: .variational(inputWidth: settings.rowWidth, hidden: [8], latent: 2, outputActivation: .linear, loss: .mse), seed: 1)
    let frames = GradientCheck.randomTensor(rows: 20, cols: settings.rowWidth, seed: 4, low: -9, high: 2)
    model.pipeline = Pipeline([.spectrogram(settings), .affine(Scaling.fit(frames, method: .standard))])
    return model
  }

  func melodyModel(_ settings: MelodySettings) throws -> Autoencoder {
    var spec = ModelSpec.variational(inputWidth: settings.rowWidth, hidden: [8], latent: 2, outputActivation: .linear, loss: .mse)
    spec.heads = (0..<settings.steps).map { OutputHead(name: "step \($0)", width: settings.vocabulary, activation: .softmax, loss: .categorical) }
    let model = try Autoencoder(spec: spec, seed: 1)
    model.pipeline = Pipeline([.melody(settings)])
    return model
  }

  /// Files written, tampered with and sealed as HostileFileTests writes them.
  let hostile = HostileFileTests()

  func sealedFile(_ model: Autoencoder, in directory: String, _ change: (HDF5Group) throws -> Void = { _ in }) throws -> String {
    try hostile.sealedFile(model, in: directory, change)
  }

  func expectRefusal(_ path: String, mentioning words: [String]) { hostile.expectRefusal(path, mentioning: words) }

  @Test func timbreAndMelodyPipelinesSurviveTheFile() throws {
    let directory = TestData.temporaryDirectory("sound-pipeline")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let settings = SpectrogramSettings(sampleRate: 8000, fftSize: 64, hop: 16, condition: nil)
    let timbre = try timbreModel(settings)
    let loaded = try InferenceModel.load(path: try sealedFile(timbre, in: directory))
    #expect(loaded.pipeline == timbre.pipeline)
    #expect(loaded.pipeline.spectrogram == settings)
    #expect(loaded.inputWidth == 33)

    // Mel frames with another window: 20 values a row, stored as version 2 of the transform.
    let mel = SpectrogramSettings(sampleRate: 8000, fftSize: 64, hop: 16, window: .blackman, condition: "pitch", mels: 20)
    let melModel = try timbreModel(mel)
    #expect(melModel.pipeline.transforms[0].version == 2 && timbre.pipeline.transforms[0].version == 1)
    let melLoaded = try InferenceModel.load(path: try sealedFile(melModel, in: directory))
    #expect(melLoaded.pipeline.spectrogram == mel)
    #expect(melLoaded.inputWidth == 20)

    let melody = MelodySettings(bars: 1, stepsPerBar: 4, lowestPitch: 60, highestPitch: 71)
    let melodic = try melodyModel(melody)
    let read = try InferenceModel.load(path: try sealedFile(melodic, in: directory))
    #expect(read.pipeline.melody == melody)
    #expect(read.inputWidth == 4 * 14)
    // Rows pass through a melody pipeline unchanged.
    let rows = GradientCheck.randomTensor(rows: 3, cols: 56, seed: 1, low: 0, high: 1)
    #expect(try read.pipeline.forward(rows).values == rows.values)
  }

  @Test func craftedSoundSettingsAreRefused() throws {
    let directory = TestData.temporaryDirectory("sound-pipeline-hostile")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let timbre = try timbreModel(SpectrogramSettings(sampleRate: 8000, fftSize: 64, hop: 16))
    func settings(_ json: String) -> (HDF5Group) throws -> Void {
      { try $0.openGroup("preprocessing").setAttribute("spectrogram", json) }
    }
    expectRefusal(try sealedFile(timbre, in: directory, settings(#"{"sampleRate":8000,"fftSize":64,"hop":0,"floor":1e-4,"framesPerRow":1}"#)),
                  mentioning: ["spectrogram settings are unusable", "hop"])
    expectRefusal(try sealedFile(timbre, in: directory, settings(#"{"sampleRate":8000,"fftSize":128,"hop":16,"floor":1e-4,"framesPerRow":1}"#)),
                  mentioning: ["rows of 65 values", "network reads 33"])
    expectRefusal(try sealedFile(timbre, in: directory, settings(#"{"sampleRate":8000,"fftSize":64,"hop":16,"floor":-1,"framesPerRow":1,"condition":"mood"}"#)),
                  mentioning: ["floor", "unknown condition 'mood'"])
    expectRefusal(try sealedFile(timbre, in: directory, settings("not json")), mentioning: ["not spectrogram settings"])
    // Valid-looking but ruinous: 384,000 frames to render a second of sound.
    expectRefusal(try sealedFile(timbre, in: directory, settings(#"{"sampleRate":384000,"fftSize":64,"hop":1,"floor":1e-4,"framesPerRow":1}"#)),
                  mentioning: ["frames a second"])
    // Windows and mel bands a file may not hold.
    expectRefusal(try sealedFile(timbre, in: directory, settings(#"{"sampleRate":8000,"fftSize":64,"hop":16,"floor":1e-4,"framesPerRow":1,"window":"kaiser"}"#)),
                  mentioning: ["unknown window 'kaiser'", "hann, hamming, blackman"])
    expectRefusal(try sealedFile(timbre, in: directory, settings(#"{"sampleRate":8000,"fftSize":64,"hop":16,"floor":1e-4,"framesPerRow":1,"mels":100000}"#)),
                  mentioning: ["mel bands are 0...512, not 100000"])
    expectRefusal(try sealedFile(timbre, in: directory, settings(#"{"sampleRate":8000,"fftSize":64,"hop":16,"floor":1e-4,"framesPerRow":1,"mels":-3}"#)),
                  mentioning: ["mel bands are 0...512, not -3"])
    expectRefusal(try sealedFile(timbre, in: directory, settings(#"{"sampleRate":8000,"fftSize":64,"hop":16,"floor":1e-4,"framesPerRow":1,"mels":40}"#)),
                  mentioning: ["40 mel bands are more than the STFT's 33 bins"])
    expectRefusal(try sealedFile(timbre, in: directory, settings(#"{"sampleRate":8000,"fftSize":64,"hop":16,"floor":1e-4,"framesPerRow":1,"condition":"pitch","mels":8,"harmonics":2,"pointsPerHarmonic":4}"#)),
                  mentioning: ["mel axis (mels 8) or the harmonic axis (harmonics 2), not both"])
    // Sound settings, but for a network of another width: 12 mel bands make rows of 12.
    expectRefusal(try sealedFile(timbre, in: directory, settings(#"{"sampleRate":8000,"fftSize":64,"hop":16,"floor":1e-4,"framesPerRow":1,"mels":12}"#)),
                  mentioning: ["rows of 12 values", "network reads 33"])
    // A pipeline whose list puts the transforms out of order.
    expectRefusal(try sealedFile(timbre, in: directory) {
      try $0.openGroup("preprocessing").setAttribute("pipeline", #"[{"name":"affine","version":1},{"name":"spectrogram","version":1}]"#)
    }, mentioning: ["spectrogram then affine"])

    let melodic = try melodyModel(MelodySettings(bars: 1, stepsPerBar: 4, lowestPitch: 60, highestPitch: 71))
    expectRefusal(try sealedFile(melodic, in: directory) {
      try $0.openGroup("preprocessing").setAttribute("melody", #"{"bars":1,"stepsPerBar":4,"lowestPitch":90,"highestPitch":70}"#)
    }, mentioning: ["pitch range 90...70"])
  }
}
