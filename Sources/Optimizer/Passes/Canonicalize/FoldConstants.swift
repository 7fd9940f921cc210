import IR
import Reference

/// A node whose inputs are all constants becomes constants, computed by the reference kernel; so
/// does a node whose results follow from its input types alone (`Shape`).
///
///     const %w: float32[4x8]
///     %t: float32[8x4] = Transpose(%w) {perm=[1, 0]}      →      const %t: float32[8x4]
///
/// Folding stays bounded: a result larger than `alwaysFoldBytes` is only folded when its inputs are
/// at least as large (so transposing or scaling big weights folds, but `Expand` of a scalar to a
/// huge tensor does not turn a few bytes into megabytes of constants). Not when the kernel fails.
struct FoldConstants: RewritePattern {
    let name = "fold-constants"
    /// Results up to this many bytes are folded whatever their inputs.
    var alwaysFoldBytes = 64 * 1024

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        let outputTypes = node.outputs.map(graph.type(of:))
        let constants = node.inputs.compactMap(graph.constant)
        let results: [Tensor]
        if constants.count == node.inputs.count {
            let inputBytes = constants.reduce(0) { $0 + $1.type.byteCount }
            let outputBytes = outputTypes.reduce(0) { $0 + $1.byteCount }
            guard outputBytes <= max(alwaysFoldBytes, inputBytes),
                  let values = try? Interpreter.evaluate(node.op, inputs: constants, outputTypes: outputTypes)
            else { return false }
            results = values
        } else {
            guard let values = node.op.foldFromTypes(node.inputs.map(graph.type(of:))),
                  values.map(\.type) == outputTypes else { return false }
            results = values
        }
        for (id, tensor) in zip(node.outputs, results) { graph.constants[id] = tensor }
        graph.nodes.remove(at: index)
        return true
    }
}
