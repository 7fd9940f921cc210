/// Checks the invariants every stage relies on: nodes in topological order, every input defined
/// before use, one producer per value, stored types equal to what shape inference says, and every
/// graph output defined. Runs after import, and after every pass in tests and with `--verify-each`.
public enum Verifier {
    public static func verify(_ graph: Graph) throws {
        var defined = Set(graph.inputs)
        defined.formUnion(graph.constants.keys)
        for value in defined where value.index >= graph.values.count {
            throw KilnError("value \(value) is out of range")
        }
        for node in graph.nodes {
            for input in node.inputs where !defined.contains(input) {
                throw KilnError("input \(input) ('\(graph[input].name)') is used before it is defined").at(node: node.name)
            }
            let inferred: [TensorType]
            do {
                inferred = try node.op.inferTypes(node.inputs.map(graph.type(of:)))
            } catch let error as KilnError {
                throw error.at(node: node.name)
            }
            guard inferred.count == node.outputs.count else {
                throw KilnError("\(node.op.opType) has \(node.outputs.count) outputs, shape inference gives \(inferred.count)").at(node: node.name)
            }
            for (output, type) in zip(node.outputs, inferred) {
                guard !defined.contains(output) else {
                    throw KilnError("value \(output) ('\(graph[output].name)') is defined twice").at(node: node.name)
                }
                guard graph.type(of: output) == type else {
                    throw KilnError("output \(output) is stored as \(graph.type(of: output)) but \(node.op.opType) gives \(type)").at(node: node.name)
                }
                defined.insert(output)
            }
        }
        for output in graph.outputs where !defined.contains(output) {
            throw KilnError("graph output \(output) ('\(graph[output].name)') is never defined")
        }
    }
}
