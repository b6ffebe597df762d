import ArgumentParser
import Audio
import AudioFiles
import Foundation
import Models
import Music
import Tensor
import Training

/// `ae music`: melodies. Train a melody VAE on a folder of MIDI files, measure how well it
/// reconstructs phrases, generate and interpolate phrases to MIDI and WAV.
struct MusicCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "music",
    abstract: "Melodies: train a melody VAE on MIDI files, evaluate it, generate and interpolate phrases (MIDI and WAV).",
    discussion: """
      ae music make-examples --out melodies -n 200 --seed 1; ae music train --data melodies --bars 2 --out melody.h5; \
      ae music eval melody.h5 --data held-out --json; ae music generate melody.h5 -n 8 --seed 1 --out phrases.mid --wav phrases.wav
      """,
    subcommands: [MusicTrain.self, MusicEval.self, MusicGenerate.self, MusicInterpolate.self, MusicMakeExamples.self]
  )
}

/// Options of the commands that write phrases: the MIDI file, and optionally a WAV file
/// rendered by the synthesizer, at a tempo and in a key.
struct MusicOutputOptions: ParsableArguments {
  @Option(help: ArgumentHelp("The MIDI file to write (.mid or .midi).", valueName: "file")) var out: String
  @Option(help: ArgumentHelp("Also render the phrases to this WAV file (16-bit mono).", valueName: "file")) var wav: String?
  @Option(parsing: .unconditional, help: "Tempo in quarter notes a minute, 20...400.") var tempo: Double = 120
  @Option(help: ArgumentHelp("Move each phrase so its estimated key (Krumhansl-Schmuckler) has this tonic: C, F#, Bb, ... for major, Am, C#m, ... for minor (default: as generated).", valueName: "key"))
  var key: String?
  @Option(name: .customLong("sample-rate"), parsing: .unconditional, help: "The WAV file's sample rate: 16000 or 44100.") var sampleRate: Int = 44_100
  @Option(help: "The synthesizer's waveform: sine, triangle, saw or square (band-limited).") var waveform: Synthesizer.Waveform = .triangle
  @Option(help: ArgumentHelp("Play the notes with a learned timbre instead (a pitch-conditioned model from ae audio train).", valueName: "timbre.h5"))
  var timbre: String?
  @Option(name: .customLong("timbre-seed"), parsing: .unconditional, help: "Which of the timbre model's sounds plays the notes (0...2^64-1).", transform: Seed.parse)
  var timbreSeed: UInt64 = 1

  func validate() throws {
    guard tempo.isFinite, (20...400).contains(tempo) else { throw ValidationError("--tempo must be 20...400 beats a minute, got \(tempo)") }
    if let key, Key(name: key) == nil {
      throw ValidationError("--key \(key) is not a key; give a tonic such as C, F#, Bb, with m for minor (Am, C#m)")
    }
    guard [16_000, 44_100].contains(sampleRate) else { throw ValidationError("--sample-rate must be 16000 or 44100, got \(sampleRate)") }
    try checkSuffix(out, option: "--out", suffixes: [".mid", ".midi"])
    if let wav { try checkSuffix(wav, option: "--wav", suffixes: [".wav"]) }
    if timbre != nil && wav == nil { throw ValidationError("--timbre plays the WAV file: give --wav too") }
  }

  /// A usage mistake unless `path` can be written and ends with one of `suffixes`.
  func checkSuffix(_ path: String, option: String, suffixes: [String]) throws {
    try checkOutput(path, option: option, formats: nil)
    guard suffixes.contains(where: path.lowercased().hasSuffix) else {
      throw ValidationError("\(option) \(path): use a name ending in \(suffixes.joined(separator: " or "))")
    }
  }

  /// Write `phrases` one after another to the MIDI file and, if asked, the WAV file; the
  /// JSON fields that say what was written.
  func write(_ phrases: [[Int]], settings: MelodySettings, file: ModelFileOptions, progress: ProgressPrinter?) throws -> (midi: String, wav: String?, seconds: Double) {
    let key = key.flatMap(Key.init(name:))
    try MelodyCorpus.midi(phrases, settings: settings, tempo: tempo, key: key).write(to: out)
    let quarters = Double(phrases.count * settings.steps) * 4 / Double(settings.stepsPerBar)
    let seconds = quarters * 60 / tempo
    guard let wav else { return (out, nil, seconds) }
    let stepsPerQuarter = max(1, settings.stepsPerBar / 4)
    let notes = NoteLayout.timed(MelodyCorpus.stepNotes(phrases, settings: settings, key: key), tempo: tempo, stepsPerQuarter: stepsPerQuarter)
    let samples: [Float]
    if let timbre {
      var renderer = try TimbreNoteRenderer(model: AudioInputs.model(timbre, file, iterations: TimbreModel.defaultIterations), seed: timbreSeed)
      samples = NoteLayout.render(notes, with: &renderer, sampleRate: sampleRate)
      if let failure = renderer.failure { throw CommandError("--timbre \(timbre): \(oneLine(failure))") }
    } else {
      var synthesizer = Synthesizer(waveform: waveform)
      samples = NoteLayout.render(notes, with: &synthesizer, sampleRate: sampleRate)
    }
    progress?.message("rendering \(notes.count) notes to \(wav) (\(String(format: "%.1f", Double(samples.count) / Double(sampleRate))) s)")
    try SoundFile.write(samples, sampleRate: sampleRate, to: wav, encoding: .pcm16, container: .wav, normalize: true, peak: 0.99)
    return (out, wav, seconds)
  }
}

extension Synthesizer.Waveform: ExpressibleByArgument {}
