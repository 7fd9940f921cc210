import IR

/// A Reshape, Flatten, Squeeze or Unsqueeze whose result has its input's type → removed: readers
/// read the input. tf2onnx writes such no-ops around every squeeze-excite convolution.
///
///     %r: float32[1x8x1x1] = Reshape(%s) {shape=[1, 8, 1, 1]} loc("reshape")     (%s: float32[1x8x1x1])
///     %y: float32[1x4x1x1] = Conv(%r, %w, %b) {…}
///   →
///     %y: float32[1x4x1x1] = Conv(%s, %w, %b) {…}                        ("reshape" joins %s's producer's loc)
///
/// Not when the result is a graph output and the input is a graph input, constant or another
/// output (the output's name has to stay with a computed value).
struct DropNoOpReshape: RewritePattern {
    let name = "drop-noop-reshape"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        guard OpTraits.isShapeOnly(node.op), node.inputs.count == 1, node.outputs.count == 1,
              graph.type(of: node.inputs[0]) == graph.type(of: node.outputs[0])
        else { return false }
        return graph.drop(nodeAt: index, forwardingTo: node.inputs[0])
    }
}

/// Two shape-only ops in a row (Reshape, Flatten, Squeeze, Unsqueeze, in any mix) → one Reshape to
/// the final shape, named after the second: both only relabel the same row-major elements.
///
///     %q: float32[1x8] = Squeeze(%s) {axes=[2, 3]} loc("squeeze")             (%s: float32[1x8x1x1])
///     %r: float32[1x8x1x1] = Reshape(%q) {shape=[1, 8, 1, 1]} loc("reshape")
///   →
///     %r: float32[1x8x1x1] = Reshape(%s) {shape=[1, 8, 1, 1]} loc("reshape", "squeeze")
///
/// (which `drop-noop-reshape` then removes). When the first result has other readers it stays for
/// them; the second still reads the original tensor, and the merged node claims only its own loc.
struct MergeReshapes: RewritePattern {
    let name = "merge-reshapes"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let second = graph.nodes[index]
        guard OpTraits.isShapeOnly(second.op), second.inputs.count == 1, second.outputs.count == 1,
              let (firstIndex, first) = graph.definingNode(of: second.inputs[0]),
              OpTraits.isShapeOnly(first.op), first.inputs.count == 1
        else { return false }
        let shape = graph.type(of: second.outputs[0]).shape
        let soleReader = graph.useCount(of: second.inputs[0]) == 1 && !graph.isOutput(second.inputs[0])
        guard let merged = graph.rewrittenNode(Reshape(shape: shape, allowZero: shape.contains(0)), inputs: first.inputs,
                                               outputs: second.outputs, replacing: soleReader ? [second, first] : [second])
        else { return false }
        if soleReader {
            graph.replace(nodesAt: [firstIndex, index], with: merged)
        } else {
            graph.nodes[index] = merged
        }
        return true
    }
}
