import Foundation
import IR
import Testing

/// `kiln inspect`'s optimizer flags and formats, through the executable (skipped when it is not built).
@Suite struct InspectCLITests {
    let cli = CLITests()

    @Test func unknownPassListsTheValidOnes() throws {
        guard CLITests.kiln != nil else { return }
        let result = try cli.run(["inspect", try ModelBuilder.convRelu().write(), "--passes", "dce,fold-everything"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("error: unknown pass 'fold-everything'; valid passes: "), "\(result.stderr)")
        #expect(result.stderr.contains("dce") && result.stderr.split(separator: "\n").count == 1)
    }

    @Test func onnxFormatNeedsAnOutputFile() throws {
        guard CLITests.kiln != nil else { return }
        let result = try cli.run(["inspect", try ModelBuilder.convRelu().write(), "--format", "onnx"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("-o FILE"))
    }

    @Test func printAfterShowsTheIRUnderAHeader() throws {
        guard CLITests.kiln != nil else { return }
        let result = try cli.run(["inspect", try ModelBuilder.convRelu().write(), "--passes", "dce", "--print-after", "dce", "--format", "ir"])
        #expect(result.status == 0)
        // The pass's dump, then the final IR.
        #expect(result.stdout.hasPrefix("# after dce (unchanged)\ngraph "), "\(result.stdout)")
        #expect(result.stdout.components(separatedBy: "graph \"").count - 1 == 2)
        let stopped = try cli.run(["inspect", try ModelBuilder.convRelu().write(), "--stop-after", "nope"])
        #expect(stopped.status == 64 && stopped.stderr.contains("--stop-after 'nope' is not a pass"))
    }

    @Test func optimizedReportAndOnnxFile() throws {
        guard CLITests.kiln != nil else { return }
        let model = try ModelBuilder.convRelu().write()
        let text = try cli.run(["inspect", model, "--optimized", "--verify-each"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("optimized   ") && text.stdout.contains("arena       "), "\(text.stdout)")
        let out = try TemporaryFolder.make().appendingPathComponent("optimized.onnx")
        let onnx = try cli.run(["inspect", model, "--optimized", "--format", "onnx", "-o", out.path])
        #expect(onnx.status == 0 && onnx.stdout.isEmpty)
        let read = try ReadBack(path: out.path)
        #expect(!read.nodes.isEmpty && read.outputs.count == 1)
        let dot = try cli.run(["inspect", model, "--optimized", "--format", "dot"])
        #expect(dot.status == 0 && dot.stdout.hasPrefix("digraph "))
    }
}
