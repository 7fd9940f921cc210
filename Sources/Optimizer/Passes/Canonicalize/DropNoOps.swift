import IR

/// `Identity(x)` → `x`: its readers read x directly.
struct DropIdentity: RewritePattern {
    let name = "drop-identity"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        guard node.op is Identity, node.inputs.count == 1, node.outputs.count == 1 else { return false }
        return graph.bypass(node.outputs[0], with: node.inputs[0])
    }
}

/// Inference `Dropout(x)` → `x`. Not when its mask output is read: the node then stays as it is
/// (its kernel keeps producing the all-true mask).
struct DropDropout: RewritePattern {
    let name = "drop-dropout"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        guard node.op is Dropout, node.inputs.count == 1, let data = node.outputs.first else { return false }
        guard node.outputs.dropFirst().allSatisfy({ graph.useCount(of: $0) == 0 }) else { return false }
        return graph.bypass(data, with: node.inputs[0])
    }
}
