import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Every command that writes checks its output path first (`checkOutput`): a directory, an
/// unknown suffix or an unwritable folder is refused before training or any long work.
@Suite(.serialized) struct OutputCheckTests {
  let cli = CLITests()
  var directory: String { cli.directory }

  /// Train for a very long time into `out`: the refusal must come at once, before the
  /// progress line training prints first (no --quiet).
  func expectRefusedBeforeTraining(_ data: String, out: String, mentioning phrases: [String],
                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
    let start = Date()
    let run = try cli.ae("train", "--layers", "8,3", "--epochs", "100000", "--data", data, "--out", out)
    cli.expectUsageError(run, mentioning: phrases, sourceLocation: sourceLocation)
    #expect(!run.stderr.contains("training ") && !run.stderr.contains("epoch"), "\(run.stderr)", sourceLocation: sourceLocation)
    #expect(Date().timeIntervalSince(start) < 20, "took \(Date().timeIntervalSince(start)) s", sourceLocation: sourceLocation)
  }

  @Test func aDirectoryOrAnUnknownSuffixIsRefusedBeforeTraining() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = try cli.blobCSV()
    try expectRefusedBeforeTraining(data, out: directory, mentioning: ["--out \(directory) is a directory", "give a file name in it (.h5, .hdf5)"])
    try expectRefusedBeforeTraining(data, out: directory + "/model.npy", mentioning: ["'.npy' is not a suffix this command writes; use .h5, .hdf5"])
    try expectRefusedBeforeTraining(data, out: directory + "/model", mentioning: ["no suffix; use .h5, .hdf5"])
    let model = directory + "/m.h5"
    #expect(try cli.ae("train", "--layers", "8,3", "--epochs", "1", "--data", data, "--out", model, "--quiet").status == 0)
    // Tables are .npy or .csv, pictures .png: nothing is written under a name it does not match.
    cli.expectUsageError(try cli.ae("encode", model, "--data", data, "--out", directory + "/codes.txt"),
                         mentioning: ["--out \(directory)/codes.txt: '.txt' is not a suffix this command writes; use .npy, .csv"])
    cli.expectUsageError(try cli.ae("score", model, "--data", data, "--out", directory + "/scores.json"), mentioning: ["use .npy, .csv"])
    cli.expectUsageError(try cli.ae("montage", model, "--data", data, "--out", directory + "/m.npy"), mentioning: ["use .png"])
    cli.expectUsageError(try cli.ae("encode", model, "--data", data, "--out", directory), mentioning: ["is a directory"])
    // Upper-case suffixes are the same formats.
    #expect(try cli.ae("encode", model, "--data", data, "--out", directory + "/codes.CSV").status == 0)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["blobs.csv", "codes.CSV", "m.h5"])
  }

  @Test func anUnwritableFolderIsRefusedBeforeTraining() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = try cli.blobCSV()
    let locked = directory + "/locked"
    try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
    // Root writes anywhere but on a read-only file system; others are stopped by the mode.
    var mounted = false
    if getuid() == 0 {
      mounted = try command("/bin/mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", locked) == 0
      guard mounted else {
        print("OutputCheckTests.anUnwritableFolderIsRefusedBeforeTraining skipped: root, and no read-only tmpfs to mount")
        return
      }
    } else {
      #expect(chmod(locked, 0o555) == 0)
    }
    defer {
      if mounted { _ = try? command("/bin/umount", locked) } else { chmod(locked, 0o755) }
    }
    try expectRefusedBeforeTraining(data, out: locked + "/m.h5", mentioning: ["cannot write in the folder \(locked)"])
  }

  func command(_ path: String, _ arguments: String...) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
  }
}
