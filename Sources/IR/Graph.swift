/// A value in the graph: a graph input, a constant, or an output of a node.
public struct ValueID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let index: Int
    public init(_ index: Int) { self.index = index }
    public static func < (a: ValueID, b: ValueID) -> Bool { a.index < b.index }
    public var description: String { "%\(index)" }
}

public struct Value: Sendable {
    /// The ONNX tensor name (kept for diagnostics and printing).
    public var name: String
    public var type: TensorType

    public init(name: String, type: TensorType) {
        self.name = name
        self.type = type
    }
}

/// One operation of the graph.
public struct Node: Sendable {
    /// Name of the node (the ONNX node name, or a made-up one for nodes Kiln creates).
    public var name: String
    public var op: any Operator
    public var inputs: [ValueID]
    public var outputs: [ValueID]
    /// The ONNX nodes this node implements: the original node, plus everything rewrites fused in.
    public var provenance: [String]
    /// Decisions passes record about the node without changing what it computes (the layout
    /// `select-kernel` chose and why, …). Printed after the attributes, in `[...]`.
    public var annotations: [String: AttributeValue]

    public init(name: String, op: any Operator, inputs: [ValueID], outputs: [ValueID], provenance: [String],
                annotations: [String: AttributeValue] = [:]) {
        self.name = name
        self.op = op
        self.inputs = inputs
        self.outputs = outputs
        self.provenance = provenance
        self.annotations = annotations
    }
}

/// Facts about the model file a graph came from.
public struct ModelInfo: Sendable {
    public var producerName = ""
    public var producerVersion = ""
    public var irVersion = 0
    public var opsets: [(domain: String, version: Int)] = []
    public var graphName = ""
    public init() {}
}

/// A static-shaped dataflow graph. Nodes are kept in topological order.
public struct Graph: Sendable {
    public var info = ModelInfo()
    public private(set) var values: [Value] = []
    public var nodes: [Node] = []
    public var inputs: [ValueID] = []
    public var outputs: [ValueID] = []
    /// Values known at compile time (weights and folded constants).
    public var constants: [ValueID: Tensor] = [:]

    public init() {}

    public mutating func addValue(name: String, type: TensorType) -> ValueID {
        values.append(Value(name: name, type: type))
        return ValueID(values.count - 1)
    }

    public mutating func addConstant(name: String, _ tensor: Tensor) -> ValueID {
        let id = addValue(name: name, type: tensor.type)
        constants[id] = tensor
        return id
    }

    public subscript(value: ValueID) -> Value {
        get { values[value.index] }
        set { values[value.index] = newValue }
    }

    public func type(of value: ValueID) -> TensorType { values[value.index].type }

    /// For every value, the node index that produces it (graph inputs and constants have none).
    public func producers() -> [ValueID: Int] {
        var result: [ValueID: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for output in node.outputs { result[output] = index }
        }
        return result
    }

    /// For every value, the indices of the nodes that read it.
    public func users() -> [ValueID: [Int]] {
        var result: [ValueID: [Int]] = [:]
        for (index, node) in nodes.enumerated() {
            for input in node.inputs { result[input, default: []].append(index) }
        }
        return result
    }

    /// Removes nodes whose outputs nobody reads and constants nobody uses.
    public mutating func removeDeadNodes() {
        var live = Set(outputs)
        var keep = [Bool](repeating: false, count: nodes.count)
        for index in nodes.indices.reversed() where nodes[index].outputs.contains(where: live.contains) {
            keep[index] = true
            live.formUnion(nodes[index].inputs)
        }
        nodes = nodes.indices.filter { keep[$0] }.map { nodes[$0] }
        constants = constants.filter { live.contains($0.key) }
    }

    /// Sum of the bytes of all constants.
    public var parameterBytes: Int { constants.values.reduce(0) { $0 + $1.type.byteCount } }
    public var parameterCount: Int { constants.values.reduce(0) { $0 + $1.elementCount } }
}
