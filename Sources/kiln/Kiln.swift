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

/// Runs a command body, printing a `KilnError` as one line on stderr and exiting non-zero.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as KilnError {
        printError("error: \(error)")
        throw ExitCode(1)
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
