import Foundation
import Frontend
import IR
import Optimizer
import Reference
import Testing
import Verification

/// `--batch N`: the importer re-batches a model written for one image, and the compiled program reads a batch.
@Suite struct BatchTests {
    /// Conv → GlobalAveragePool → Reshape to `shape` on a 1x2x5x5 input: the classifier's shape in small.
    static func pooledModel(reshapeTo shape: [Int64], input: [Int64] = [1, 2, 5, 5], output: [Int64] = [1, 3]) -> ModelBuilder {
        var m = ModelBuilder()
        m.inputs = [ModelBuilder.valueInfo("x", dims: input)]
        m.outputs = [ModelBuilder.valueInfo("y", dims: output)]
        m.initializers = [ModelBuilder.tensor("w", dims: [3, 2, 3, 3]), ModelBuilder.tensor("b", dims: [3], values: [0.1, -0.2, 0.3]),
                          ModelBuilder.int64s("shape", shape)]
        m.node("Conv", ["x", "w", "b"], ["c"], name: "conv", ints: ["pads": [1, 1, 1, 1]])
        m.node("Relu", ["c"], ["r"], name: "relu")
        m.node("GlobalAveragePool", ["r"], ["p"], name: "pool")
        m.node("Reshape", ["p", "shape"], ["y"], name: "flatten")
        return m
    }

    @Test func reshapeWithALeadingOneFollowsTheBatch() throws {
        let path = try Self.pooledModel(reshapeTo: [1, -1]).write()
        let one = try ONNXImporter.load(path: path).graph
        let four = try ONNXImporter.load(path: path, options: ImportOptions(batch: 4)).graph
        #expect(four.type(of: four.inputs[0]).shape == [4, 2, 5, 5])
        #expect(four.type(of: four.outputs[0]).shape == [4, 3])
        let reshape = try #require(four.nodes.first { $0.op is Reshape }?.op as? Reshape)
        #expect(reshape.shape == [4, -1])

        // Each image of the batch gets exactly what it gets alone (the reference kernels compute images apart).
        let images = (0..<4).map { i in Tensor(shape: [1, 2, 5, 5], floats: (0..<50).map { Float(($0 * 7 + i * 13) % 11) - 5 }) }
        let batch = Tensor(shape: [4, 2, 5, 5], floats: images.flatMap { Array($0.floats) })
        let batched = try Interpreter(graph: four).run([batch])[0]
        for (i, image) in images.enumerated() {
            let alone = try Interpreter(graph: one).run([image])[0]
            #expect(Array(batched.floats[(3 * i)..<(3 * i + 3)]) == Array(alone.floats))
        }
    }

    @Test func symbolicBatchDimensionTakesTheBatch() throws {
        let path = try Self.pooledModel(reshapeTo: [0, -1], input: [-1, 2, 5, 5], output: [-1, 3]).write()
        let graph = try ONNXImporter.load(path: path, options: ImportOptions(batch: 3)).graph
        #expect(graph.type(of: graph.inputs[0]).shape == [3, 2, 5, 5])
        #expect(graph.type(of: graph.outputs[0]).shape == [3, 3])
    }

    @Test func nodeThatMergesTheBatchIsNamed() throws {
        // [1, 3, 1, 1] → [-1] is [3] for one image but would be [12] for four: the batch is lost.
        let path = try Self.pooledModel(reshapeTo: [-1], output: [3]).write()
        _ = try ONNXImporter.load(path: path)
        let error = try #require(throwsKilnError { try ONNXImporter.load(path: path, options: ImportOptions(batch: 4)) })
        #expect(error.node == "flatten")
        #expect(error.message.contains("cannot re-batch to 4"))
        #expect(error.message.contains("float32[12]"))
    }

    @Test func shapeThatFixesTheCountIsNamed() throws {
        let path = try Self.pooledModel(reshapeTo: [3], output: [3]).write()
        let error = try #require(throwsKilnError { try ONNXImporter.load(path: path, options: ImportOptions(batch: 2)) })
        #expect(error.node == "flatten")
        #expect(error.message.contains("cannot re-batch to 2"))
    }

    @Test func modelWithoutABatchDimensionIsRefused() throws {
        let path = try Self.pooledModel(reshapeTo: [2, -1], input: [2, 2, 5, 5], output: [2, 3]).write()
        let error = try #require(throwsKilnError { try ONNXImporter.load(path: path, options: ImportOptions(batch: 4)) })
        #expect(error.message.contains("--batch 4: no input"))
    }

    /// `split-batch` copies the per-image nodes once per image, but not past `maximumCopiedNodes` in all: a long chain
    /// at a large batch stays batched, and the graph stays the size it was.
    @Test func splitBatchKeepsTheGraphsSizeInBounds() throws {
        func chain(_ length: Int, batch: Int) throws -> Graph {
            var m = ModelBuilder()
            m.inputs = [ModelBuilder.valueInfo("x", dims: [Int64(batch), 4096])]  // 1 MiB at batch 64
            m.outputs = [ModelBuilder.valueInfo("y\(length)", dims: [Int64(batch), 4096])]
            for i in 1...length { m.node("Relu", ["\(i == 1 ? "x" : "y\(i - 1)")"], ["y\(i)"], name: "relu\(i)") }
            var graph = try ONNXImporter.load(path: try m.write()).graph
            _ = try SplitBatch().run(&graph)
            return graph
        }
        let split = try chain(SplitBatch.maximumCopiedNodes / 64, batch: 64)
        #expect(split.nodes.count == SplitBatch.maximumCopiedNodes + 64 + 1, "64 copies, 64 slices and one concat")
        let long = try chain(SplitBatch.maximumCopiedNodes / 64 + 1, batch: 64)
        #expect(long.nodes.count == SplitBatch.maximumCopiedNodes / 64 + 1 && !long.nodes.contains { $0.op is Slice })
    }

