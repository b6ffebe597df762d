import ArgumentParser

/// `ae audio`: sound tools (phase reconstruction and what builds on it).
struct AudioCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audio",
    abstract: "Sound: rebuild a signal from its STFT magnitudes, and compare sounds.",
    discussion: """
      Any sound file libsndfile reads (WAV, FLAC, OGG, AIFF...) is taken as mono at --sample-rate.
      Example: ae audio griffinlim speech.flac --out rebuilt.wav
      """,
    subcommands: [
      AudioGriffinLim.self,
    ]
  )
}
