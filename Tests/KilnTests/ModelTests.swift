import Foundation
import Frontend
import IR
import Optimizer
import Reference
import Testing

/// Every EfficientNet-family model in the shared data runs through the importer and the reference
/// interpreter and matches onnxruntime's outputs: max|y − ref| ≤ 1e-4 · max|ref| and the same top-1.
/// The optimized graph (the standard pipeline, verified after every pass) matches the unoptimized
/// one within 1e-5 · max|ref| and onnxruntime within 1e-4 · max|ref|.
@Suite struct ModelTests {
    static let models = SharedData.available("model tests") == nil ? [] : SharedData.modelNames

    @Test(arguments: models)
    func interpreterMatchesReference(model: String) throws {
        let dir = SharedData.root.appendingPathComponent("models/\(model)")
        let result = try ONNXImporter.load(path: dir.appendingPathComponent("model.onnx").path)
        var optimized = result.graph
        try Pipeline.run(Pipeline.standard(), on: &optimized, options: .init(verifyEach: true))
        let interpreter = Interpreter(graph: result.graph)
        let optimizedInterpreter = Interpreter(graph: optimized)
        let dataSets = SharedData.dataSets(dir)
        #expect(!dataSets.isEmpty)
        for dataSet in dataSets {
            let inputs = try SharedData.tensors(dataSet, prefix: "input")
            let expected = try SharedData.tensors(dataSet, prefix: "output")
            let outputs = try interpreter.run(inputs)
            let optimizedOutputs = try optimizedInterpreter.run(inputs)
            try #require(outputs.count == expected.count && optimizedOutputs.count == expected.count)
            for ((y, yOpt), ref) in zip(zip(outputs, optimizedOutputs), expected) {
                #expect(y.shape == ref.shape)
                let d = Difference(y, ref), dOpt = Difference(yOpt, ref), dPass = Difference(yOpt, y)
                let name = "\(model)/\(dataSet.lastPathComponent)"
                print("\(name): max|y-ref| = \(d.maxAbs) (relative \(d.relative)); optimized: relative \(dOpt.relative) to onnxruntime, \(dPass.maxAbs / max(d.maxRef, .leastNormalMagnitude)) to unoptimized")
                #expect(d.relative <= 1e-4, "\(name): relative error \(d.relative)")
                #expect(argmax(y) == argmax(ref), "\(name): top-1 differs")
                #expect(dOpt.relative <= 1e-4, "\(name) optimized: relative error \(dOpt.relative) to onnxruntime")
                #expect(dPass.maxAbs <= 1e-5 * d.maxRef, "\(name): optimized differs from unoptimized by \(dPass.maxAbs)")
                #expect(argmax(yOpt) == argmax(ref), "\(name) optimized: top-1 differs")
            }
        }
    }

    @Test func lite0SaysEgyptianCat() throws {
        guard let shared = SharedData.available("lite0 cat test") else { return }
        let dir = shared.appendingPathComponent("models/lite0_trained")
        let result = try ONNXImporter.load(path: dir.appendingPathComponent("model.onnx").path)
        let input = try TensorFile.read(path: dir.appendingPathComponent("test_data_set_1/input_0.pb").path)
        let output = try Interpreter(graph: result.graph).run([input])[0]
        let labels = try String(contentsOf: shared.appendingPathComponent("images/imagenet_classes.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(labels[argmax(output)] == "Egyptian cat")
    }
}
