import Foundation
import Frontend
import IR
import Testing

/// The reproducers the fuzzer found: ONNX files of a few dozen bytes that asked the importer to allocate
/// gigabytes or terabytes. Each must now be one error line naming the node and the size (ResourceLimits).
@Suite struct ResourceLimitTests {
    let hostile = HostileInputTests()

    /// A model whose only node is `op` on initializers, with output `y`.
    func model(_ op: String, initializers: [ProtoWriter], inputs: [String], ints: [String: [Int64]] = [:]) throws -> String {
        var m = ModelBuilder()
        m.initializers = initializers
        m.outputs = [ModelBuilder.valueInfo("y", dims: [1])]
        m.node(op, inputs, ["y"], name: "big", ints: ints)
        return try m.write()
    }

    @Test func constantOfShapeOfTwoToTheFortyTwo() throws {
        let message = hostile.importError(try model("ConstantOfShape", initializers: [ModelBuilder.int64s("s", [1 << 42])], inputs: ["s"]))
        #expect(message.contains("node 'big': ConstantOfShape: shape [4398046511104] needs 16 TiB"), "\(message)")
        #expect(message.contains("one tensor may take at most 4 GiB"), "\(message)")
    }

    @Test func expandToSixHundredBillion() throws {
        let path = try model("Expand", initializers: [ModelBuilder.tensor("x", dims: [1]), ModelBuilder.int64s("s", [601_295_421_442])],
                             inputs: ["x", "s"])
        let message = hostile.importError(path)
        #expect(message.contains("node 'big': Expand: shape [601295421442] needs 2.2 TiB"), "\(message)")
    }

    @Test func padByTwoToTheThirtyTwo() throws {
        let path = try model("Pad", initializers: [ModelBuilder.tensor("x", dims: [1, 1]), ModelBuilder.int64s("p", [0, 1 << 32, 0, 0])],
                             inputs: ["x", "p"])
        let message = hostile.importError(path)
        #expect(message.contains("node 'big': Pad: shape [1, 4294967297] needs 16 GiB"), "\(message)")
    }

    @Test func initializerWithHugeDimsAndNoData() throws {
        let big = hostile.importError(try model("Relu", initializers: [ModelBuilder.dataless("x", dims: [1 << 40])], inputs: ["x"]))
        #expect(big.contains("tensor 'x': shape [1099511627776] needs 4 TiB"), "\(big)")
        // Under the tensor limit, the missing data is found before anything is allocated.
        let small = hostile.importError(try model("Relu", initializers: [ModelBuilder.dataless("x", dims: [1 << 28])], inputs: ["x"]))
        #expect(small.contains("tensor 'x': float_data holds 0 values, but dims [268435456] need 268435456"), "\(small)")
    }

    @Test func expandFoldingTwoGigabytes() throws {
        let path = try model("Expand", initializers: [ModelBuilder.tensor("x", dims: [1]), ModelBuilder.int64s("s", [2, 134_217_729, 2])],
                             inputs: ["x", "s"])
        let message = hostile.importError(path)
        #expect(message.contains("node 'big': Expand: folding this node at import would create float32[2x134217729x2] (2 GiB)"), "\(message)")
        #expect(message.contains("at most 16 MiB beyond the model's 28 B of weights"), "\(message)")
    }

    @Test func constantOfShapeFoldingOneGigabyte() throws {
        let path = try model("ConstantOfShape", initializers: [ModelBuilder.int64s("s", [1 << 28])], inputs: ["s"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count < 100)
        let message = hostile.importError(path)
        #expect(message.contains("node 'big': ConstantOfShape: folding this node at import would create float32[268435456] (1 GiB)"), "\(message)")
    }

    /// Found by scripts/fuzz.sh: 64 MiB of one-element rows took the reference Pad over a second under the
    /// sanitizers, which is why folding is bounded at 16 MiB.
    @Test func padOfSixteenMillionShortRows() throws {
        let path = try model("Pad", initializers: [ModelBuilder.tensor("x", dims: [1, 1]), ModelBuilder.int64s("p", [16_760_759, 0, 1, 0])],
                             inputs: ["x", "p"])
        let message = hostile.importError(path)
        #expect(message.contains("node 'big': Pad: folding this node at import would create float32[16760761x1] (64 MiB)"), "\(message)")
    }

    @Test func manyModestFoldsAddUp() throws {
        var m = ModelBuilder()
        m.initializers = [ModelBuilder.int64s("s", [1 << 20])]  // 4 MiB each: five of them pass 16 MiB
        for i in 0..<5 { m.node("ConstantOfShape", ["s"], ["c\(i)"], name: "c\(i)") }
        m.outputs = [ModelBuilder.valueInfo("c4", dims: [1 << 20])]
        let message = hostile.importError(try m.write())
        #expect(message.contains("node 'c4'") && message.contains("16 MiB already used"), "\(message)")
    }

    @Test func hugeInputShapeIsRefusedAtImport() throws {
        var m = ModelBuilder.convRelu()
        m.inputs = [ModelBuilder.valueInfo("x", dims: [-1, 2, 5, 5])]
        let message = hostile.importError(try m.write(), options: ImportOptions(inputShapes: ["x": [100_000_000, 2, 5, 5]]))
        #expect(message.contains("input 'x': shape [100000000, 2, 5, 5] needs 19 GiB"), "\(message)")
    }

    @Test func smallFoldsAndRealWeightsStillImport() throws {
        // A 12 MiB constant folded from 8 bytes, and a Transpose of 8 MiB of real weights: more than 16 MiB in
        // all, but the file's own weights count on top of the limit.
        var m = ModelBuilder()
        m.initializers = [ModelBuilder.int64s("s", [3 << 20]), ModelBuilder.tensor("w", dims: [1024, 2048])]
        m.node("ConstantOfShape", ["s"], ["c"], name: "c")
        m.node("Transpose", ["w"], ["t"], name: "t")
        m.outputs = [ModelBuilder.valueInfo("t", dims: [2048, 1024]), ModelBuilder.valueInfo("c", dims: [3 << 20])]
        _ = try ONNXImporter.load(path: try m.write())
    }

    @Test func sizesAreFormattedForPeople() {
        #expect(ResourceLimits.format(bytes: 120) == "120 B")
        #expect(ResourceLimits.format(bytes: 64 << 20) == "64 MiB")
        #expect(ResourceLimits.format(bytes: 3 << 29) == "1.5 GiB")
    }
}
