import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// ae's one rule for errors, so a script can tell "fix the command line" from "fix the files":
///
/// - A usage mistake (an unknown, missing or malformed option, a value out of range, options
///   that do not go together, a model the options describe that cannot be built, an `--out` that
///   cannot be written): `error: MESSAGE` and `usage: ...` on stderr, exit status 64 (EX_USAGE).
///   Commands throw `ValidationError` for these, in `validate()` or before their work starts.
/// - A failure while working (data or a model file unreadable or not matching, a write that
///   fails, results that overflow): one `error: MESSAGE` line, exit status 1.
/// - `--help` and `--version` print to stdout and exit 0.
enum ErrorReport {
  static func exit(with error: Error, arguments: [String]) -> Never {
    let status = AE.exitCode(for: error)
    if status == .success { AE.exit(withError: error) } // help or version
    if let status = error as? ExitCode { Glibc.exit(status.rawValue) } // already reported
    if status == .validationFailure {
      let command = subcommand(in: arguments)
      printError("error: \(usageMessage(AE.message(for: error)))\nusage: \(usageLine(for: command))\n")
      Glibc.exit(ExitCode.validationFailure.rawValue)
    }
    printError("error: \(oneLine(error))\n")
    Glibc.exit(ExitCode.failure.rawValue)
  }

  /// The subcommand the arguments name: ae takes no options of its own, so it is the first
  /// argument that is a command's name.
  static func subcommand(in arguments: [String]) -> ParsableCommand.Type? {
    guard let first = arguments.first else { return nil }
    return AE.configuration.subcommands.first { $0._commandName == first }
  }

  /// One line that shows the command's shape and where the rest is.
  static func usageLine(for command: ParsableCommand.Type?) -> String {
    guard let command else { return "ae <command> [<options>]  (ae --help lists the commands)" }
    let synopsis = AE.usageString(for: command).split(whereSeparator: \.isWhitespace).joined(separator: " ")
    return "\(synopsis)  (ae \(command._commandName) --help lists every option)"
  }

  /// swift-argument-parser's message on one line: its list of allowed values comes as bullets.
  static func usageMessage(_ text: String) -> String {
    text.replacingOccurrences(of: ":\n  - ", with: ": ").replacingOccurrences(of: "\n  - ", with: ", ")
      .split(whereSeparator: \.isNewline).joined(separator: " ")
  }

  static func printError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }
}

/// A failure while working (in the data, a model file or a write): exit status 1.
struct CommandError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// An error's text on one line. libhdf5's file-driver errors carry a dump (time, buffer
/// address, sizes) around the system's reason, over two lines; only the reason is kept.
/// A temporary file of `writeAtomically` (`DIR/.NAME.tmp-PID-RANDOM`, removed on failure) is
/// named by the file it was for.
func oneLine(_ error: Error) -> String {
  var text = "\(error)".replacing(#/\.([^/\s]+)\.tmp-\d+-\d+/#) { String($0.output.1) }
  if let dump = text.firstMatch(of: #/: time = [^\n]*\n?.*errno = (\d+), error message = '([^']*)'.*/#) {
    text.replaceSubrange(dump.range, with: ": \(dump.output.2) (errno \(dump.output.1))")
  }
  return text.split(whereSeparator: \.isNewline).joined(separator: " ")
}
