import Foundation
import Frontend
import IR
import Reference
import Testing

/// Broken and hostile model files: each is one clear `KilnError`, never a crash.
@Suite struct HostileInputTests {
    /// Imports `path` and returns the error message it must fail with.
    func importError(_ path: String, options: ImportOptions = ImportOptions()) -> String {
        do {
            _ = try ONNXImporter.load(path: path, options: options)
            Issue.record("\(path) imported without error")
            return ""
        } catch let error as KilnError {
            #expect(!error.description.contains("\n"), "error messages are one line")
            return error.description
        } catch {
            Issue.record("unexpected error type: \(error)")
            return ""
        }
    }

    func write(_ bytes: [UInt8]) throws -> String {
        let url = try TemporaryFolder.make().appendingPathComponent("model.onnx")
        try Data(bytes).write(to: url)
        return url.path
    }

    @Test func validSmallModelImportsAndRuns() throws {
        let path = try ModelBuilder.convRelu().write()
        let graph = try ONNXImporter.load(path: path).graph
        #expect(graph.nodes.map(\.op.opType) == ["Conv", "Relu"])
        let y = try Interpreter(graph: graph).run([Tensor(zeros: TensorType(.float32, [1, 2, 5, 5]))])[0]
        // Zero input: the output is relu(bias) per channel.
        #expect(y.floats[0] == Float(0.1) && y.floats[25] == 0 && y.floats[50] == Float(0.3))
    }

    @Test func emptyFile() throws {
        #expect(importError(try write([])).contains("empty"))
    }

    @Test func missingFile() {
        #expect(importError("/nonexistent/model.onnx").contains("cannot open"))
    }

    @Test func randomBytes() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let bytes = (0..<Int.random(in: 1...4096, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = importError(try write(bytes))
        }
    }

    @Test func truncatedAtManyPoints() throws {
        let bytes = ModelBuilder.convRelu().serialized()
        for cut in stride(from: 1, to: bytes.count, by: max(1, bytes.count / 40)) {
            _ = importError(try write(Array(bytes.prefix(cut))))
        }
    }

    @Test func truncatedRealModel() throws {
        guard let shared = SharedData.available("truncated real model") else { return }
        let data = try Data(contentsOf: shared.appendingPathComponent("models/tv_b0/model.onnx"))
        for fraction in [0.001, 0.1, 0.5, 0.9, 0.999] {
            let message = importError(try write(Array(data.prefix(Int(Double(data.count) * fraction)))))
            #expect(message.contains("malformed or truncated"))
        }
    }

    @Test func rawDataLengthDoesNotMatchDims() throws {
        var m = ModelBuilder.convRelu()
        m.initializers[0] = ModelBuilder.tensor("w", dims: [3, 2, 3, 3], rawByteCount: 10)
        let message = importError(try m.write())
        #expect(message.contains("tensor 'w'") && message.contains("raw_data holds 10 bytes"))
    }

    @Test func dimsWhoseProductOverflows() throws {
        var m = ModelBuilder.convRelu()
        m.initializers[0] = ModelBuilder.tensor("w", dims: [1 << 40, 1 << 40, 3, 3], values: [1])
        #expect(importError(try m.write()).contains("too many elements"))
        m.initializers[0] = ModelBuilder.tensor("w", dims: [-3, 2, 3, 3], values: [1])
        #expect(importError(try m.write()).contains("negative dimension"))
    }

    @Test func missingInitializer() throws {
        var m = ModelBuilder.convRelu()
        m.initializers.removeFirst()
        let message = importError(try m.write())
        #expect(message.contains("node 'conv'") && message.contains("input 'w' is not defined"))
    }

    @Test func unsupportedOperatorsAreListedTogether() throws {
        var m = ModelBuilder.convRelu()
        m.node("FancyOp", ["y"], ["z"], name: "fancy1")
        m.node("FancyOp", ["z"], ["z2"], name: "fancy2")
        m.node("Quux", ["z2"], ["z3"], name: "quux", domain: "com.example")
        let message = importError(try m.write())
        #expect(message.contains("FancyOp (opset 17) in 2 nodes 'fancy1', 'fancy2'"))
        #expect(message.contains("com.example.Quux") && message.contains("'quux'"))
    }

    @Test func cycle() throws {
        var m = ModelBuilder.convRelu()
        m.nodes.removeLast()
        m.node("Relu", ["c", "loop"], ["y"], name: "a")
        m.node("Relu", ["y"], ["loop"], name: "b")
        #expect(importError(try m.write()).contains("cycle"))
    }

    @Test func externalDataOutsideTheFolderIsRefused() throws {
        let root = try TemporaryFolder.make()
        let modelDir = root.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: modelDir, withIntermediateDirectories: true)
        let secret = root.appendingPathComponent("secret.bin")
        try Data(count: 3 * 2 * 9 * 4).write(to: secret)
        try FileManager.default.createSymbolicLink(atPath: modelDir.appendingPathComponent("link.bin").path, withDestinationPath: secret.path)

        for (location, expected) in [(secret.path, "is absolute"), ("../secret.bin", "contains '..'"),
                                     ("link.bin", "resolves outside"), ("missing.bin", "does not exist")] {
            var m = ModelBuilder.convRelu()
            m.initializers[0] = ModelBuilder.tensor("w", dims: [3, 2, 3, 3], external: [("location", location)])
            let message = importError(try m.write(in: modelDir))
            #expect(message.contains(expected), "\(location): \(message)")
        }
    }

    @Test func externalDataInsideTheFolderIsMapped() throws {
        let dir = try TemporaryFolder.make()
        let weights = (0..<54).map(Float.init)
        try Data(([Float](repeating: 9, count: 4) + weights).withUnsafeBytes { Array($0) }).write(to: dir.appendingPathComponent("w.bin"))
        var m = ModelBuilder.convRelu()
        m.initializers[0] = ModelBuilder.tensor("w", dims: [3, 2, 3, 3], external: [("location", "w.bin"), ("offset", "16"), ("length", "216")])
        let graph = try ONNXImporter.load(path: try m.write(in: dir)).graph
        let w = try #require(graph.constants.values.first { $0.shape == [3, 2, 3, 3] })
        #expect(Array(w.floats) == weights)

        m.initializers[0] = ModelBuilder.tensor("w", dims: [3, 2, 3, 3], external: [("location", "w.bin"), ("offset", "100"), ("length", "216")])
        #expect(importError(try m.write(in: dir)).contains("beyond the end"))
    }

    @Test func wrongSizedInputIsAnError() throws {
        let graph = try ONNXImporter.load(path: try ModelBuilder.convRelu().write()).graph
        #expect(throws: KilnError.self) {
            try Interpreter(graph: graph).run([Tensor(zeros: TensorType(.float32, [1, 2, 4, 4]))])
        }
    }

    @Test func unknownOpsetIsAnError() throws {
        var m = ModelBuilder.convRelu()
        m.opset = 99
        #expect(importError(try m.write()).contains("opset 99"))
    }
}
