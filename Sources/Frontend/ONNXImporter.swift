import IR
import ONNXProto

/// How to import a model.
public struct ImportOptions: Sendable {
    /// Shapes for graph inputs by name (`--input-shape NAME=1x3x224x224`); pins symbolic dimensions.
    public var inputShapes: [String: [Int]] = [:]
    /// Graph inputs whose values are fixed at compile time; they become constants. The conformance
    /// runner binds integer inputs (shapes, axes) this way, as a static compiler must.
    public var constantInputs: [String: Tensor] = [:]

    public init(inputShapes: [String: [Int]] = [:], constantInputs: [String: Tensor] = [:]) {
        self.inputShapes = inputShapes
        self.constantInputs = constantInputs
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
public let supportedOpsets = 7...28

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
