import IR
import Optimizer

/// Optimized IR → `KernelPlan`. Expects the standard pipeline to have run: convolutions are
/// `FusedConv`s, every node carries `select-layout`'s `layout` and `plan-memory`'s `arena_offset`.
/// Each node becomes one function; the kernel it calls follows from the node and its layout.
public struct Lowering {
    let graph: Graph
    var blob = WeightsBlob()
    var scratchFloats = 0
    var functions: [KernelFunction] = []
    var unsupported: [String] = []
    /// Squeeze-excite outputs never materialized: the next pointwise conv reads the SE's input and
    /// multiplies by the gate as it goes. Maps the SE output to (SE input, gate offset in scratch).
    var gatedValues: [ValueID: (input: ValueID, gate: Int)] = [:]

    public static func lower(_ graph: Graph, banner: [String]) throws -> KernelPlan {
        var lowering = Lowering(graph: graph)
        try lowering.run()
        guard graph.inputs.count == 1, graph.outputs.count == 1 else {
            throw KilnError("the C backend compiles models with one input and one output; this one has \(graph.inputs.count) and \(graph.outputs.count)")
        }
        let input = graph.type(of: graph.inputs[0]), output = graph.type(of: graph.outputs[0])
        guard input.elementType == .float32, output.elementType == .float32 else {
            throw KilnError("the C backend compiles float32 models; input is \(input), output \(output)")
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
                output = gatedValues[result] != nil ? nil
                    : StoredTensor(buffer: try buffer(result), shape: graph.type(of: result).shape, layout: layout(result))
            } catch let error as KilnError {
                throw error.at(node: node.name)
            }
            functions.append(KernelFunction(
                name: Identifier.sanitize(node.name, prefix: String(format: "k%03d", index)),
                comment: comment(for: node), calls: calls,
                node: NodeOrigin(index: index, name: node.name, opType: node.op.opType, provenance: node.provenance),
                output: output))
        }
        if !unsupported.isEmpty {
            throw KilnError("the C backend does not support: " + unsupported.joined(separator: "; "))
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
        guard case .ints(let offsets)? = node.annotations["arena_offset"],
              let slot = node.outputs.firstIndex(of: value), slot < offsets.count, offsets[slot] >= 0, offsets[slot] % 4 == 0 else {
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
    mutating func scratch(_ floats: Int) -> Int {
        scratchFloats = max(scratchFloats, floats)
        return 0
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
        if case .string(let packing)? = node.annotations["weight_packing"] { attributes.append("packing=\(packing)") }
        if !attributes.isEmpty { lines.append(attributes.joined(separator: " ")) }
        let macs = node.op.macs(inputs: inputTypes, outputs: outputTypes)
        if macs > 0 { lines.append("\(macs) MACs") }
        return lines.map { Identifier.commentText($0) }
    }

    // MARK: - Dispatch

    private mutating func lower(_ node: Node) throws -> [KernelCall] {
        switch node.op {
        case let op as FusedConv: return try lowerConv(node, op)
        case let op as SqueezeExcite: return try lowerSqueezeExcite(node, op)
        case let op as Dense: return try lowerDense(node, op)
        case is GlobalAveragePool: return try lowerGlobalAveragePool(node)
        case let op as Reorder: return try lowerReorder(node, op)
        case is Softmax: return try lowerSoftmax(node)
        case is Add: return try lowerAdd(node)
        case is Flatten, is Reshape, is Identity, is Squeeze, is Unsqueeze: return try lowerCopy(node)
        default:
            if let activation = Self.activation(of: node.op) { return try lowerActivation(node, activation) }
            unsupported.append("\(node.op.opType) (node '\(node.name)')")
            return []
        }
    }

    /// The activation a standalone elementwise operator computes, if it is one.
    static func activation(of op: any Operator) -> Activation? {
        switch op {
        case is Relu: .relu
        case is Relu6: .relu6
        case is SiLU: .silu
        case is HardSwish: .hardSwish
        case is Sigmoid: .sigmoid
        case let h as HardSigmoid: .hardSigmoid(alpha: h.alpha, beta: h.beta)
        case let c as Clip: .clip(min: c.min ?? -.infinity, max: c.max ?? .infinity)
        default: nil
        }
    }
}
