import IR
import ONNXProto

/// How to import a model.
public struct ImportOptions: Sendable {
    /// Shapes for graph inputs by name (`--input-shape NAME=1x3x224x224`); pins symbolic dimensions.
    public var inputShapes: [String: [Int]] = [:]
    /// Graph inputs whose values are fixed at compile time; they become constants. The conformance
    /// runner binds integer inputs (shapes, axes) this way, as a static compiler must.
    public var constantInputs: [String: Tensor] = [:]
    /// `--batch N`: inputs whose dimension 0 is 1 (or symbolic) take N images, and the graph follows
    /// (`Rebatching`). Nil imports the model as it is.
    public var batch: Int?

    public init(inputShapes: [String: [Int]] = [:], constantInputs: [String: Tensor] = [:], batch: Int? = nil) {
        self.inputShapes = inputShapes
        self.constantInputs = constantInputs
        self.batch = batch
    }
}

/// What the importer produced, with facts about the ONNX file for `kiln inspect`.
public struct ImportResult: Sendable {
    public var graph: Graph
    /// Things the user should know (a symbolic dimension set to 1, …), for stderr.
    public var notes: [String]
    /// Nodes in the ONNX graph, before folding.
    public var onnxNodeCount: Int
    /// ONNX `op_type` → number of nodes, before folding.
    public var onnxHistogram: [String: Int]
}

/// Oldest and newest version of the default ONNX domain Kiln understands.
public let supportedOpsets = 7...newestOpset

/// ONNX protobuf → IR. Parses with libprotobuf-c, decodes tensors, sorts the nodes, imports each
/// through its `Operator` (which normalizes opset variants), infers static types, and folds every
/// node whose inputs are known at compile time — which turns exporters' shape subgraphs into
/// constants. Errors name the file, the node and the reason.
public enum ONNXImporter {
    public static func load(path: String, options: ImportOptions = ImportOptions()) throws -> ImportResult {
        do {
            let model = try ParsedModel(path: path)
            var builder = try GraphBuilder(model: model, path: path, options: options)
            return try builder.build()
        } catch let error as KilnError {
            throw error.in(file: path)
        }
    }
}

/// What a model declares, read without importing it: for tools that feed models (the conformance
/// runner binds some inputs, and skips models using operators Kiln lacks).
public struct ModelOutline: Sendable {
    /// Graph inputs that are not initializers, in order, with their ONNX element type codes.
    public var inputs: [(name: String, onnxType: Int)]
    /// Operators of nodes that Kiln does not import (`domain.op` for other domains), in order of appearance.
    public var unsupportedOperators: [String]
}

extension ONNXImporter {
    public static func outline(path: String) throws -> ModelOutline {
        let model = try ParsedModel(path: path)
        guard let g = model.message.pointee.graph?.pointee else { throw KilnError("the model has no graph", file: path) }
        let initializers = Set(messages(g.initializer, g.n_initializer).map { string($0.pointee.name) })
        let inputs = messages(g.input, g.n_input).compactMap { info -> (name: String, onnxType: Int)? in
            let name = string(info.pointee.name)
            guard !initializers.contains(name) else { return nil }
            return (name, Int(info.pointee.type?.pointee.tensor_type?.pointee.elem_type ?? 0))
        }
        var unsupported: [String] = []
        for node in messages(g.node, g.n_node) {
            let opType = string(node.pointee.op_type), domain = string(node.pointee.domain)
            let known = (domain == "" || domain == "ai.onnx") && (opType == "Constant" || OperatorRegistry.onnxOperators[opType] != nil)
            let label = domain.isEmpty ? opType : "\(domain).\(opType)"
            if !known, !unsupported.contains(label) { unsupported.append(label) }
        }
        return ModelOutline(inputs: inputs, unsupportedOperators: unsupported)
    }
}
