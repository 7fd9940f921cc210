import Foundation
import Frontend
import IR
import Reference
import Testing

/// Every EfficientNet-family model in the shared data runs through the importer and the reference
/// interpreter and matches onnxruntime's outputs: max|y − ref| ≤ 1e-4 · max|ref| and the same top-1.
@Suite struct ModelTests {
    static let models = SharedData.available("model tests") == nil ? [] : SharedData.modelNames

    @Test(arguments: models)
    func interpreterMatchesReference(model: String) throws {
        let dir = SharedData.root.appendingPathComponent("models/\(model)")
        let result = try ONNXImporter.load(path: dir.appendingPathComponent("model.onnx").path)
        let interpreter = Interpreter(graph: result.graph)
        let dataSets = SharedData.dataSets(dir)
        #expect(!dataSets.isEmpty)
        for dataSet in dataSets {
            let inputs = try SharedData.tensors(dataSet, prefix: "input")
            let expected = try SharedData.tensors(dataSet, prefix: "output")
            let outputs = try interpreter.run(inputs)
            try #require(outputs.count == expected.count)
            for (y, ref) in zip(outputs, expected) {
                #expect(y.shape == ref.shape)
                let d = Difference(y, ref)
                print("\(model)/\(dataSet.lastPathComponent): max|y-ref| = \(d.maxAbs), relative \(d.relative)")
                #expect(d.relative <= 1e-4, "\(model) \(dataSet.lastPathComponent): relative error \(d.relative)")
                #expect(argmax(y) == argmax(ref), "\(model) \(dataSet.lastPathComponent): top-1 differs")
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
