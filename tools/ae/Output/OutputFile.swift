import ArgumentParser
import Foundation
import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// The kinds of file ae writes, known by their suffix.
enum OutputFormat: String, CaseIterable {
  case npy, csv, png
  /// A model file (HDF5).
  case h5
  /// Sound files (libsndfile) and Standard MIDI Files.
  case wav, flac, mid
  /// ONNX graphs (ae export).
  case onnx

  /// The suffixes that name the format.
  var suffixes: [String] {
    switch self {
    case .h5: [".h5", ".hdf5"]
    case .mid: [".mid", ".midi"]
    default: [".\(rawValue)"]
    }
  }

  /// The format `path`'s suffix names, if any (case does not matter).
  init?(path: String) {
    let lower = path.lowercased()
    guard let format = OutputFormat.allCases.first(where: { $0.suffixes.contains(where: lower.hasSuffix) }) else { return nil }
    self = format
  }

  /// The tables the data commands write.
  static let tables: [OutputFormat] = [.npy, .csv]
  /// The sound files the audio commands write.
  static let sounds: [OutputFormat] = [.wav, .flac]
}

/// Check a path a command will write, before any work: a usage mistake (`ValidationError`,
/// exit 64) when it names a directory, when something other than a regular file is there (see
/// `checkReplaceable`), when its suffix is not one of `formats` (nil: any, for a file
/// rewritten in place), or when its folder is missing or not writable. Every command that
/// writes a file calls this first, so a bad `--out` fails at once rather than after training.
/// Returns the format the suffix names.
@discardableResult
func checkOutput(_ path: String, option: String = "--out", formats: [OutputFormat]?) throws -> OutputFormat? {
  let known = (formats ?? OutputFormat.allCases).flatMap(\.suffixes).joined(separator: ", ")
  let named = option.isEmpty ? path : "\(option) \(path)"
  var status = stat()
  if lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR {
    throw ValidationError("\(named) is a directory; give a file name in it (\(known))")
  }
  do {
    try checkReplaceable(path)
  } catch {
    throw ValidationError(option.isEmpty ? "\(error)" : "\(option) \(error)")
  }
  let format = OutputFormat(path: path)
  if let formats, !(format.map(formats.contains) ?? false) {
    let name = path.split(separator: "/").last ?? ""
    let suffix = name.lastIndex(of: ".").map { String(name[$0...]) }
    throw ValidationError("\(named): \(suffix.map { "'\($0)' is not a suffix this command writes" } ?? "no suffix"); use \(known)")
  }
  let folder = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
  guard access(folder, W_OK | X_OK) == 0 else {
    throw ValidationError("\(named): cannot write in the folder \(folder): \(String(cString: strerror(errno)))")
  }
  return format
}

/// Refuse an output that is the input file itself (the same device and inode, whatever the
/// names): writing it would destroy the input.
func refuseOverwriting(_ input: String, with output: String, option: String) throws {
  var a = stat(), b = stat()
  guard stat(input, &a) == 0, stat(output, &b) == 0 else { return }
  if a.st_dev == b.st_dev && a.st_ino == b.st_ino {
    throw ValidationError("\(option) \(output) is the input file \(input); write to another file")
  }
}
