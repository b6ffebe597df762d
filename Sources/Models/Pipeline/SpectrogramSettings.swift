/// How a timbre model's rows were made from sound, stored in its pipeline (transform
/// `spectrogram`, version 1) so that every caller makes the same frames: the sample rate,
/// the STFT's size and hop (Hann window, centred frames), and the value per bin. A row is
/// `framesPerRow` consecutive frames of `ln(|X| + floor)` per bin, oldest first; the rows
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

  public init(sampleRate: Int = 16_000, fftSize: Int = 1024, hop: Int = 256, floor: Float = 1e-4,
              framesPerRow: Int = 1, condition: String? = nil) {
    self.sampleRate = sampleRate
    self.fftSize = fftSize
    self.hop = hop
    self.floor = floor
    self.framesPerRow = framesPerRow
    self.condition = condition
  }

  /// Frequency bins per frame.
  public var bins: Int { fftSize / 2 + 1 }

  /// Values per row on the network's side.
  public var rowWidth: Int { bins * framesPerRow }

  /// The condition value of a MIDI note number.
  public static func pitchCondition(midi: Double) -> Float { Float((midi - 69) / 12) }

  public static let supportedRates = 1000...384_000
  public static let supportedFFTSizes = 16...65_536
  public static let maximumFramesPerRow = 64
  public static let conditions = ["pitch"]

  /// Reasons these settings are unusable (a crafted file may hold anything).
  public func problems() -> [String] {
    var found: [String] = []
    if !Self.supportedRates.contains(sampleRate) { found.append("sample rate \(sampleRate) is outside \(Self.supportedRates)") }
    if !Self.supportedFFTSizes.contains(fftSize) || fftSize % 2 != 0 {
      found.append("an FFT size is even and within \(Self.supportedFFTSizes), not \(fftSize)")
    }
    if hop < 1 || hop > fftSize { found.append("a hop is 1 to the FFT size (\(fftSize)), not \(hop)") }
    if !(floor.isFinite && floor > 0) { found.append("the floor is a positive number, not \(floor)") }
    if !(1...Self.maximumFramesPerRow).contains(framesPerRow) {
      found.append("a row holds 1 to \(Self.maximumFramesPerRow) frames, not \(framesPerRow)")
    }
    if let condition, !Self.conditions.contains(condition) {
      found.append("unknown condition '\(condition.prefix(40))' (known: \(Self.conditions.joined(separator: ", ")))")
    }
    return found
  }
}
