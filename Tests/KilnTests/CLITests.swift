import Foundation
import Frontend
import IR
import Testing

/// The `kiln` executable as a user meets it: exit codes and one-line errors.
@Suite struct CLITests {
    /// The kiln binary built next to the test bundle, if there is one.
    static let kiln: URL? = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("kiln")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        print("SKIP CLI tests: no kiln executable next to \(dir.path) (run `swift build` first)")
        return nil
    }()

    func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        guard let kiln = Self.kiln else { return (0, "", "") }
        let process = Process()
        process.executableURL = kiln
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stdout, stderr)
    }

    /// `--batch`: a count out of range is a usage error (64); a model that cannot be re-batched is one line naming the node (1).
    @Test func batchErrors() throws {
        guard Self.kiln != nil else { return }
        let model = try ModelBuilder.convRelu().write()
        let zero = try run(["inspect", model, "--batch", "0"])
        #expect(zero.status == 64 && zero.stderr.contains("--batch"), "\(zero.stderr)")
        let flatten = try BatchTests.pooledModel(reshapeTo: [-1], output: [3]).write()
        let lost = try run(["inspect", flatten, "--batch", "4"])
        #expect(lost.status == 1)
        #expect(lost.stderr.split(separator: "\n").count == 1 && lost.stderr.contains("node 'flatten'")
                && lost.stderr.contains("cannot re-batch to 4"), "\(lost.stderr)")
        let fine = try run(["inspect", model, "--batch", "4"])
        #expect(fine.status == 0 && fine.stdout.contains("float32[4x2x5x5]"), "\(fine.stderr)")
    }

    @Test func brokenModelIsOneLineAndExitStatusOne() throws {
        guard Self.kiln != nil else { return }
        let path = try TemporaryFolder.make().appendingPathComponent("model.onnx")
        try Data([0x0a, 0xff, 0xff, 0x01]).write(to: path)
        for command in ["inspect", "run"] {
            let result = try run([command, path.path] + (command == "run" ? ["--input", path.path] : []))
            #expect(result.status == 1)
            #expect(result.stderr.split(separator: "\n").count == 1, "\(command): \(result.stderr)")
            #expect(result.stderr.hasPrefix("error: \(path.path): "))
        }
    }

    @Test func wrongSizedInputIsAClearError() throws {
        guard Self.kiln != nil else { return }
        let dir = try TemporaryFolder.make()
        let model = try ModelBuilder.convRelu().write(in: dir)
        let input = dir.appendingPathComponent("x.npy")
        // A valid .npy of 1x2x4x4 float32 where the model wants 1x2x5x5.
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 4, 4), }"
        while (10 + header.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count), 0] + Array(header.utf8)
        bytes += [UInt8](repeating: 0, count: 32 * 4)
        try Data(bytes).write(to: input)
        let result = try run(["run", model, "--input", input.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("expected 1x2x5x5"), "\(result.stderr)")
    }

    @Test func inspectReportsMACsAndNodes() throws {
        guard Self.kiln != nil else { return }
        let result = try run(["inspect", try ModelBuilder.convRelu().write(), "--format", "json"])
        #expect(result.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        // Conv 2→3 channels, 3x3 kernel, 5x5 output: 3·25 outputs × 2·9 MACs.
        #expect(json?["totalMACs"] as? Int == 3 * 25 * 2 * 9)
    }
}

@Suite struct SymbolicDimensionTests {
    @Test func symbolicBatchBecomesOneWithANote() throws {
        var m = ModelBuilder.convRelu()
        m.inputs = [ModelBuilder.valueInfo("x", dims: [-1, 2, 5, 5])]
        m.outputs = [ModelBuilder.valueInfo("y", dims: [-1, 3, 5, 5])]
        let path = try m.write()
        let result = try ONNXImporter.load(path: path)
        #expect(result.graph.type(of: result.graph.inputs[0]).shape == [1, 2, 5, 5])
        #expect(result.notes.contains { $0.contains("symbolic") && $0.contains("--input-shape") })

        let pinned = try ONNXImporter.load(path: path, options: ImportOptions(inputShapes: ["x": [4, 2, 5, 5]]))
        #expect(pinned.graph.type(of: pinned.graph.outputs[0]).shape == [4, 3, 5, 5])
        #expect(pinned.notes.isEmpty)

        #expect(throws: KilnError.self) { try ONNXImporter.load(path: path, options: ImportOptions(inputShapes: ["x": [4, 3, 5, 5]])) }
        #expect(throws: KilnError.self) { try ONNXImporter.load(path: path, options: ImportOptions(inputShapes: ["nope": [1]])) }
    }
}
