import ArgumentParser
import Frontend
import IR


/// Options shared by every command that loads a model.
struct ModelOptions: ParsableArguments {
    @Argument(help: "The ONNX model file.")
    var model: String

    @Option(name: .customLong("input-shape"), help: ArgumentHelp("Pin an input's shape, e.g. input=4x3x260x260 (repeatable).", valueName: "NAME=SHAPE"))
    var inputShapes: [String] = []

    @Option(help: ArgumentHelp("Re-batch the model: inputs whose dimension 0 is 1 take N images, and the graph follows.", valueName: "N"))
    var batch: Int?

    func validate() throws {
        if let batch, !(1...Self.maxBatch).contains(batch) { throw ValidationError("--batch needs a count from 1 to \(Self.maxBatch)") }
    }

    /// The largest `--batch`: far beyond any useful one; tensor sizes are checked against the resource limits anyway.
    static let maxBatch = 65536

    /// Parses `--input-shape` values; a malformed one is a `UsageError` that says what is wrong with it.
    func parsedInputShapes() throws -> [String: [Int]] {
        try Self.parseInputShapes(inputShapes)
    }

    /// `NAME=1x3x224x224` values, by input name.
    static func parseInputShapes(_ specs: [String]) throws -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for spec in specs {
            let problem: String?
            if let eq = spec.lastIndex(of: "=") {
                let name = String(spec[..<eq])
                let fields = spec[spec.index(after: eq)...].split(separator: "x", omittingEmptySubsequences: false)
                let dims = fields.map { Int($0) }
                if name.isEmpty {
                    problem = "the input name before '=' is missing"
                } else if let bad = zip(fields, dims).first(where: { ($0.1 ?? 0) <= 0 })?.0 {
                    problem = bad.isEmpty ? "a dimension is empty" : "dimension '\(bad)' is not a positive integer"
                } else {
                    problem = nil
                    result[name] = dims.compactMap { $0 }
                }
            } else {
                problem = "there is no '=' between the input name and the shape"
            }
            if let problem {
                throw UsageError("--input-shape '\(spec)': \(problem) (expected NAME=DxDxD, e.g. input=1x3x224x224)")
            }
        }
        return result
    }

    /// Imports the model, printing the importer's notes on stderr.
    func load() throws -> ImportResult {
        let result = try ONNXImporter.load(path: model, options: ImportOptions(inputShapes: try parsedInputShapes(), batch: batch))
        for note in result.notes { printError(note) }
        return result
    }
}
