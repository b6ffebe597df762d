import ArgumentParser

/// `ae augment`: synthetic data. Tables: fit a model to a CSV, sample rows, compare a synthetic
/// table with the real one. Images: class-conditional samples from a conditional VAE.
struct Augment: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Make synthetic data: tables from a CSV, labelled images from a conditional VAE.",
    discussion: """
      Tables: ae augment fit real.csv --out synth.h5; ae augment sample synth.h5 --rows 1000 \
      --seed 1 --out synth.csv; ae augment report real.csv synth.csv --json
      """,
    subcommands: [AugmentFit.self, AugmentSample.self]
  )
}
