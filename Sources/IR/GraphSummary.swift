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
        totalMACs = nodes.reduce(0) { $0 + $1.macs }
        let computed = graph.inputs.map(graph.type(of:)) + graph.nodes.flatMap { $0.outputs.map(graph.type(of:)) }
        activationBytes = computed.reduce(0) { $0 + $1.byteCount }
        parameterCount = graph.parameterCount
        parameterBytes = graph.parameterBytes
        histogram = nodes.reduce(into: [:]) { $0[$1.opType, default: 0] += 1 }
    }
}
