import Foundation
import Testing

/// ae's one error rule: usage mistakes exit 64 with an `error:` and a `usage:` line, failures
/// while working exit 1 with one `error:` line, help exits 0; negative numbers reach the checks.
@Suite(.serialized) struct ErrorRuleTests {
  let cli = CLITests()
  var directory: String { cli.directory }

  @Test func parseMistakesAndRunTimeFailuresFollowOneRule() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    // Found by the parser, by validate() and by run() before any work: the same form.
    let unknown = try cli.ae("encode", "m.h5", "--data", "x.csv", "--out", "z.npy", "--bogus")
    cli.expectUsageError(unknown, mentioning: ["Unknown option '--bogus'"])
    #expect(unknown.stderr.split(separator: "\n").last == "usage: ae encode <model.h5> --data <data> --out <codes.npy|.csv> [<options>]  (ae encode --help lists every option)")
    cli.expectUsageError(try cli.ae("train", "--epochs", "0", "--data", "x.csv"), mentioning: ["--epochs must be at least 1, got 0"])
    cli.expectUsageError(try cli.ae("sample", "m.h5"), mentioning: ["Missing expected argument '--out <file>'"])
    cli.expectUsageError(try cli.ae("train", "--model", "deep", "--data", "x.csv"),
                         mentioning: ["'deep' is invalid for '--model <kind>'", "dense, denoising, sparse, contractive, vae, cvae"])
    let noCommand = try cli.ae("frobnicate")
    cli.expectUsageError(noCommand, mentioning: ["Unexpected argument 'frobnicate'"])
    #expect(noCommand.stderr.contains("usage: ae <command>"))

    // Found while working: one line, status 1.
    cli.expectFailure(try cli.ae("inspect", directory + "/missing.h5"), mentioning: ["missing.h5"])
    let data = try cli.blobCSV()
    cli.expectFailure(try cli.ae("encode", directory + "/missing.h5", "--data", data, "--out", directory + "/z.npy"), mentioning: ["missing.h5"])

    // Help is not an error.
    for arguments in [["--help"], ["train", "--help"], ["help", "score"], ["sample", "-h"]] {
      let help = try cli.ae(arguments)
      #expect(help.status == 0 && help.stderr.isEmpty && help.stdout.contains("USAGE: ae"), "ae \(arguments): \(help.status) \(help.stderr)")
    }
  }

  /// `ae train --help` shows its options in groups, in this order.
  @Test func trainHelpIsGrouped() throws {
    let help = try cli.ae("train", "--help").stdout
    let titles = ["DATA:", "MODEL:", "KIND SETTINGS AND REGULARIZERS:", "TRAINING:", "OUTPUT:", "MACHINE:"]
    let places = titles.map { help.range(of: "\n" + $0 + "\n")?.lowerBound }
    #expect(places.allSatisfy { $0 != nil }, "\(help)")
    #expect(places.compactMap { $0 } == places.compactMap { $0 }.sorted())
  }

  @Test func negativeNumbersReachTheChecks() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    // A seed is unsigned 64-bit, as in C and Python: a negative one is refused by name, not "missing value".
    for command in [["train", "--data", "x.csv"], ["sample", "m.h5", "--out", "s.npy"], ["montage", "m.h5", "--data", "x.csv", "--sample"]] {
      cli.expectUsageError(try cli.ae(command + ["--seed", "-1"]), mentioning: ["'-1' is invalid for '--seed <seed>'", "not negative"])
    }
    cli.expectUsageError(try cli.ae("train", "--seed", "18446744073709551616", "--data", "x.csv"), mentioning: ["a seed is a whole number in 0...18446744073709551615"])
    cli.expectUsageError(try cli.ae("sample", "m.h5", "--temperature", "-1", "--out", "s.npy"),
                         mentioning: ["--temperature must be a finite number >= 0, got -1.0"])
    cli.expectUsageError(try cli.ae("sample", "m.h5", "-n", "-3", "--out", "s.npy"), mentioning: ["--count must be at least 1, got -3"])
    cli.expectUsageError(try cli.ae("interpolate", "m.h5", "--data", "x.csv", "--from", "-1", "--out", "p.npy"), mentioning: ["--from and --to are row numbers"])
    cli.expectUsageError(try cli.ae("encode", "m.h5", "--data", "x.csv", "--limit", "-5", "--out", "z.npy"), mentioning: ["--limit must be at least 1, got -5"])
    for threads in ["0", "-1", "1025"] {
      cli.expectUsageError(try cli.ae("train", "--threads", threads, "--data", "x.csv"),
                           mentioning: ["--threads must be a count of threads in 1...1024, got \(threads)"])
    }
    // A seed that is valid trains.
    let data = try cli.blobCSV()
    let run = try cli.ae("train", "--layers", "8,3", "--epochs", "1", "--seed", "18446744073709551615", "--threads", "1",
                         "--data", data, "--out", directory + "/m.h5", "--quiet")
    #expect(run.status == 0, "\(run.stderr)")
  }
}
