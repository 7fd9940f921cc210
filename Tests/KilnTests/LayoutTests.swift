import Foundation
import IR
import Optimizer
import Reference
import Testing

/// select-layout: the cost model's decisions beyond the library's default kernels, the Reorder
/// kernel, idempotence, and that the graph still computes the same values.
@Suite struct LayoutTests {
    static func conv(_ c: Int, _ m: Int, kernel: Int, group: Int = 1, hw: Int = 16) -> LayoutQuery {
        let pad = kernel / 2
        return LayoutQuery(kind: .conv(Conv(pads: [pad, pad, pad, pad], group: group)),
                           input: TensorType(.float32, [1, c, hw, hw]),
                           weights: TensorType(.float32, [m, c / group, kernel, kernel]),
                           output: TensorType(.float32, [1, m, hw, hw]))
    }

    static func cheapest(_ model: HeuristicLayoutCostModel, _ q: LayoutQuery) throws -> LayoutChoice {
        try #require(model.candidates(for: q).min { $0.cost < $1.cost })
    }

    @Test func blockedLayoutsFollowChannelCountsAndVectorWidth() throws {
        let avx512 = HeuristicLayoutCostModel(vectorWidth: 16, kernels: [.library, .blocked])
        let c64 = try Self.cheapest(avx512, Self.conv(64, 64, kernel: 3))
        #expect(c64.output == .nchw16c && c64.weightPacking == "OIHW16i16o")
        // 24 channels fill no 16-block: 8-blocks (half vectors) still beat the scalar loop.
        let c24 = try Self.cheapest(avx512, Self.conv(24, 24, kernel: 3))
        #expect(c24.output == .nchw8c && c24.weightPacking == "OIHW8i8o")
        let c20 = try Self.cheapest(avx512, Self.conv(20, 20, kernel: 3))
        #expect(c20.output == .nchw && c20.reason == "channels 20 not a multiple of 8: NCHW fallback")

        let avx2 = HeuristicLayoutCostModel(vectorWidth: 8, kernels: [.library, .blocked])
        #expect(try Self.cheapest(avx2, Self.conv(64, 64, kernel: 3)).output == .nchw8c)
        #expect(try Self.cheapest(avx2, Self.conv(64, 32, kernel: 1)).weightPacking == "OHWI-panel8")
    }

    @Test func libraryKernelsPickTheirLayouts() throws {
        let model = HeuristicLayoutCostModel()
        #expect(try Self.cheapest(model, Self.conv(144, 24, kernel: 1)).reason == "pointwise 1x1, 144→24 channels: GEMM over NHWC rows")
        let dw = try Self.cheapest(model, Self.conv(144, 144, kernel: 5, group: 144))
        #expect(dw.output == .nhwc && dw.weightPacking == "HWC-depthwise")
        let stem = try Self.cheapest(model, Self.conv(3, 32, kernel: 3))
        #expect(stem.input == .nchw && stem.output == .nhwc)
        // Without blocked kernels a dense 3x3 conv and a grouped conv fall back to NCHW.
        #expect(try Self.cheapest(model, Self.conv(64, 64, kernel: 3)).output == .nchw)
        #expect(try Self.cheapest(model, Self.conv(64, 64, kernel: 3, group: 4)).reason == "grouped 3x3 conv (group 4): NCHW fallback")
    }

    @Test func physicalBytesPadChannelBlocks() {
        let t = TensorType(.float32, [1, 24, 5, 5])
        #expect(Layout.nhwc.physicalBytes(t) == t.byteCount)
        #expect(Layout.nchw16c.physicalBytes(t) == 32 * 25 * 4)
        #expect(Layout.nchw8c.physicalBytes(t) == t.byteCount)
        #expect(Layout.sameBytes(.nchw, .nhwc, for: TensorType(.float32, [2, 24, 1, 1])))
        #expect(!Layout.sameBytes(.nchw, .nchw16c, for: TensorType(.float32, [1, 24, 1, 1])))
        #expect(!Layout.sameBytes(.nchw, .nhwc, for: t))
    }

    @Test func reorderKernelCopiesValues() throws {
        let x = Tensor(shape: [1, 2, 2, 2], floats: (0..<8).map(Float.init))
        let y = try Reorder(from: .nchw, to: .nhwc).evaluate([x], outputTypes: [x.type])[0]
        #expect(Array(y.floats) == Array(x.floats))
        #expect(y.storage !== x.storage)
    }

    /// A block the interpreter can run today (Conv, Relu, Add, MaxPool, GlobalAveragePool).
    static let block = """
    graph "g" {
      input %x: float32[1x8x6x6]
      const %w1: float32[24x8x1x1]
      const %b1: float32[24]
      const %wd: float32[24x1x3x3]
      const %bd: float32[24]
      const %w2: float32[8x24x1x1]
      const %b2: float32[8]
      %e: float32[1x24x6x6] = Conv(%x, %w1, %b1) {strides=[1, 1], pads=[0, 0, 0, 0], dilations=[1, 1], group=1}
      %r: float32[1x24x6x6] = Relu(%e)
      %d: float32[1x24x6x6] = Conv(%r, %wd, %bd) {strides=[1, 1], pads=[1, 1, 1, 1], dilations=[1, 1], group=24}
      %p: float32[1x8x6x6] = Conv(%d, %w2, %b2) {strides=[1, 1], pads=[0, 0, 0, 0], dilations=[1, 1], group=1}
      %s: float32[1x8x6x6] = Add(%p, %x)
      %m: float32[1x8x3x3] = MaxPool(%s) {kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0], dilations=[1, 1], ceil_mode=0}
      %g: float32[1x8x1x1] = GlobalAveragePool(%s)
      output %m
      output %g
    }
    """

    @Test func selectLayoutKeepsValuesAndIsIdempotent() throws {
        let graph = try IRParser.parse(Self.block)
        var optimized = graph
        try Pipeline.run([SelectLayout(), PlanMemory()], on: &optimized, options: .init(verifyEach: true))
        #expect(optimized.nodes.contains { $0.op is Reorder })
        let x = Tensor(shape: [1, 8, 6, 6], floats: (0..<288).map { Float($0 % 17) / 8 - 1 })
        let before = try Interpreter(graph: graph).run([x]), after = try Interpreter(graph: optimized).run([x])
        for (a, b) in zip(before, after) { #expect(Array(a.floats) == Array(b.floats)) }

        var again = optimized
        #expect(try !SelectLayout().run(&again))
        #expect(IRPrinter().print(again) == IRPrinter().print(optimized))
    }
}
