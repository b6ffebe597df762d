import ArgumentParser

/// `ae audio`: timbre models over spectral frames, and phase reconstruction.
struct AudioCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audio",
    abstract: "Sound: train timbre models; reconstruct, generate and morph sounds; Griffin-Lim.",
    discussion: """
      Any sound file libsndfile reads (WAV, FLAC, OGG, AIFF...) is taken as mono at the model's \
      rate (or --sample-rate), resampled with libsamplerate. Example: ae audio train --data notes/ --out timbre.h5 --condition pitch
      """,
    subcommands: [
      AudioTrain.self,
      AudioReconstruct.self,
      AudioGenerate.self,
      AudioMorph.self,
      AudioEval.self,
      AudioGriffinLim.self,
    ])
}
