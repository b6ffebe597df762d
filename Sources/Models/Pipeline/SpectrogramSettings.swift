/// How a timbre model's rows were made from sound, stored in its pipeline (transform
/// `spectrogram`, version 1) so that every caller makes the same frames: the sample rate,
/// the STFT's size and hop (Hann window, centred frames), and the value per bin. A frame is
/// `ln(|X| + floor)` per bin, or, on a harmonic axis (`harmonics` > 0, pitch models only),
/// that log-magnitude read at `harmonics * pointsPerHarmonic` frequencies relative to the
/// note's fundamental. A row is `framesPerRow` consecutive frames, oldest first; the rows
/// themselves pass through unchanged (the Audio module makes them from samples), and an
/// `affine` transform after this one standardizes them.
public struct SpectrogramSettings: Codable, Equatable, Sendable {
  public var sampleRate: Int
  public var fftSize: Int
  public var hop: Int
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

  public init(sampleRate: Int = 16_000, fftSize: Int = 1024, hop: Int = 256, floor: Float = 1e-4,
              framesPerRow: Int = 1, condition: String? = nil, harmonics: Int = 0, pointsPerHarmonic: Int = 32) {
    self.sampleRate = sampleRate
    self.fftSize = fftSize
    self.hop = hop
    self.floor = floor
    self.framesPerRow = framesPerRow
    self.condition = condition
    self.harmonics = harmonics
    self.pointsPerHarmonic = pointsPerHarmonic
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    sampleRate = try c.decode(Int.self, forKey: .sampleRate)
    fftSize = try c.decode(Int.self, forKey: .fftSize)
    hop = try c.decode(Int.self, forKey: .hop)
    floor = try c.decode(Float.self, forKey: .floor)
    framesPerRow = try c.decode(Int.self, forKey: .framesPerRow)
    condition = try c.decodeIfPresent(String.self, forKey: .condition)
    harmonics = try c.decodeIfPresent(Int.self, forKey: .harmonics) ?? 0
    pointsPerHarmonic = try c.decodeIfPresent(Int.self, forKey: .pointsPerHarmonic) ?? 32
  }

  /// Frequency bins per frame.
  public var bins: Int { fftSize / 2 + 1 }

  /// Whether frames lie on the pitch-relative axis rather than the STFT's bins.
  public var onHarmonicAxis: Bool { harmonics > 0 }

  /// Values per frame on the network's side.
  public var frameWidth: Int { onHarmonicAxis ? harmonics * pointsPerHarmonic : bins }

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
  public static let conditions = ["pitch"]

  /// Reasons these settings are unusable (a crafted file may hold anything).
  public func problems() -> [String] {
    var found: [String] = []
    if !Self.supportedRates.contains(sampleRate) { found.append("sample rate \(sampleRate) is outside \(Self.supportedRates)") }
    if !Self.supportedFFTSizes.contains(fftSize) || fftSize % 2 != 0 {
      found.append("an FFT size is even and within \(Self.supportedFFTSizes), not \(fftSize)")
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
    return found
  }
}
