/// How a timbre model's rows were made from sound, stored in its pipeline (transform
/// `spectrogram`, version 1 or 2: see `formatVersion`) so that every caller makes the same
/// frames: the sample rate, the STFT's size, hop and window (centred frames), and the frame's
/// axis. A frame is `ln(|X| + floor)` per bin (`axis` .bins); or, on the mel axis
/// (`mels` > 0), `ln(band + floor)` per mel band, a band being the weighted mean of |X| under
/// its Slaney triangle; or, on a harmonic axis (`harmonics` > 0, pitch models only), the
/// log-magnitude read at `harmonics * pointsPerHarmonic` frequencies relative to the note's
/// fundamental. A row is `framesPerRow` consecutive frames, oldest first; the rows themselves
/// pass through unchanged (the Audio module makes them from samples), and an `affine`
/// transform after this one standardizes them.
public struct SpectrogramSettings: Codable, Equatable, Sendable {
  public var sampleRate: Int
  public var fftSize: Int
  public var hop: Int
  /// The STFT's analysis window, a `SpectralWindow` name ("hann" in files from before the
  /// choice existed). A String, not the enum, so that a crafted name is refused by `problems()`
  /// with the list of known ones rather than by the JSON decoder.
  public var window: String
  /// Added to each magnitude before the logarithm: the quietest level the model tells apart.
  public var floor: Float
  /// Consecutive frames in one row (1: a row is one frame).
  public var framesPerRow: Int
  /// The condition the model takes, if any: "pitch" (one continuous value, MIDI note number
  /// minus 69 over 12: octaves from A4).
  public var condition: String?
  /// Harmonics of the fundamental a frame covers on the pitch-relative axis; 0 (files from
  /// before the axis existed) keeps the STFT's bins. On that axis a harmonic sits on the same
  /// rows at every pitch, so a model learns a timbre once rather than once per pitch.
  public var harmonics: Int
  /// Values per harmonic on that axis: value j of a frame is the log-magnitude at
  /// j / pointsPerHarmonic times the fundamental (cubic interpolation between bins).
  public var pointsPerHarmonic: Int
  /// Mel bands a frame holds (Slaney scale from 0 Hz to half the sample rate, as
  /// librosa.filters.mel's defaults); 0 (files from before mel frames existed) for no mel axis.
  public var mels: Int

  public init(sampleRate: Int = 16_000, fftSize: Int = 1024, hop: Int = 256, window: SpectralWindow = .hann,
              floor: Float = 1e-4, framesPerRow: Int = 1, condition: String? = nil, harmonics: Int = 0,
              pointsPerHarmonic: Int = 32, mels: Int = 0) {
    self.sampleRate = sampleRate
    self.fftSize = fftSize
    self.hop = hop
    self.window = window.rawValue
    self.floor = floor
    self.framesPerRow = framesPerRow
    self.condition = condition
    self.harmonics = harmonics
    self.pointsPerHarmonic = pointsPerHarmonic
    self.mels = mels
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    sampleRate = try c.decode(Int.self, forKey: .sampleRate)
    fftSize = try c.decode(Int.self, forKey: .fftSize)
    hop = try c.decode(Int.self, forKey: .hop)
    window = try c.decodeIfPresent(String.self, forKey: .window) ?? SpectralWindow.hann.rawValue
    floor = try c.decode(Float.self, forKey: .floor)
    framesPerRow = try c.decode(Int.self, forKey: .framesPerRow)
    condition = try c.decodeIfPresent(String.self, forKey: .condition)
    harmonics = try c.decodeIfPresent(Int.self, forKey: .harmonics) ?? 0
    pointsPerHarmonic = try c.decodeIfPresent(Int.self, forKey: .pointsPerHarmonic) ?? 32
    mels = try c.decodeIfPresent(Int.self, forKey: .mels) ?? 0
  }

  /// The `spectrogram` transform's version in the file: 2 when a library that reads only
  /// version 1 would make other frames (a window other than Hann, or mel frames), so that it
  /// refuses the file instead; 1 otherwise, so such files still open in older libraries.
  public var formatVersion: Int { window == SpectralWindow.hann.rawValue && mels == 0 ? 1 : 2 }

  /// Frequency bins per frame.
  public var bins: Int { fftSize / 2 + 1 }

  /// The analysis window (nil for a name this library does not know; see `problems()`).
  public var spectralWindow: SpectralWindow? { SpectralWindow(rawValue: window) }

