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

    /// The kernel column and its reason in the report, and `--format plan`: the calls the program
    /// makes, labelled, for the target asked for.
    @Test func kernelsInTheReportAndThePlan() throws {
        guard CLITests.kiln != nil else { return }
        let model = try ModelBuilder.convRelu().write()
        let text = try cli.run(["inspect", model, "--optimized", "--target", "avx2"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("f32_conv_direct_bias_act") && text.stdout.contains("why: 3x3 conv, 2 input channels: direct conv reads NCHW"),
                "\(text.stdout)")
        let plan = try cli.run(["inspect", model, "--format", "plan", "--target", "generic"])
        #expect(plan.status == 0)
        #expect(plan.stdout.contains("f32_conv_direct_bias_act(n=1, cin=2, h=5, w=5, in=input, isn=50, isc=25, ish=5, isw=1, cout=3"), "\(plan.stdout)")
        #expect(plan.stdout.contains("f32_nhwc_to_nchw(n=1, c=3, hw=25"))
        let bad = try cli.run(["inspect", model, "--target", "sse9"])
        #expect(bad.status == 64)
    }
}
