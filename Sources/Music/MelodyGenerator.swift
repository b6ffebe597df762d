import Models
import Tensor

/// Seeded melodies with the structure a model can learn: each piece is in one of eight common
/// keys (major or minor), built from one-bar motifs (a rhythm of quarters, eighths, 16ths, dotted notes and
/// the odd rest, and a contour of mostly scale steps) that repeat, move up or down the scale
/// and return, in the form A A' B A (A' is A a step higher or lower), ending on the tonic.
/// Used for tests and for `ae music make-examples`, so nothing needs downloading.
public struct MelodyGenerator {
  public var stepsPerBar = 16
  private var random: SeededRandom

  public init(seed: UInt64) { random = SeededRandom(seed: seed, stream: 0x3E10D1) }

  static let major = [0, 2, 4, 5, 7, 9, 11]
  static let minor = [0, 2, 3, 5, 7, 8, 10]
  /// One beat (4 steps) of rhythm: note lengths in steps; a negative length is a rest.
  /// Quarters and eighths come most often, as in folk songs.
  static let beats: [[Int]] = [[4], [2, 2], [1, 1, 1, 1], [3, 1], [2, 1, 1], [1, 1, 2], [-2, 2], [4], [2, 2], [4], [2, 2]]
  /// The keys of most folk tunes (tonic pitch, minor): C, D, F, G, A major; A, D, E minor.
  static let keys: [(tonic: Int, minor: Bool)] = [(60, false), (62, false), (65, false), (67, false), (57, false),
                                                  (57, true), (62, true), (64, true)]

  /// A melody of `bars` bars (4 or more make the whole form; each group of 4 repeats it).
  public mutating func melody(bars: Int) -> [StepNote] {
    let key = Self.keys[Int(random.next() % UInt64(Self.keys.count))]
    let tonic = key.tonic, scale = key.minor ? Self.minor : Self.major
    let a = motif(), b = motif()
    let shift = random.uniform() < 0.5 ? 1 : -1
    var notes: [StepNote] = []
    for bar in 0..<bars {
      let (rhythm, degrees): ([Int], [Int])
      switch bar % 4 {
      case 1: (rhythm, degrees) = (a.rhythm, a.degrees.map { $0 + shift })
      case 2: (rhythm, degrees) = b
      default: (rhythm, degrees) = a
      }
      if bar == bars - 1 {
        // A cadence: the motif's first half, then the tonic held for half a bar.
        let half = Self.firstHalf(rhythm)
        notes += place(half, Array(degrees.prefix(half.filter { $0 > 0 }.count)), at: bar * stepsPerBar, tonic: tonic, scale: scale)
        notes.append(StepNote(pitch: tonic, start: bar * stepsPerBar + stepsPerBar / 2, steps: stepsPerBar / 2))
      } else {
        notes += place(rhythm, degrees, at: bar * stepsPerBar, tonic: tonic, scale: scale)
      }
    }
    return notes
  }

  /// A bar's rhythm (four beats, sometimes a half note) and a contour in scale degrees.
  mutating func motif() -> (rhythm: [Int], degrees: [Int]) {
    var rhythm: [Int] = []
    var beat = 0
    while beat < 4 {
      if beat % 2 == 0 && random.uniform() < 0.15 {
        rhythm.append(8)
        beat += 2
      } else {
        rhythm += Self.beats[Int(random.next() % UInt64(Self.beats.count))]
        beat += 1
      }
    }
    var degree = [0, 2, 4, 7][Int(random.next() % 4)]
    var degrees: [Int] = []
    for _ in rhythm.filter({ $0 > 0 }) {
      degrees.append(degree)
      let u = random.uniform()
      let move = u < 0.7 ? 1 : u < 0.85 ? 2 : u < 0.95 ? 0 : 3 + Int(random.next() % 2)
      let up = degree < -2 ? true : degree > 9 ? false : random.uniform() < 0.5
      degree += up ? move : -move
    }
    return (rhythm, degrees)
  }

  /// The lengths of the rhythm's first half bar (cut at the middle).
  static func firstHalf(_ rhythm: [Int]) -> [Int] {
    var out: [Int] = [], used = 0
    for length in rhythm {
      let steps = abs(length)
      if used + steps > 8 {
        if used < 8 { out.append(length > 0 ? 8 - used : used - 8) }
        break
      }
      out.append(length)
      used += steps
    }
    return out
  }

  /// Notes for a rhythm and scale degrees from step `start`.
  func place(_ rhythm: [Int], _ degrees: [Int], at start: Int, tonic: Int, scale: [Int]) -> [StepNote] {
    var notes: [StepNote] = []
    var step = start, next = 0
    for length in rhythm {
      if length > 0, next < degrees.count {
        let degree = degrees[next]
        let octave = Int((Double(degree) / 7).rounded(.down))
        let pitch = tonic + 12 * octave + scale[degree - 7 * octave]
        notes.append(StepNote(pitch: pitch, start: step, steps: length))
        next += 1
      }
      step += abs(length)
    }
    return notes
  }
}
