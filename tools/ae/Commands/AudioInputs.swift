import ArgumentParser
import Audio
import AudioFiles
import AudioTraining
import Runtime
import Tensor

/// What the timbre commands share: the model, a sound at its rate, the sound's pitch.
enum AudioInputs {
  /// A timbre model from a file (checked as every model file is).
  static func model(_ path: String, _ options: ModelFileOptions, iterations: Int) throws -> TimbreModel {
    let runtime = try loadInferenceModel(path, options)
    do {
      let model = try TimbreModel(runtime)
      model.iterations = iterations
      return model
    } catch let error as AudioError {
      throw CommandError("\(path): \(error)")
    }
  }

  /// A sound file as mono samples at the model's rate.
  static func sound(_ path: String, for model: TimbreModel) throws -> [Float] {
    let samples = try SoundFile.readMono(path, sampleRate: model.sampleRate)
    guard samples.count >= model.settings.fftSize else {
      throw CommandError("\(path): shorter than one frame (\(model.settings.fftSize) samples at \(model.sampleRate) Hz)")
    }
    return samples
  }

  /// Throw a clear error unless the working memory of rendering `samples` samples can be
  /// allocated now, as ae_audio_generate checks: the arrays would stop the process. Measured
  /// (peak resident size of `ae audio generate`): about 9 floats per bin of each frame (the
  /// spectra, several times over while the phase is rebuilt) and 4 per sample; with a margin.
  static func checkMemory(_ model: TimbreModel, samples: Int) throws {
    let frames = model.frameCount(samples: samples)
    let (spectra, overflow) = frames.multipliedReportingOverflow(by: model.features.bins * 10)
    guard !overflow, spectra <= Int.max / 8 - 8 * samples else {
      throw CommandError("a sound of \(samples) samples is too long to render in memory; make it shorter")
    }
    try MemoryCheck.floats(spectra + 8 * samples, for: "rendering \(samples) samples (\(frames) frames of \(model.features.bins) bins)")
  }

  /// The pitch to use with a sound for a pitch-conditioned model: `given`, else the number in
  /// the file's name, else an estimate; nil for a model without a condition.
  static func pitch(_ given: Double?, path: String?, samples: [Float]?, for model: TimbreModel) throws -> Double? {
    guard model.takesPitch else {
      if given != nil { throw ValidationError("--pitch: this model takes no pitch (it was trained without --condition pitch)") }
      return nil
    }
    if let given { return given }
    if let path, let named = SoundFolder.pitchFromName(path) { return named }
    if let samples, let estimate = PitchEstimator.midiNote(samples, sampleRate: model.sampleRate) { return estimate }
    throw CommandError("the model is conditioned on pitch: give --pitch (a MIDI note number)" + (path.map { "; none found in \($0)" } ?? ""))
  }

  /// `--pitch`: a MIDI note number in 0...127.
  static func checkPitch(_ pitch: Double?) throws {
    if let pitch, !(pitch.isFinite && (0...127).contains(pitch)) {
      throw ValidationError("--pitch is a MIDI note number from 0 to 127, got \(pitch)")
    }
  }

  /// Draw `--spectrogram`: input (if any), output, and the code trajectory.
  static func drawSpectrogram(_ path: String, model: TimbreModel, input: [Float]?, output: [Float], codes: Tensor) throws {
    var picture = SpectrogramPicture()
    let stft = model.features.stft
    if let input {
      picture.addSpectrogram(stft.magnitudes(input), frames: stft.frameCount(samples: input.count), bins: stft.bins)
    }
    picture.addSpectrogram(stft.magnitudes(output), frames: stft.frameCount(samples: output.count), bins: stft.bins)
    picture.addCodes(codes)
    try picture.write(to: path)
  }
}
