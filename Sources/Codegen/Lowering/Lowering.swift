import Catalog
import IR
import Optimizer

/// Optimized IR → `KernelPlan`. Expects the standard pipeline to have run: every node a kernel
/// runs carries `select-kernel`'s choice (`Node.kernel`, its layouts) and `plan-memory`'s arena
/// offsets. Each node becomes one function calling the kernel recorded on it — lowering never
/// chooses a kernel, it only turns the recorded one into arguments. Nodes without a kernel are
/// listed together in one error.
public struct Lowering {
    let graph: Graph
    var blob = WeightsBlob()
    var scratchFloats = 0
    var functions: [KernelFunction] = []
    var unsupported: [String] = []

    public static func lower(_ graph: Graph, banner: [String]) throws -> KernelPlan {
        var lowering = Lowering(graph: graph)
        try lowering.run()
        guard graph.inputs.count == 1, graph.outputs.count == 1 else {
            throw KilnError("the compiled backends take models with one input and one output; this one has \(graph.inputs.count) and \(graph.outputs.count)")
        }
        let input = graph.type(of: graph.inputs[0]), output = graph.type(of: graph.outputs[0])
        guard input.elementType == .float32, output.elementType == .float32 else {
            throw KilnError("the compiled backends take float32 models; input is \(input), output \(output)")
        }
        return KernelPlan(banner: banner, inputType: input, outputType: output, inputLayout: .nchw,
                          arenaBytes: MemoryPlan.summary(of: graph).arenaBytes, scratchBytes: lowering.scratchFloats * 4,
                          weights: lowering.blob.bytes, functions: lowering.functions)
    }

    private init(graph: Graph) { self.graph = graph }

    private mutating func run() throws {
        for (index, node) in graph.nodes.enumerated() {
            let calls: [KernelCall], output: StoredTensor?
            do {
                calls = try lower(node)
                guard !calls.isEmpty, let result = node.outputs.first else { continue }
                output = StoredTensor(buffer: try buffer(result), shape: graph.type(of: result).shape, layout: layout(result))
            } catch let error as KilnError {
                throw error.at(node: node.name)
            }
            let macs = node.op.macs(inputs: node.inputs.map(graph.type(of:)), outputs: node.outputs.map(graph.type(of:)))
            let work = KernelQuery(node: node, in: graph, isa: .generic).map { KernelCatalog.work($0, macs: macs) }
                ?? KernelWork(macs: macs, bytes: 0)
            functions.append(KernelFunction(
                name: Identifier.sanitize(node.name, prefix: String(format: "k%03d", index)),
                comment: comment(for: node), calls: calls,
                node: NodeOrigin(index: index, name: node.name, opType: node.op.opType, provenance: node.provenance),
                output: output, kernel: node.kernel ?? calls[0].kernel, work: work))
        }
        if !unsupported.isEmpty {
            throw KilnError("no kernel of the library runs: " + unsupported.joined(separator: "; "))
        }
    }

    // MARK: - Values

    /// Where a value lives: the caller's input or output, or its arena slot.
    func buffer(_ value: ValueID) throws -> Buffer {
        if graph.inputs.first == value { return .input(offset: 0) }
        if graph.outputs.first == value { return .output(offset: 0) }
        guard let producer = graph.producer(of: value) else {
            throw KilnError("value '\(graph[value].name)' is a constant where a computed tensor was expected")
        }
        let node = graph.nodes[producer]
        guard let offsets = node.arenaOffsets, let slot = node.outputs.firstIndex(of: value), slot < offsets.count,
              offsets[slot] >= 0, offsets[slot] % 4 == 0 else {
            throw KilnError("value '\(graph[value].name)' has no arena offset (run plan-memory)")
        }
        return .arena(offset: offsets[slot] / 4)
    }

    /// The layout a value is stored in: its producer's, NCHW for graph inputs.
    func layout(_ value: ValueID) -> Layout {
        guard let producer = graph.producer(of: value) else { return .nchw }
        return graph.nodes[producer].outputLayout
    }

