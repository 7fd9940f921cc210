import Catalog
import Foundation
import IR
import Optimizer
import Reference
import Testing

/// The kernel catalog: its entries agree with the C library's declarations, and it picks the
/// kernels the library can actually run for each conv shape, on every instruction set.
@Suite struct KernelCatalogTests {
    /// Every `KILN_INLINE void kiln_NAME(params)` in the kernel library's headers: name → [(type, name)].
    static func cDeclarations() throws -> [String: [(type: String, name: String)]] {
        let include = SharedData.packageRoot.appendingPathComponent("Sources/Kernels/include")
        var result: [String: [(type: String, name: String)]] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: include.path) where file.hasSuffix(".h") {
            let text = try String(contentsOf: include.appendingPathComponent(file), encoding: .utf8)
            let regex = try NSRegularExpression(pattern: #"KILN_INLINE\s+void\s+kiln_(\w+)\s*\(([^)]*)\)"#)
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let name = Range(match.range(at: 1), in: text), let list = Range(match.range(at: 2), in: text) else { continue }
                result[String(text[name])] = text[list].split(separator: ",").map { parameter in
                    let words = parameter.replacingOccurrences(of: "KILN_RESTRICT", with: "")
                        .replacingOccurrences(of: "*", with: " * ").split(whereSeparator: \.isWhitespace).map(String.init)
                    let type = words.dropLast().joined(separator: " ").replacingOccurrences(of: " *", with: " *")
                    return (type.hasSuffix("*") ? type : type, words.last ?? "")
                }
            }
        }
        return result
    }

    @Test func parametersMatchTheCDeclarations() throws {
        let declarations = try Self.cDeclarations()
        for entry in KernelCatalog.all {
            let declared = try #require(declarations[entry.name], "\(entry.name) is not declared in the kernel headers")
            let catalogued = entry.parameters.map { (type: $0.cType.replacingOccurrences(of: "*", with: " *")
                .split(separator: " ").joined(separator: " "), name: $0.name) }
            #expect(declared.map(\.name) == catalogued.map(\.name), "\(entry.name): parameter names")
            #expect(declared.map(\.type) == catalogued.map(\.type), "\(entry.name): parameter types")
            // A parallel entry's `_part` form takes the task, then exactly the kernel's parameters.
            let part = declarations[entry.name + "_part"]
            #expect(entry.isParallel == (part != nil), "\(entry.name): parallel, but no kiln_\(entry.name)_part, or the reverse")
            if let part {
                #expect(part.first.map { $0.type == "const kiln_task *" && $0.name == "t" } == true, "\(entry.name)_part: task first")
                #expect(part.dropFirst().map(\.name) == declared.map(\.name), "\(entry.name)_part: parameter names")
                #expect(part.dropFirst().map(\.type) == declared.map(\.type), "\(entry.name)_part: parameter types")
            }
        }
    }

    @Test func entriesAreConsistent() {
        #expect(Set(KernelCatalog.all.map(\.name)).count == KernelCatalog.all.count)
        for entry in KernelCatalog.all {
            for dimension in entry.split {
                #expect(entry.parameters.contains { $0.name == dimension }, "\(entry.name) splits along \(dimension), not a parameter")
            }
            #expect(KernelCatalog.entry(named: entry.name) == entry)
        }
    }

    /// The kernel the catalog's cheapest candidate uses for a conv with no reorders around it.
    static func kernel(c: Int, m: Int, k: Int, stride: Int = 1, group: Int = 1, dilation: Int = 1, pad: Int? = nil,
                       isa: ISA = .avx512) throws -> KernelCandidate {
        let p = pad ?? k / 2 * dilation, hw = 16
        let conv = Conv(strides: [stride, stride], dilations: [dilation, dilation], pads: [p, p, p, p], group: group)
        let x = TensorType(.float32, [1, c, hw, hw]), w = TensorType(.float32, [m, c / group, k, k])
        let y = try conv.inferTypes([x, w])[0]
        let query = KernelQuery(computation: .conv(FusedConv(conv: conv)), inputs: [x, w, TensorType(.float32, [m])],
                                constant: [false, true, true], output: y, isa: isa)
        return try #require(KernelCatalog.candidates(for: query).min { $0.cost < $1.cost })
    }

    @Test(arguments: ISA.allCases)
    func convShapesGetTheirKernels(isa: ISA) throws {
        #expect(try Self.kernel(c: 144, m: 24, k: 1, isa: isa).entry == KernelCatalog.gemm)
        #expect(try Self.kernel(c: 144, m: 144, k: 5, group: 144, isa: isa).entry == KernelCatalog.depthwise)
        #expect(try Self.kernel(c: 32, m: 32, k: 3, stride: 2, group: 32, isa: isa).entry == KernelCatalog.depthwise)
        #expect(try Self.kernel(c: 32, m: 32, k: 3, group: 32, dilation: 2, isa: isa).entry == KernelCatalog.depthwise)
        // The stem: up to 8 input channels on the direct conv, which reads the NCHW image.
        for c in [1, 3, 5, 8] {
            let stem = try Self.kernel(c: c, m: 32, k: 3, stride: 2, isa: isa)
            #expect(stem.entry == KernelCatalog.direct && stem.output == .nhwc, "\(c) channels")
        }
        #expect(try Self.kernel(c: 9, m: 32, k: 3, isa: isa).entry == KernelCatalog.genericConv)
        // A 1×1 conv with stride 2 is no GEMM over rows: the generic conv runs it, and says why.
        let strided = try Self.kernel(c: 40, m: 80, k: 1, stride: 2, pad: 0, isa: isa)
        #expect(strided.entry == KernelCatalog.genericConv)
        #expect(strided.reason.contains("the GEMM needs stride 1"))
        let grouped = try Self.kernel(c: 64, m: 64, k: 3, group: 4, isa: isa)
        #expect(grouped.entry == KernelCatalog.genericConv && grouped.reason.contains("group 4"))
    }

    /// Weights are packed once for every instruction set: the packing is the entry's, not the ISA's.
    @Test func packingDoesNotDependOnTheISA() throws {
        let packings = try ISA.allCases.map { try Self.kernel(c: 64, m: 32, k: 1, isa: $0).entry.weightPacking }
        #expect(Set(packings) == ["OHWI-panel16"])
    }

    @Test func physicalLayouts() {
        let t = TensorType(.float32, [1, 24, 5, 5])
        #expect(Layout.nhwc.physicalBytes(t) == t.byteCount)
        #expect(Layout.nchw16c.physicalBytes(t) == 32 * 25 * 4)
        #expect(Layout.nchw8c.physicalBytes(t) == t.byteCount)
        #expect(Layout.sameBytes(.nchw, .nhwc, for: TensorType(.float32, [2, 24, 1, 1])))
        #expect(!Layout.sameBytes(.nchw, .nchw16c, for: TensorType(.float32, [1, 24, 1, 1])))
        #expect(!Layout.sameBytes(.nchw, .nhwc, for: t))
        #expect(Layout.nhwc.physicalShape([2, 3, 4, 5]) == [2, 4, 5, 3])
        #expect(Layout.nchw8c.physicalShape([1, 12, 2, 2]) == [1, 2, 2, 2, 8])
        // [1, 2, 1, 3] stored NHWC is c-fastest: (c0 w0) (c1 w0) (c0 w1) …
        #expect(Layout.nhwc.toLogical([0, 10, 1, 11, 2, 12], shape: [1, 2, 1, 3]) == [0, 1, 2, 10, 11, 12])
        let blocked = (0..<16).map(Float.init)  // [1, 1 block, 1, 2, 8]: channels 0..2 real, 3..7 padding
        #expect(Layout.nchw8c.toLogical(blocked, shape: [1, 3, 1, 2]) == [0, 8, 1, 9, 2, 10])
    }

    @Test func reorderKernelCopiesValues() throws {
        let x = Tensor(shape: [1, 2, 2, 2], floats: (0..<8).map(Float.init))
        let y = try Reorder(from: .nchw, to: .nhwc).evaluate([x], outputTypes: [x.type])[0]
        #expect(Array(y.floats) == Array(x.floats))
        #expect(y.storage !== x.storage)
    }

    /// A block of Conv, Relu, Add, MaxPool, GlobalAveragePool.
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

    @Test(arguments: ISA.allCases)
    func selectKernelKeepsValuesAndIsIdempotent(isa: ISA) throws {
        let graph = try IRParser.parse(Self.block)
        var optimized = graph
        try Pipeline.run([SelectKernel(isa: isa), PlanMemory()], on: &optimized, options: .init(verifyEach: true))
        #expect(optimized.nodes.contains { $0.op is Reorder })
        // Every node records its kernel, with a reason; MaxPool's generic kernel runs in NCHW.
        for node in optimized.nodes {
            #expect(node.kernel != nil && node.kernelReason != nil, "\(node.name)")
        }
        #expect(optimized.nodes.first { $0.op is MaxPool }?.kernel == KernelCatalog.maxPool.name)
        #expect(optimized.nodes.first { $0.op is MaxPool }?.outputLayout == .nchw)
        let x = Tensor(shape: [1, 8, 6, 6], floats: (0..<288).map { Float($0 % 17) / 8 - 1 })
        let before = try Interpreter(graph: graph).run([x]), after = try Interpreter(graph: optimized).run([x])
        for (a, b) in zip(before, after) { #expect(Array(a.floats) == Array(b.floats)) }

        var again = optimized
        #expect(try !SelectKernel(isa: isa).run(&again))
        #expect(IRPrinter().print(again) == IRPrinter().print(optimized))
    }
}
