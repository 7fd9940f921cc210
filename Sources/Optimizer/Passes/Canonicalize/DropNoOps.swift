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

/// Arithmetic with its neutral element → its other operand: `Add(x, 0)`, `Add(0, x)`, `Sub(x, 0)`,
/// `Mul(x, 1)`, `Mul(1, x)`, `Div(x, 1)`, where the constant is all zeros (all ones) of any shape
/// that does not widen x. Keras' Normalization layer with mean 0 and variance 1 exports as such.
///
///     const %zero: float32[1x3x1x1] = [0.0, 0.0, 0.0]
///     %y: float32[1x3x8x8] = Add(%x, %zero) loc("sub")       →       readers of %y read %x
///
/// Not when the result's type differs from x's (the constant broadcasts x to a larger shape), for
/// `Sub(0, x)` or `Div(1, x)`, nor when both operands are constants (constant folding does that).
struct DropNeutralArithmetic: RewritePattern {
    let name = "drop-neutral-arithmetic"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        guard node.inputs.count == 2, node.outputs.count == 1 else { return false }
        let neutral: Double, commutes: Bool
        switch node.op {
        case is Add: (neutral, commutes) = (0, true)
        case is Sub: (neutral, commutes) = (0, false)
        case is Mul: (neutral, commutes) = (1, true)
        case is Div: (neutral, commutes) = (1, false)
        default: return false
        }
        for (x, c) in commutes ? [(0, 1), (1, 0)] : [(0, 1)] {
            let value = node.inputs[x]
            guard graph.constant(value) == nil, let constant = graph.constant(node.inputs[c]),
                  constant.doubles().allSatisfy({ $0 == neutral }),
                  graph.type(of: value) == graph.type(of: node.outputs[0])
            else { continue }
            return graph.drop(nodeAt: index, forwardingTo: value)
        }
        return false
    }
}
