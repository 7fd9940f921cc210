/// Facts about a graph that `kiln inspect` reports: per-node output types and MACs, totals.
public struct GraphSummary: Sendable {
    public struct NodeRow: Sendable {
        public var name: String
        public var opType: String
        public var outputTypes: [TensorType]
        public var macs: Int
        public var provenance: [String]
    }

    public var nodes: [NodeRow]
    public var totalMACs: Int
    /// Bytes of every value computed at run time (graph inputs and node outputs), not reusing memory.
    public var activationBytes: Int
    public var parameterCount: Int
    public var parameterBytes: Int
    /// Operator → node count in the IR.
    public var histogram: [String: Int]

    public init(_ graph: Graph) {
        nodes = graph.nodes.map { node in
            let inputs = node.inputs.map(graph.type(of:)), outputs = node.outputs.map(graph.type(of:))
            return NodeRow(name: node.name, opType: node.op.opType, outputTypes: outputs,
                           macs: node.op.macs(inputs: inputs, outputs: outputs), provenance: node.provenance)
        }
        totalMACs = nodes.reduce(0) { $0.addingSaturated($1.macs) }  // a hostile file may saturate
        let computed = graph.inputs.map(graph.type(of:)) + graph.nodes.flatMap { $0.outputs.map(graph.type(of:)) }
        activationBytes = computed.reduce(0) { $0 + $1.byteCount }
        // Zero-filled constants (the bias a fusion gives a Conv that had none) carry no learned value; leaving them
        // out keeps the count of one network the same before and after optimization.
        let learned = graph.constants.values.filter { tensor in tensor.storage.bytes.contains { $0 != 0 } }
        parameterCount = learned.reduce(0) { $0 + $1.elementCount }
        parameterBytes = learned.reduce(0) { $0 + $1.type.byteCount }
        histogram = nodes.reduce(into: [:]) { $0[$1.opType, default: 0] += 1 }
    }
}
