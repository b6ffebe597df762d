#if canImport(Glibc)
import Glibc
#endif
import AudioFiles
import Foundation

/// The sounds of a folder (searched recursively), read as mono at one rate, each with the
/// pitch its name gives: the last run of digits in the name is a MIDI note number
/// (`violin_60.wav`, `piano-C4-60.flac`), or the pitch is estimated from the sound.
public struct SoundFolder {
  public struct Sound {
    public var path: String
    public var samples: [Float]
    /// MIDI note number, when the name or the estimate gives one.
    public var pitch: Double?

    public init(path: String, samples: [Float], pitch: Double?) {
      self.path = path
      self.samples = samples
      self.pitch = pitch
    }
  }

  public static let extensions: Set<String> = ["wav", "flac", "ogg", "oga", "aif", "aiff", "aifc", "au", "caf", "w64", "mp3"]

  /// Sound files under `directory`, sorted by path.
  public static func files(in directory: String) throws -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw AudioTrainingError("\(directory): not a folder of sounds")
    }
    guard let walker = FileManager.default.enumerator(atPath: directory) else {
      throw AudioTrainingError("\(directory): cannot list the folder")
    }
    var found: [String] = []
    while let name = walker.nextObject() as? String {
      if extensions.contains((name as NSString).pathExtension.lowercased()) { found.append(directory + "/" + name) }
    }
    guard !found.isEmpty else {
      throw AudioTrainingError("\(directory): no sound files (\(extensions.sorted().joined(separator: ", ")))")
    }
    return found.sorted()
  }

  /// The MIDI note number in a file's name: its last run of digits, when 0...127.
  public static func pitchFromName(_ path: String) -> Double? {
    let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    var digits = "", last = ""
    for character in stem {
      if character.isASCII && character.isNumber { digits.append(character) } else if !digits.isEmpty { last = digits; digits = "" }
    }
    if !digits.isEmpty { last = digits }
    guard let number = Int(last), (0...127).contains(number), last.count <= 3 else { return nil }
    return Double(number)
  }

  /// Every sound of `directory` at `sampleRate`; with `pitch`, each one's pitch from its
  /// name, else estimated (a sound with neither is an error naming it).
  public static func read(_ directory: String, sampleRate: Int, pitch: Bool, progress: ((Int, Int) -> Void)? = nil) throws -> [Sound] {
    let paths = try files(in: directory)
    var sounds: [Sound] = []
    for (index, path) in paths.enumerated() {
      let samples = try SoundFile.readMono(path, sampleRate: sampleRate)
      var found: Double?
      if pitch {
        found = pitchFromName(path) ?? PitchEstimator.midiNote(samples, sampleRate: sampleRate)
        guard found != nil else {
          throw AudioTrainingError("\(path): no MIDI number in the name and no steady pitch found; name it like note_60.wav")
        }
      }
      sounds.append(Sound(path: path, samples: samples, pitch: found))
      progress?(index + 1, paths.count)
    }
    return sounds
  }
}

/// A failure while making or judging a timbre model from sound files.
public struct AudioTrainingError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}