    private func throwsKilnError(_ body: () throws -> Any) -> KilnError? {
        do { _ = try body() } catch let error as KilnError { return error } catch { return nil }
        return nil
    }
}

/// A batch-4 tv_b0 program against four runs of the batch-1 program on the same inputs.
@Suite(.serialized) struct BatchProgramTests {
    static let hasB0 = SharedData.available("batch program tests") != nil && SharedData.modelNames.contains("tv_b0")

    /// Two photos and the two data sets' tensors: a batch may mix images and tensors of one image.
    static var inputs: [String] {
        let b0 = SharedData.root.appendingPathComponent("models/tv_b0")
        return [SharedData.root.appendingPathComponent("images/cat.ppm").path, SharedData.root.appendingPathComponent("images/coffee.ppm").path,
                b0.appendingPathComponent("test_data_set_0/input_0.pb").path, b0.appendingPathComponent("test_data_set_1/input_0.pb").path]
    }

    /// Bit-identical, not merely close: every kernel computes an image's outputs with the same operations in the
    /// same order whatever the batch (GEMM rows are independent and each output's sum over K runs in one order
    /// whichever row tile holds it; the convs, pools, the squeeze-excite gate and the gated GEMM's scaled weights go
    /// image by image), so only the grouping of rows into tiles changes, and that changes no result.
    @Test(.enabled(if: hasB0)) func batchOfFourEqualsFourRunsBitForBit() throws {
        let single = try BinaryCache.shared.binary(BuildConfig(model: "tv_b0"))
        let batched = try BinaryCache.shared.binary(BuildConfig(model: "tv_b0", batch: 4))
        let out = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: out) }

        let y4 = out.appendingPathComponent("y4.npy").path
        let run = try runProgram(batched.binary, Self.inputs + ["-o", y4])
        try #require(run.status == 0, "exit \(run.status): \(run.stderr)")
        let batch = try readNpy(y4)
        #expect(batch.dims == [4, 1000])
        for (i, input) in Self.inputs.enumerated() {
            let y1 = out.appendingPathComponent("y1-\(i).npy").path
            let one = try runProgram(single.binary, [input, "-o", y1])
            try #require(one.status == 0, "exit \(one.status): \(one.stderr)")
            let alone = try readNpy(y1).values
            #expect(Array(batch.values[(1000 * i)..<(1000 * i + 1000)]) == alone, "image \(i) of the batch")
        }

        // The same batch as one .npy of 4x3x224x224 (decoded as the program decodes each file).
        let imageType = TensorType(.float32, [1, 3, 224, 224])
        let whole = try Self.inputs.flatMap { path -> [Float] in
            let tensor = try decodeInput(path, type: imageType)
            return withExtendedLifetime(tensor) { Array(tensor.floats) }
        }
        let npy = out.appendingPathComponent("batch.npy").path
        try writeNpy(npy, whole, dims: [4, 3, 224, 224])
        let fromNpy = out.appendingPathComponent("y4-npy.npy").path
        let again = try runProgram(batched.binary, [npy, "-o", fromNpy])
        try #require(again.status == 0, "exit \(again.status): \(again.stderr)")
        #expect(try readNpy(fromNpy).values == batch.values)
    }

    /// `split-batch` runs the convs image by image with one copy of each node per image; the copies share their
    /// weights, so four images cost no more weights than one, and the arena is one image's (the conv layers'
    /// tensors are one image's, reused from copy to copy).
    @Test(.enabled(if: hasB0)) func batchOfFourKeepsOneImagesWeightsAndArena() throws {
        let single = try BinaryCache.shared.binary(BuildConfig(model: "tv_b0"))
        let batched = try BinaryCache.shared.binary(BuildConfig(model: "tv_b0", batch: 4))
        #expect(batched.weightsBytes == single.weightsBytes)
        #expect(batched.arenaBytes < single.arenaBytes + single.arenaBytes / 4, "\(batched.arenaBytes) against \(single.arenaBytes)")
        #expect(batched.binaryBytes < single.binaryBytes + single.binaryBytes / 10)
    }

    @Test(.enabled(if: hasB0)) func topKIsPrintedPerImage() throws {
        let batched = try BinaryCache.shared.binary(BuildConfig(model: "tv_b0", batch: 4))
        let run = try runProgram(batched.binary, Self.inputs + ["--top", "1"])
        try #require(run.status == 0, "exit \(run.status): \(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 8, "\(run.stdout)")
        #expect(lines.enumerated().filter { $0.offset % 2 == 0 }.map { String($0.element) } == Self.inputs.map { $0 + ":" })
    }

    @Test(.enabled(if: hasB0)) func wrongNumberOfImagesIsOneError() throws {
        let batched = try BinaryCache.shared.binary(BuildConfig(model: "tv_b0", batch: 4))
        let three = try runProgram(batched.binary, Array(Self.inputs.prefix(3)))
        #expect(three.status == 2)
        #expect(three.stderrLines.count == 1 && three.stderr.contains("takes a batch of 4"), "\(three.stderr)")
        let five = try runProgram(batched.binary, Self.inputs + [Self.inputs[0]])
        #expect(five.status == 2 && five.stderr.contains("more inputs than the model takes"), "\(five.stderr)")
    }
}
