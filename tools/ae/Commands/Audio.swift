import ArgumentParser

/// `ae audio`: timbre models over spectral frames, and phase reconstruction.
struct AudioCommands: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audio",
    abstract: "Sound: train timbre models, reconstruct, generate and morph sounds, Griffin-Lim.",
    subcommands: [
      AudioTrain.self,
      AudioReconstruct.self,
      AudioGenerate.self,
      AudioMorph.self,
      AudioEval.self,
    ])
}
