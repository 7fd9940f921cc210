import Foundation
import Frontend
import IR
import Optimizer
import Testing

/// plan-memory on whole models: an independent checker of the arena (no two tensors live at the
/// same time share bytes, except a node's in-place result and the input it overwrites), and the
/// arena against the sum of the tensors it holds.
@Suite struct MemoryPlanTests {
    static let models = SharedData.available("memory plan tests") == nil ? [] : SharedData.modelNames

    struct Placed {
        var value: ValueID
        var offset: Int
        var bytes: Int
        var life: ClosedRange<Int>
    }

    /// Problems with the arena annotations of `graph`, and its size and the sum of its tensors.
    static func check(_ graph: Graph) -> (problems: [String], arena: Int, sum: Int) {
        var problems: [String] = []
        var placed: [ValueID: Placed] = [:]
        for (index, node) in graph.nodes.enumerated() {
            guard case .ints(let offsets)? = node.annotations["arena_offset"], offsets.count == node.outputs.count else {
                problems.append("\(node.name): no arena_offset per output")
                continue
            }
            let layout: Layout = (node.op as? Reorder)?.to
                ?? node.annotations["layout"].flatMap { if case .string(let s) = $0 { Layout(rawValue: s) } else { nil } } ?? .nchw
            for (output, offset) in zip(node.outputs, offsets) {
                if graph.isOutput(output) != (offset == -1) { problems.append("\(node.name): graph outputs and only they are outside the arena") }
                if offset >= 0, offset % 64 != 0 { problems.append("\(node.name): offset \(offset) not 64-byte aligned") }
                guard offset >= 0 else { continue }
                placed[output] = Placed(value: output, offset: offset, bytes: layout.physicalBytes(graph.type(of: output)), life: index...index)
            }
            for input in node.inputs where placed[input] != nil {
                placed[input]!.life = placed[input]!.life.lowerBound...index
            }
        }
        // In order of definition, so `b` below is never computed before `a`.
        let all = placed.values.sorted { ($0.life.lowerBound, $0.value) < ($1.life.lowerBound, $1.value) }
        for (i, a) in all.enumerated() {
            for b in all[(i + 1)...] where a.life.overlaps(b.life) && a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes {
                // Allowed: b is computed in place over a at the node where a dies.
                let node = graph.nodes[b.life.lowerBound]
                let inPlace = a.life.upperBound == b.life.lowerBound && node.annotations["in_place"] != nil
                    && node.inputs.contains(a.value) && a.offset == b.offset && a.bytes == b.bytes
                if !inPlace { problems.append("\(graph[a.value].name) and \(graph[b.value].name) overlap while both live") }
            }
        }
        let arena = all.map { $0.offset + $0.bytes }.max() ?? 0
        return (problems, arena, all.reduce(0) { $0 + $1.bytes })
    }

    @Test(arguments: models)
    func arenaIsSoundAndSmall(model: String) throws {
        let path = SharedData.root.appendingPathComponent("models/\(model)/model.onnx").path
        var graph = try ONNXImporter.load(path: path).graph
        try Pipeline.run(Pipeline.standard(), on: &graph, options: .init(verifyEach: true))
        let (problems, arena, sum) = Self.check(graph)
        #expect(problems.isEmpty, "\(model): \(problems.prefix(5))")
        let summary = MemoryPlan.summary(of: graph)
        #expect(summary.arenaBytes == arena && summary.sumOfTensorBytes == sum)
        let reorders = graph.nodes.filter { $0.op is Reorder }.count
        print("\(model): arena \(arena) bytes vs \(sum) bytes of tensors (\(String(format: "%.1f", Double(sum) / Double(max(arena, 1))))x), \(graph.nodes.count) nodes, \(reorders) reorders, \(graph.nodes.filter { $0.inPlace }.count) in place")
        #expect(arena * 3 < sum, "\(model): the arena should be well below the sum of the tensors")

        // select-kernel reaches a fixed point: running it again changes nothing.
        var again = graph
        #expect(try !SelectKernel().run(&again))
    }

    @Test func checkerCatchesOverlap() throws {
        var graph = try IRParser.parse(KernelCatalogTests.block)
        try Pipeline.run([PlanMemory()], on: &graph)
        #expect(Self.check(graph).problems.isEmpty)
        // Put %d where %r still lives (both live at the depthwise conv): the checker must object.
        let r = try #require(graph.nodes.firstIndex { $0.name == "r" }), d = try #require(graph.nodes.firstIndex { $0.name == "d" })
        graph.nodes[d].annotations["arena_offset"] = graph.nodes[r].annotations["arena_offset"]
        #expect(!Self.check(graph).problems.isEmpty)
    }
}
