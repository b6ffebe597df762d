import ArgumentParser
import Audio
import AudioFiles
import Foundation
import Models
import Tensor

extension SoundFile.Encoding: ExpressibleByArgument {}

/// Where `ae audio griffinlim` starts: random phases (librosa's start, the bench's) or the
/// real-time streaming estimate (the start every rendering command uses).
enum InitialPhase: String, ExpressibleByArgument, CaseIterable {
  case random, streaming
}

/// `ae audio griffinlim`: a sound rebuilt from its own STFT magnitudes by Griffin-Lim, and how
/// close it comes: the baseline every magnitude-only sound model is measured against.
struct AudioGriffinLim: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "griffinlim",
    abstract: "Rebuild a sound from its STFT magnitudes by Griffin-Lim and print how close it comes.",
    usage: "ae audio griffinlim <input> --out <output.wav> [<options>]",
    discussion: """
      The input is read as mono at --sample-rate (channels averaged, resampled by libsamplerate), \
      its magnitudes taken with a periodic window (--window, Hann by default; centred frames, as \
      librosa; with --mels, passed through that many mel bands and back as a mel timbre model's \
      frames are), and its phase \
      rebuilt from random phases as librosa.griffinlim does (--momentum 0.99 is the fast variant, \
      0 the classic one), or with --initial-phase streaming from the real-time phase estimate that \
      the rendering commands start from (--iterations 0: that estimate alone). The result keeps the \
      input's level unless it would clip (then it is scaled to a peak of 0.99). Printed: one JSON line on stdout with the log-spectral distance \
      (dB), spectral convergence and multi-resolution STFT distance to the input, and the time \
      taken; a summary line on stderr.
      """)

  @Argument(help: "The sound file to rebuild.") var input: String
  @Option(help: ArgumentHelp("Write the rebuilt sound here (.wav or .flac).", valueName: "file")) var out: String
  @Option(parsing: .unconditional, help: "Griffin-Lim iterations.") var iterations: Int = 32
  @Option(parsing: .unconditional, help: "Momentum of the fast variant, in [0, 1] (0: classic Griffin-Lim).") var momentum: Float = 0.99
  @Option(parsing: .unconditional, help: "Seed for the random initial phases (0...2^64-1; default: 0).", transform: Seed.parse) var seed: UInt64 = 0
  @Option(help: "Start from random phases (as librosa) or from the streaming phase estimate: random or streaming.")
  var initialPhase: InitialPhase = .random
  @Option(parsing: .unconditional, help: "Sample rate to work at, in Hz.") var sampleRate: Int = 16_000
  @Option(name: .customLong("fft"), parsing: .unconditional, help: "FFT size (even).") var fftSize: Int = 1024
  @Option(parsing: .unconditional, help: "Hop between frames, in samples.") var hop: Int = 256
  @Option(help: ArgumentHelp("The STFT's window, periodic as librosa's.", valueName: "name")) var window: SpectralWindow = .hann
  @Option(parsing: .unconditional, help: ArgumentHelp("Rebuild from the magnitudes as a timbre model with --frames mel --mels n sees them (through n mel bands and back): that axis's ceiling.", valueName: "n")) var mels: Int?
  @Option(help: "Sample encoding: pcm16, pcm24 or float (float in .wav only).") var encoding: SoundFile.Encoding = .pcm16

  func validate() throws {
    if iterations < 0 || iterations > 100_000 { throw ValidationError("--iterations must be in 0...100000, got \(iterations)") }
    if !(0...1).contains(momentum) { throw ValidationError("--momentum must be in [0, 1], got \(momentum)") }
    if sampleRate < 1000 || sampleRate > 384_000 { throw ValidationError("--sample-rate must be in 1000...384000 Hz, got \(sampleRate)") }
    if fftSize < 16 || fftSize > 65_536 || fftSize % 2 != 0 { throw ValidationError("--fft must be even, in 16...65536, got \(fftSize)") }
    if hop < 1 || hop > fftSize { throw ValidationError("--hop must be in 1...\(fftSize) (the FFT size), got \(hop)") }
    if let mels {
      let problems = melSettings(mels).problems()
      if mels < 1 || !problems.isEmpty { throw ValidationError("--mels \(mels): " + (mels < 1 ? "at least 1 band" : problems.joined(separator: "; "))) }
    }
    guard let container = SoundFile.Container(path: out) else { throw ValidationError("--out \(out): end the name in .wav or .flac") }
    if container == .flac && encoding == .float { throw ValidationError("--encoding float needs a .wav file; FLAC stores integers only") }
    do { try checkReplaceable(out) } catch { throw ValidationError("--out \(error)") }
  }

  /// The settings of a mel timbre model with this command's STFT.
  func melSettings(_ mels: Int) -> SpectrogramSettings {
    SpectrogramSettings(sampleRate: sampleRate, fftSize: fftSize, hop: hop, window: window, mels: mels)
  }

  func run() throws {
    let started = Date()
    let signal = try SoundFile.readMono(input, sampleRate: sampleRate)
    let stft = try STFT(fftSize: fftSize, hop: hop, window: window)
    // Timed as librosa's side of the bench is: the magnitude STFT and Griffin-Lim (plans made).
    let rebuildStarted = Date(), rebuildCPUStarted = processCPUSeconds()
    let frames = stft.frameCount(samples: signal.count)
    var magnitudes = stft.magnitudes(signal)
    if let mels {
      let features = try TimbreFeatures(melSettings(mels))
      magnitudes = features.magnitudes(networkFrames: try features.networkFrames(signal, pitch: nil), pitches: nil)
    }
    let start = initialPhase == .streaming
      ? StreamingPhase.phases(magnitudes: magnitudes, frames: frames, bins: stft.bins, hop: hop, fftSize: fftSize) : nil
    let rebuilt = GriffinLim(iterations: iterations, momentum: momentum, seed: seed)
      .reconstruct(magnitudes: magnitudes, frames: frames, stft: stft, length: signal.count, initialPhase: start)
    let rebuildSeconds = Date().timeIntervalSince(rebuildStarted), rebuildCPUSeconds = processCPUSeconds() - rebuildCPUStarted
    // The figures describe the sound written: scaled down first if it would clip.
    let peak = rebuilt.reduce(Float(0)) { max($0, abs($1)) }
    let written = peak > 1 ? rebuilt.map { $0 * (0.99 / peak) } : rebuilt
    try SoundFile.write(written, sampleRate: sampleRate, to: out, encoding: encoding, normalize: false)
    let lsd = SpectralMetrics.logSpectralDistance(reference: signal, estimate: written)
    let sc = SpectralMetrics.spectralConvergence(reference: signal, estimate: written)
    let mrSTFT = SpectralMetrics.multiResolutionSTFT(reference: signal, estimate: written)
    let seconds = Date().timeIntervalSince(started)
    print(jsonLine(["lsd_db": lsd, "spectral_convergence": sc, "mr_stft": mrSTFT, "griffinlim_seconds": rebuildSeconds,
                    "griffinlim_cpu_seconds": rebuildCPUSeconds, "seconds": seconds, "samples": signal.count, "out": out]))
    let duration = Double(signal.count) / Double(sampleRate)
    FileHandle.standardError.write(Data(String(
      format: "griffinlim: %.2f s of sound, %d iterations in %.3f s (%.3f s in all): LSD %.2f dB, SC %.4f, MR-STFT %.4f%@\n",
      duration, iterations, rebuildSeconds, seconds, lsd, sc, mrSTFT, peak > 1 ? "; scaled to peak 0.99 (it would clip)" : "").utf8))
  }
}
