import IR
import ONNXProto

/// The nodes of an ONNX file as the file lists them: each node's name (as the importer names it:
/// its own, else `OpType_index`), operator and output tensors. Tools that read other programs'
/// reports about the same model (onnxruntime's profile names nodes and tensors) match through it.
public struct ONNXNodeList: Sendable {
    public struct Entry: Sendable {
        public var name: String
        public var opType: String
        public var outputs: [String]
    }

    public var nodes: [Entry]

    /// The node that writes each tensor.
    public var producers: [String: String] {
        var result: [String: String] = [:]
        for node in nodes {
            for output in node.outputs where !output.isEmpty { result[output] = node.name }
        }
        return result
    }

    public init(path: String) throws {
        let model = try ParsedModel(path: path)
        guard let g = model.message.pointee.graph?.pointee else { throw KilnError("the model has no graph", file: path) }
        nodes = messages(g.node, g.n_node).enumerated().map { index, node in
            let name = string(node.pointee.name), opType = string(node.pointee.op_type)
            return Entry(name: name.isEmpty ? "\(opType)_\(index)" : name, opType: opType,
                         outputs: strings(node.pointee.output, node.pointee.n_output))
        }
    }
}
