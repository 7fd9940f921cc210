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

    /// Constants placed in the weights as they are, by value (read by the generic kernels).
    var placed: [ValueID: Int] = [:]

    public static func lower(_ graph: Graph, banner: [String]) throws -> KernelPlan {
        var lowering = Lowering(graph: graph)
        try lowering.run()
        try lowering.fillPassThroughOutputs()
        let tensors = { (values: [ValueID]) in values.map { PlanTensor(name: graph[$0].name, type: graph.type(of: $0)) } }
        return KernelPlan(banner: banner, inputs: tensors(graph.inputs), outputs: tensors(graph.outputs), inputLayout: .nchw,
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
                let type = graph.type(of: result)
                output = type.elementType == .float32 ? StoredTensor(buffer: try buffer(result), shape: type.shape, layout: layout(result)) : nil
            } catch let error as KilnError {
                throw error.at(node: node.name)
            }
            let work = KernelCatalog.work(of: node, in: graph)
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

    /// Where a value lives: the caller's input or output, the weights (a constant, placed as it is
    /// the first time it is asked for), or its arena slot.
    mutating func buffer(_ value: ValueID) throws -> Buffer {
        if let tensor = graph.constants[value] {
            if let offset = placed[value] { return .weights(offset: offset) }
            let offset = blob.raw(tensor)
            placed[value] = offset
            return .weights(offset: offset)
        }
        if let index = graph.inputs.firstIndex(of: value) { return .input(index: index, offset: 0) }
        if let index = graph.outputs.firstIndex(of: value) { return .output(index: index, offset: 0) }
        guard let producer = graph.producer(of: value) else {
            throw KilnError("value '\(graph[value].name)' has no producer")
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
        case (KernelCatalog.expandDepthwise, let op as ExpandDepthwise),
             (KernelCatalog.convDepthwise, let op as ExpandDepthwise),
             (KernelCatalog.expandDepthwiseProject, let op as ExpandDepthwise),
             (KernelCatalog.convDepthwiseProject, let op as ExpandDepthwise): return try lowerExpandDepthwise(node, op, entry)
        case (KernelCatalog.squeezeExciteGate, _): return try lowerSqueezeExcite(node)
        case (KernelCatalog.globalAveragePool, _): return try lowerGlobalAveragePool(node)
        case (KernelCatalog.nchwToNHWC, _), (KernelCatalog.nhwcToNCHW, _): return try lowerReorder(node, entry)
        case (KernelCatalog.softmax, _): return try lowerSoftmax(node)
        case (KernelCatalog.add, _): return try lowerAdd(node)
        case (KernelCatalog.activation, _): return try lowerElementwise(node)
        case (KernelCatalog.copyStrided, _): return try lowerCopy(node)
        case (KernelCatalog.pad, let op as Pad): return try lowerPad(node, op)
        case (KernelCatalog.gather, let op as Gather): return try lowerGather(node, op)
        case (KernelCatalog.select, _): return try lowerWhere(node)
        case (KernelCatalog.binary, _): return try lowerBinary(node)
        case (KernelCatalog.power, _): return try lowerPow(node)
        case (KernelCatalog.unary, _): return try lowerUnary(node)
        case (KernelCatalog.cast, let op as Cast): return try lowerCast(node, op)
        case (KernelCatalog.matmul, _): return try lowerMatMul(node)
        case (KernelCatalog.gemmStrided, let op as Gemm): return try lowerGemm(node, op)
        case (KernelCatalog.softmaxAxis, let op as Softmax): return try lowerSoftmaxAxis(node, op)
        case (KernelCatalog.reduceMean, let op as ReduceMean): return try lowerReduceMean(node, op)
        case (KernelCatalog.channelAffine, _), (KernelCatalog.batchNorm, _): return try lowerPerChannel(node, entry)
        case (KernelCatalog.maxPool, let op as MaxPool): return try lowerPool(node, op.window, average: nil)
        case (KernelCatalog.averagePool, let op as AveragePool): return try lowerPool(node, op.window, average: op)
        default:
            throw KilnError("internal error: kernel \(name) recorded on a \(node.op.opType) node")
        }
    }

    /// A short reason a node has no kernel, where one is known.
    private static func why(_ node: Node, _ graph: Graph) -> String {
        let ranks = (node.inputs + node.outputs).map { graph.type(of: $0).rank }
        return ranks.contains { $0 > StridedLoop.maxRank } ? ": tensors of more than \(StridedLoop.maxRank) dimensions" : ""
    }
}
