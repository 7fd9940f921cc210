import ArgumentParser
import Frontend
import IR


/// Options shared by every command that loads a model.
struct ModelOptions: ParsableArguments {
    @Argument(help: "The ONNX model file.")
    var model: String

    @Option(name: .customLong("input-shape"), help: ArgumentHelp("Pin an input's shape, e.g. input=4x3x260x260 (repeatable).", valueName: "NAME=SHAPE"))
    var inputShapes: [String] = []

    /// Parses `--input-shape` values.
    func parsedInputShapes() throws -> [String: [Int]] {
        try Self.parseInputShapes(inputShapes)
    }

    /// `NAME=1x3x224x224` values, by input name.
    static func parseInputShapes(_ specs: [String]) throws -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for spec in specs {
            guard let eq = spec.lastIndex(of: "=") else { throw ValidationError("--input-shape '\(spec)' should look like NAME=1x3x224x224") }
            let name = String(spec[..<eq])
            let dims = spec[spec.index(after: eq)...].split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
            guard !name.isEmpty, !dims.isEmpty, dims.allSatisfy({ ($0 ?? -1) > 0 }) else {
                throw ValidationError("--input-shape '\(spec)' should look like NAME=1x3x224x224 with positive dimensions")
            }
            result[name] = dims.compactMap { $0 }
        }
        return result
    }

    /// Imports the model, printing the importer's notes on stderr.
    func load() throws -> ImportResult {
        let result = try ONNXImporter.load(path: model, options: ImportOptions(inputShapes: try parsedInputShapes()))
        for note in result.notes { printError(note) }
        return result
    }
}