    func constant(_ value: ValueID) throws -> Tensor {
        guard let tensor = graph.constants[value] else {
            throw KilnError("'\(graph[value].name)' must be a constant (weights computed at run time are not supported)")
        }
        return tensor
    }

    /// Scratch memory for `floats` floats; scratch is reused by every node, so only the largest need counts.
    mutating func scratch(_ floats: Int) -> Buffer {
        scratchFloats = max(scratchFloats, floats)
        return .scratch(offset: 0)
    }

    // MARK: - Comments

    private func comment(for node: Node) -> [String] {
        let inputs = node.inputs.filter { graph.constants[$0] == nil }
        let inputTypes = node.inputs.map(graph.type(of:)), outputTypes = node.outputs.map(graph.type(of:))
        var lines = ["\(node.op.opType) \(node.name)"]
        if node.provenance.count > 1 || node.provenance.first != node.name {
            lines.append("ONNX: " + node.provenance.joined(separator: ", "))
        }
        let shapes = inputs.map { "\(graph.type(of: $0)) \(layout($0).rawValue)" }.joined(separator: ", ")
        lines.append("in \(shapes) -> out \(outputTypes.map(\.description).joined(separator: ", ")) \(node.outputLayout.rawValue)")
        var attributes = node.op.attributeList.map { "\($0.0)=\($0.1)" }
        if let packing = node.weightPacking { attributes.append("packing=\(packing)") }
        if !attributes.isEmpty { lines.append(attributes.joined(separator: " ")) }
        if let kernel = node.kernel { lines.append("kernel \(kernel): \(node.kernelReason ?? "")") }
        let macs = node.op.macs(inputs: inputTypes, outputs: outputTypes)
        if macs > 0 { lines.append("\(macs) MACs") }
        return lines.map { Identifier.commentText($0) }
    }

    // MARK: - Dispatch

    /// The calls for the kernel recorded on `node`.
    private mutating func lower(_ node: Node) throws -> [KernelCall] {
        guard let name = node.kernel, let entry = KernelCatalog.entry(named: name) else {
            unsupported.append("\(node.op.opType) (node '\(node.name)')" + Self.why(node, graph))
            return []
        }
        switch (entry, node.op) {
        case (KernelCatalog.gemm, let op as Dense): return try lowerDense(node, op)
        case (KernelCatalog.gemm, let op as FusedConv),
             (KernelCatalog.gatedGEMM, let op as FusedConv),
             (KernelCatalog.depthwise, let op as FusedConv),
             (KernelCatalog.direct, let op as FusedConv),
             (KernelCatalog.genericConv, let op as FusedConv): return try lowerConv(node, op, entry)
        case (KernelCatalog.gemm, let op as Conv),
             (KernelCatalog.depthwise, let op as Conv),
             (KernelCatalog.direct, let op as Conv),
             (KernelCatalog.genericConv, let op as Conv): return try lowerConv(node, FusedConv(conv: op), entry)
        case (KernelCatalog.squeezeExciteGate, _): return try lowerSqueezeExcite(node)
        case (KernelCatalog.globalAveragePool, _): return try lowerGlobalAveragePool(node)
        case (KernelCatalog.nchwToNHWC, _), (KernelCatalog.nhwcToNCHW, _): return try lowerReorder(node, entry)
        case (KernelCatalog.softmax, _): return try lowerSoftmax(node)
        case (KernelCatalog.add, _): return try lowerAdd(node)
        case (KernelCatalog.activation, _): return try lowerElementwise(node)
        default:
            throw KilnError("internal error: kernel \(name) recorded on a \(node.op.opType) node")
        }
    }

    /// A short reason a node has no kernel, where one is known.
    private static func why(_ node: Node, _ graph: Graph) -> String {
        switch node.op {
        case is Add: return ": broadcasting or constant Add"
        case let op as Softmax: return op.axes.count == 1 ? ": Softmax over other than the last axis" : ""
        default: return ""
        }
    }
}
