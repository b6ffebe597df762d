import Foundation
import Models
import Store
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What `ae` writes and reads: only regular files replaced, absurd sizes refused, a full disk
/// reported, files without a checksum read only when asked.
@Suite(.serialized) struct FileSafetyTests {
  let cli = CLITests()
  var directory: String { cli.directory }

  func kind(_ path: String) -> mode_t {
    var status = stat()
    return lstat(path, &status) == 0 ? status.st_mode & S_IFMT : 0
  }

  /// A small trained model and its data.
  func trained() throws -> (model: String, data: String) {
    let data = try cli.blobCSV(), model = directory + "/m.h5"
    let run = try cli.ae("train", "--layers", "8,3", "--epochs", "1", "--data", data, "--out", model, "--quiet")
    #expect(run.status == 0, "\(run.stderr)")
    return (model, data)
  }

  @Test func outputsThatAreNotRegularFilesAreRefusedBeforeAnyWork() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let (model, data) = try trained()
    let fifo = directory + "/fifo", folder = directory + "/folder", link = directory + "/link.npy"
    #expect(mkfifo(fifo, 0o644) == 0)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
    try Data("kept".utf8).write(to: URL(fileURLWithPath: directory + "/target.npy"))
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: directory + "/target.npy")
    var refused: [(String, String)] = [(fifo, "is a FIFO"), (folder, "is a directory"), (link, "is a symbolic link"),
                                       (directory + "/missing/z.npy", "cannot use the folder")]
    // A device node of our own (root only): the case that replaced /dev/full.
    let device = directory + "/full"
    if mknod(device, S_IFCHR | 0o666, dev_t((1 << 8) | 7)) == 0 {
      refused.append((device, "is a character device"))
    } else {
      print("FileSafetyTests: not root, so no device node to test with (\(String(cString: strerror(errno))))")
    }
    for (path, phrase) in refused {
      cli.expectUsageError(try cli.ae("encode", model, "--data", data, "--out", path), mentioning: [path, phrase])
      cli.expectUsageError(try cli.ae("sample", model, "-n", "2", "--out", directory + "/s.npy", "--codes", path), mentioning: [path, phrase])
      cli.expectUsageError(try cli.ae("seal", model, "--out", path), mentioning: [path, phrase])
      // Without --quiet, training would print a line before it starts: two lines (error and usage) mean it never began.
      cli.expectUsageError(try cli.ae("train", "--layers", "8,3", "--epochs", "1000", "--data", data, "--out", path), mentioning: [path, phrase])
    }
    #expect(kind(fifo) == S_IFIFO && kind(folder) == S_IFDIR && kind(link) == S_IFLNK)
    #expect(refused.count == 4 || kind(device) == S_IFCHR)
    #expect(try String(contentsOfFile: directory + "/target.npy", encoding: .utf8) == "kept")
    #expect(!FileManager.default.fileExists(atPath: directory + "/s.npy"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp-") }.isEmpty)
    // Regular files are still replaced.
    #expect(try cli.ae("encode", model, "--data", data, "--out", directory + "/target.npy").status == 0)
    #expect(kind(directory + "/target.npy") == S_IFREG && kind(link) == S_IFLNK)
  }

  @Test func absurdSizesAreRefusedWithAMessage() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = try cli.blobCSV(), vae = directory + "/vae.h5"
    #expect(try cli.ae("train", "--model", "vae", "--layers", "8,2", "--epochs", "1", "--data", data, "--out", vae, "--quiet").status == 0)
    cli.expectFailure(try cli.ae("sample", vae, "-n", "100000000000", "--out", directory + "/s.npy"),
                      mentioning: ["--count 100000000000", "needs about", "GB of memory; this machine has"])
    cli.expectFailure(try cli.ae("interpolate", vae, "--data", data, "--steps", "100000000000", "--out", directory + "/p.npy"),
                      mentioning: ["--steps 100000000000", "needs about"])
    // The picture's size is the command line's doing: a usage mistake, found before drawing.
    cli.expectUsageError(try cli.ae("montage", vae, "--data", data, "--image-shape", "14x14", "--sample", "--count", "100000000000",
                                    "--out", directory + "/m.png"),
                         mentioning: ["the picture would be", "at most 100000 a side"])
    // The old spellings (--shape, --samples) still work.
    cli.expectUsageError(try cli.ae("montage", vae, "--data", data, "--shape", "14x14", "--samples", "100000000000", "--out", directory + "/m.png"),
                         mentioning: ["the picture would be", "at most 100000 a side"])
    cli.expectUsageError(try cli.ae("montage", vae, "--data", data, "--image-shape", "4294967296x4294967296", "--out", directory + "/m.png"),
                         mentioning: ["--image-shape 4294967296x4294967296 is absurdly large"])
    for arguments in [["train", "--batch", "9223372036854775807"], ["train", "--threads", "100000000000"],
                      ["train", "--image-shape", "4294967296x4294967296x1"], ["interpolate", vae, "--steps", "1", "--out", "p.npy"],
                      ["montage", vae, "--zoom", "0"]] {
      cli.expectUsageError(try cli.ae(arguments + ["--data", data]), mentioning: [arguments[arguments[0] == "train" ? 1 : 2]])
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["blobs.csv", "vae.h5"])
    // Large but sane values still work.
    #expect(try cli.ae("interpolate", vae, "--data", data, "--steps", "300", "--out", directory + "/p.npy").status == 0)
  }

  /// A full disk while saving: one error line, exit status 1, the previous file intact, no
  /// temporary file. (libhdf5 used to crash at exit after its failed close: status 139.)
  @Test func aFullDiskIsAnErrorNotACrash() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = try cli.blobCSV()
    let full = directory + "/full"
    try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: false)
    let mount = try command("/bin/mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", full)
    guard mount.status == 0 else {
      print("FileSafetyTests.aFullDiskIsAnErrorNotACrash skipped: cannot mount a small tmpfs (needs root): \(mount.output)")
      return
    }
    defer { _ = try? command("/bin/umount", full) }
    let model = full + "/m.h5"
    #expect(try cli.ae("train", "--layers", "8,3", "--epochs", "1", "--data", data, "--out", model, "--quiet").status == 0)
    let before = try Data(contentsOf: URL(fileURLWithPath: model))
    // About 120 000 parameters: 480 kB, more than the disk holds.
    let run = try cli.ae("train", "--layers", "256,32", "--epochs", "1", "--data", data, "--out", model, "--quiet")
    cli.expectFailure(run, mentioning: [model, "the model was not saved", "unchanged", "No space left on device"])
    #expect(try Data(contentsOf: URL(fileURLWithPath: model)) == before)
    #expect(try FileManager.default.contentsOfDirectory(atPath: full) == ["m.h5"])
    // The same for a checkpoint, written during training.
    let checkpoint = try cli.ae("train", "--layers", "256,32", "--epochs", "1", "--data", data, "--checkpoint", full + "/ck",
                                "--out", directory + "/other.h5", "--quiet")
    cli.expectFailure(checkpoint, mentioning: ["checkpoint.h5", "No space left on device"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: full + "/ck").isEmpty)
  }

  func command(_ path: String, _ arguments: String...) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
  }

  @Test func filesWithoutAChecksumAreReadOnlyWhenAskedAndCanBeSealed() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let (model, data) = try trained()
    // The same model written without the checksum, as another tool would.
    let unsealed = directory + "/unsealed.h5"
    let (loaded, history) = try ModelFile.load(model)
    let file = try HDF5Group.create(file: unsealed)
    try ModelFile.write(loaded, history: history, into: file)
    try file.finish()

    for arguments in [["inspect"], ["eval", "--data", data], ["encode", "--data", data, "--out", directory + "/z.npy"],
                      ["sample", "-n", "2", "--out", directory + "/s.npy"]] {
      cli.expectFailure(try cli.ae([arguments[0], unsealed] + arguments.dropFirst()),
                        mentioning: [unsealed, "no checksum", "--unverified", "ae seal \(unsealed)"])
    }
    let inspect = try cli.ae("inspect", "--unverified", unsealed)
    #expect(inspect.status == 0 && inspect.stdout.contains("dense 196-8-3-8-196"), "\(inspect.stderr)")
    #expect(try cli.ae("encode", "--unverified", unsealed, "--data", data, "--out", directory + "/z1.npy").status == 0)
    #expect(try cli.ae("encode", model, "--data", data, "--out", directory + "/z0.npy").status == 0)
    #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/z1.npy")) == Data(contentsOf: URL(fileURLWithPath: directory + "/z0.npy")))

    let seal = try cli.ae("seal", unsealed)
    #expect(seal.status == 0 && seal.stdout.contains("sealed"), "\(seal.stderr)")
    #expect(try cli.ae("inspect", unsealed).status == 0)
    #expect(try cli.ae("encode", unsealed, "--data", data, "--out", directory + "/z2.npy").status == 0)
    #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/z2.npy")) == Data(contentsOf: URL(fileURLWithPath: directory + "/z0.npy")))
    let again = try cli.ae("seal", unsealed)
    #expect(again.status == 0 && again.stdout.contains("already sealed"))
  }
}
