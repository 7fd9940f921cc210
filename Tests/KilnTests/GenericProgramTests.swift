import Codegen
import Foundation
import IR
import KilnRuntime
import Optimizer
import Reference
import Testing

/// Programs of models outside the EfficientNet set: several inputs and outputs of other element
/// types, run on the generic kernels, give the interpreter's results.
@Suite(.serialized) struct GenericProgramTests {
    /// Two inputs (float32 and int64), three outputs (float32, int64, bool), broadcasting
    /// arithmetic with a constant, a Gather by run-time indices, a Transpose and a pass-through.
    static let model = """
    graph "g" {
      input %x: float32[2x3x4]
      input %idx: int64[3]
      const %k: float32[4]
      %s: float32[2x3x4] = Mul(%x, %k)
      %t: float32[4x3x2] = Transpose(%s) {perm=[2, 1, 0]}
      %g: float32[4x3x3] = Gather(%t, %idx) {axis=2}
      %i: int64[3] = Add(%idx, %idx)
      %e: bool[4x3x3] = Equal(%g, %g)
      output %g
      output %i
      output %e
    }
    """

    @Test func severalInputsAndOutputsOfAnyElementType() throws {
        let graph = try IRParser.parse(Self.model)
        var optimized = graph
        try Pipeline.run(Pipeline.standard(isa: Codegen.Target.native.isa), on: &optimized)
        let work = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: work) }
        let binary = work.appendingPathComponent("model").path
        _ = try Compiler.compile(optimized, output: binary, options: CompileOptions())

        let x = Tensor(shape: [2, 3, 4], floats: (0..<24).map { Float($0) / 4 - 2 })
        let idx = Tensor(shape: [3], int64s: [1, -1, 0])
        try writeNpy(work.appendingPathComponent("x.npy").path, Array(x.floats), dims: x.shape)
        var err = [CChar](repeating: 0, count: Int(KILN_ERR_LEN))
        let written = [Int64(1), -1, 0].withUnsafeBytes { bytes in
            kiln_npy_write_typed(work.appendingPathComponent("idx.npy").path, Int32(KILN_TYPE_INT64), bytes.baseAddress,
                                 [3], 1, &err, err.count)
        }
        try #require(written == KILN_OK)
        let outputs = (0..<3).map { work.appendingPathComponent("y\($0).npy").path }
        let run = try runProgram(binary, [work.appendingPathComponent("x.npy").path, work.appendingPathComponent("idx.npy").path]
                                         + outputs.flatMap { ["-o", $0] })
        try #require(run.status == 0, "exit \(run.status): \(run.stderr)")

        let reference = try Interpreter(graph: graph).run([x, idx])
        for (path, ref) in zip(outputs, reference) {
            let y = try readTypedNpy(path)
            #expect(y.type == ref.type)
            #expect(y.doubles() == ref.doubles(), "\(path)")
        }

        // The program asks for both inputs, and refuses a third or an input of the wrong type.
        let tooFew = try runProgram(binary, [work.appendingPathComponent("x.npy").path])
        #expect(tooFew.status == 2 && tooFew.stderr.hasPrefix("error: too few input files"))
        let wrongType = try runProgram(binary, [work.appendingPathComponent("x.npy").path, work.appendingPathComponent("x.npy").path])
        #expect(wrongType.status == 2 && wrongType.stderr.contains("does not match the input's '<i8'"))
    }
}
