import IR

/// Small queries and edits the canonicalize patterns share. They never throw: a pattern that
/// cannot build a valid replacement simply does not match.
extension Graph {
    /// The node that produces `value` with its index; nil for graph inputs and constants.
    func definingNode(of value: ValueID) -> (index: Int, node: Node)? {
        producer(of: value).map { ($0, nodes[$0]) }
    }

    /// Makes the readers of `old` read `new` instead, so the node computing `old` dies. When `old` is
    /// a graph output, the output keeps its name: `new` takes it over, which is only possible when
    /// `new` is an intermediate (not a graph input, constant or another output); otherwise nothing
    /// changes and the result is false.
    mutating func bypass(_ old: ValueID, with new: ValueID) -> Bool {
        guard old != new, type(of: old) == type(of: new) else { return false }
        if isOutput(old) {
            guard !inputs.contains(new), constant(new) == nil, !isOutput(new) else { return false }
            self[new].name = self[old].name
        }
        replaceAllUses(of: old, with: new)
        return true
    }

    /// Removes the one-output node at `index`, whose result equals its input `input`: readers read
    /// `input` instead (see `bypass`). The node's provenance moves to the producer of `input`, or,
    /// when `input` is a graph input or constant, to the first reader, so no ONNX node is forgotten.
    mutating func drop(nodeAt index: Int, forwardingTo input: ValueID) -> Bool {
        let node = nodes[index]
        guard node.outputs.count == 1 else { return false }
        let heir = producer(of: input) ?? users(of: node.outputs[0]).first
        guard bypass(node.outputs[0], with: input) else { return false }
        if let heir { nodes[heir].provenance += node.provenance }
        return true
    }

    /// A node computing `op` on `inputs` into the existing `outputs`, standing for `replaced` (main
    /// node first: it gives the name, and the provenance lists every absorbed ONNX node). Nil when
    /// `op`'s shape inference disagrees with the outputs' types, so a pattern can never produce an
    /// invalid graph.
    func rewrittenNode(_ op: any Operator, inputs: [ValueID], outputs: [ValueID], replacing replaced: [Node]) -> Node? {
        guard let main = replaced.first, infers(op, from: inputs.map(type(of:)), outputs: outputs) else { return nil }
        return Node(name: main.name, op: op, inputs: inputs, outputs: outputs, provenance: replaced.flatMap(\.provenance))
    }

    /// Whether `op` on inputs of `inputTypes` gives exactly the types of `outputs` (checked before a
    /// pattern adds constants, so a pattern that does not match leaves the graph untouched).
    func infers(_ op: any Operator, from inputTypes: [TensorType], outputs: [ValueID]) -> Bool {
        (try? op.inferTypes(inputTypes)) == outputs.map(type(of:))
    }

    /// Adds a float32 constant named after `name`.
    mutating func addFloatConstant(name: String, shape: [Int], _ values: [Float]) -> ValueID {
        addConstant(name: name, Tensor(shape: shape, floats: values))
    }
}

/// Float comparisons for attribute values exporters write with a few digits (1/6 as 0.16666667).
func nearlyEqual(_ a: Float, _ b: Float, tolerance: Float = 1e-6) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(b))
}
