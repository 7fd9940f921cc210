import ArgumentParser
import Foundation
import IR

@main
struct Kiln: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "kiln",
        abstract: "Compile EfficientNet-family ONNX models into small static binaries.",
        version: version,
        subcommands: [Compile.self, Inspect.self, Run.self, Verify.self, BenchCommand.self]
    )
}

/// A mistake in the command line itself (an unknown pass name, a malformed `--input-shape`): one line, exit 64
/// (EX_USAGE), as for the argument parser's own errors.
struct UsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Runs a command body, printing a `KilnError` (exit status 1) or a `UsageError` (64) as one line on stderr.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as KilnError {
        ScratchFolder.waitIfInterrupted()
        printError("error: \(error)")
        throw ExitCode(1)
    } catch let error as UsageError {
        printError("error: \(error.message)")
        throw ExitCode(64)
    } catch {
        ScratchFolder.waitIfInterrupted()
        throw error
    }
}

/// Runs `body`, whose `KilnError`s are about the command line (names checked against the pipeline): `UsageError`s.
func asUsage<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as KilnError {
        throw UsageError(error.description)
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
