import ArgumentParser
import AudioFiles

/// Options of every command that writes a sound file: its sample encoding. The container
/// (WAV or FLAC) follows the name; the peak is normalized to 0.99 so nothing clips.
struct SoundOutputOptions: ParsableArguments {
  @Option(help: "Sample encoding of the sound written: pcm16, pcm24 or float (WAV only).") var encoding: SoundEncodingArgument = .pcm16

  /// Write `samples` (mono) to `path`, with the command's encoding.
  func write(_ samples: [Float], sampleRate: Int, to path: String) throws {
    try SoundFile.write(samples, sampleRate: sampleRate, to: path, encoding: encoding.value)
  }
}

/// `--encoding`.
enum SoundEncodingArgument: String, ExpressibleByArgument, CaseIterable {
  case pcm16, pcm24, float
  var value: SoundFile.Encoding { SoundFile.Encoding(rawValue: rawValue)! }
}