  /// What a frame's values stand for.
  public enum Axis: String, CaseIterable, Sendable {
    /// One value per STFT bin.
    case bins
    /// One value per mel band (`mels`).
    case mel
    /// Values at multiples of the note's fundamental (`harmonics`, `pointsPerHarmonic`).
    case harmonic
  }

  /// The frame's axis: harmonic when `harmonics` > 0, mel when `mels` > 0 (never both: see
  /// `problems()`), else the bins.
  public var axis: Axis { harmonics > 0 ? .harmonic : mels > 0 ? .mel : .bins }

  /// Whether frames lie on the pitch-relative axis rather than the STFT's bins.
  public var onHarmonicAxis: Bool { axis == .harmonic }

  /// Values per frame on the network's side.
  public var frameWidth: Int {
    switch axis {
    case .bins: bins
    case .mel: mels
    case .harmonic: harmonics * pointsPerHarmonic
    }
  }

  /// Values per row on the network's side.
  public var rowWidth: Int { frameWidth * framesPerRow }

  /// The condition value of a MIDI note number.
  public static func pitchCondition(midi: Double) -> Float { Float((midi - 69) / 12) }

  public static let supportedRates = 1000...384_000
  public static let supportedFFTSizes = 16...65_536
  public static let maximumFramesPerRow = 64
  public static let maximumFramesPerSecond = 4000
  public static let supportedHarmonics = 0...1024
  public static let supportedPointsPerHarmonic = 1...1024
  public static let maximumFrameWidth = 65_536
  /// Mel bands a frame may hold (and never more than the bins).
  public static let supportedMels = 0...512
  public static let conditions = ["pitch"]

  /// Reasons these settings are unusable (a crafted file may hold anything).
  public func problems() -> [String] {
    var found: [String] = []
    if !Self.supportedRates.contains(sampleRate) { found.append("sample rate \(sampleRate) is outside \(Self.supportedRates)") }
    if !Self.supportedFFTSizes.contains(fftSize) || fftSize % 2 != 0 {
      found.append("an FFT size is even and within \(Self.supportedFFTSizes), not \(fftSize)")
    }
    if spectralWindow == nil {
      found.append("unknown window '\(window.prefix(40))' (known: \(SpectralWindow.names.joined(separator: ", ")))")
    }
    if hop < 1 || hop > fftSize { found.append("a hop is 1 to the FFT size (\(fftSize)), not \(hop)") }
    // A crafted hop of 1 at 384 kHz asks for 384,000 frames a second: 134 s of work per second
    // of sound. Real settings make tens to hundreds (16 kHz / 256 is 62.5).
    else if sampleRate / hop > Self.maximumFramesPerSecond {
      found.append("\(sampleRate) Hz with a hop of \(hop) makes more than \(Self.maximumFramesPerSecond) frames a second")
    }
    if !(floor.isFinite && floor > 0) { found.append("the floor is a positive number, not \(floor)") }
    if !(1...Self.maximumFramesPerRow).contains(framesPerRow) {
      found.append("a row holds 1 to \(Self.maximumFramesPerRow) frames, not \(framesPerRow)")
    }
    if let condition, !Self.conditions.contains(condition) {
      found.append("unknown condition '\(condition.prefix(40))' (known: \(Self.conditions.joined(separator: ", ")))")
    }
    if !Self.supportedHarmonics.contains(harmonics) {
      found.append("harmonics are \(Self.supportedHarmonics), not \(harmonics)")
    } else if onHarmonicAxis {
      if !Self.supportedPointsPerHarmonic.contains(pointsPerHarmonic) {
        found.append("points per harmonic are \(Self.supportedPointsPerHarmonic), not \(pointsPerHarmonic)")
      } else if harmonics * pointsPerHarmonic > Self.maximumFrameWidth {
        found.append("harmonics times points per harmonic is at most \(Self.maximumFrameWidth), not \(harmonics * pointsPerHarmonic)")
      }
      if condition != "pitch" { found.append("the harmonic axis follows the pitch, so it needs the pitch condition") }
    }
    if !Self.supportedMels.contains(mels) {
      found.append("mel bands are \(Self.supportedMels), not \(mels)")
    } else if mels > bins {
      found.append("\(mels) mel bands are more than the STFT's \(bins) bins; use at most \(bins) or a larger FFT size")
    }
    if mels != 0 && harmonics != 0 {
      found.append("a frame is on the mel axis (mels \(mels)) or the harmonic axis (harmonics \(harmonics)), not both")
    }
    return found
  }
}
