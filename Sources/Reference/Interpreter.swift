import IR

/// Runs a graph node by node with the reference kernels.
public struct Interpreter {
    public let graph: Graph

    public init(graph: Graph) { self.graph = graph }

    /// Evaluates one operator on constant inputs (the frontend's constant folding uses this).
    public static func evaluate(_ op: any Operator, inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        guard let kernel = op as? any ReferenceKernel else {
            throw KilnError("\(op.opType) has no reference kernel")
        }
        for type in outputTypes { try type.checkSize() }  // before the kernel allocates (ResourceLimits)
        let outputs = try kernel.evaluate(inputs, outputTypes: outputTypes)
        guard outputs.count == outputTypes.count else {
            throw KilnError("\(op.opType) kernel returned \(outputs.count) outputs, expected \(outputTypes.count)")
        }
        for (output, type) in zip(outputs, outputTypes) where output.type != type {
            throw KilnError("\(op.opType) kernel returned \(output.type), expected \(type)")
        }
        return outputs
    }

    /// Runs the graph on `inputs` (one per graph input, in order) and returns the graph outputs.
    /// With `observe`, every node's outputs are reported as they are computed.
    public func run(_ inputs: [Tensor], observe: ((Node, [Tensor]) -> Void)? = nil) throws -> [Tensor] {
        guard inputs.count == graph.inputs.count else {
            throw KilnError("the model takes \(graph.inputs.count) inputs, \(inputs.count) given")
        }
        var values: [ValueID: Tensor] = graph.constants
        for (id, tensor) in zip(graph.inputs, inputs) {
            let expected = graph.type(of: id)
            guard tensor.type == expected else {
                throw KilnError("input '\(graph[id].name)' should be \(expected), got \(tensor.type)")
            }
            values[id] = tensor
        }
        // Free each intermediate after its last use, so peak memory stays near the live set.
        var remainingUses: [ValueID: Int] = [:]
        for node in graph.nodes { for input in node.inputs { remainingUses[input, default: 0] += 1 } }
        for output in graph.outputs { remainingUses[output, default: 0] += 1 }

        for node in graph.nodes {
            var args: [Tensor] = []
            for input in node.inputs {
                guard let value = values[input] else { throw KilnError("value \(input) is not computed").at(node: node.name) }
                args.append(value)
            }
            let outputTypes = node.outputs.map(graph.type(of:))
            let results: [Tensor]
            do {
                results = try Self.evaluate(node.op, inputs: args, outputTypes: outputTypes)
            } catch let error as KilnError {
                throw error.at(node: node.name)
            }
            for (id, tensor) in zip(node.outputs, results) { values[id] = tensor }
            observe?(node, results)
            for input in node.inputs {
                remainingUses[input, default: 0] -= 1
                if remainingUses[input] == 0, graph.constants[input] == nil { values[input] = nil }
            }
        }
        return try graph.outputs.map { id in
            guard let value = values[id] else { throw KilnError("graph output '\(graph[id].name)' was not computed") }
            return value
        }
    }
}
