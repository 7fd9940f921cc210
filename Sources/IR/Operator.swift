/// One input of an ONNX node as the importer sees it: its static type, and its value when it is
/// known at import time (an initializer, a `Constant`, or something folded from them).
public struct ImportedInput: Sendable {
    public let type: TensorType
    public let constant: Tensor?

    public init(type: TensorType, constant: Tensor?) {
        self.type = type
        self.constant = constant
    }
}

/// What an operator's importer gets of one ONNX node. Inputs the node omitted (empty names) are nil.
public struct ImportedNode: Sendable {
    public let attributes: Attributes
    public let opset: Int
    public let inputs: [ImportedInput?]
    /// How many outputs the node asks for (trailing omitted optional outputs not counted), so an
    /// importer can reject optional outputs Kiln does not compute (MaxPool's Indices, ...).
    public let outputCount: Int

    public init(attributes: Attributes, opset: Int, inputs: [ImportedInput?], outputCount: Int = 1) {
        self.attributes = attributes
        self.opset = opset
        self.inputs = inputs
        self.outputCount = outputCount
    }

    /// Input `index`, or an error when it is missing.
    public func input(_ index: Int) throws -> ImportedInput {
        guard index < inputs.count, let input = inputs[index] else { throw KilnError("input \(index) is missing") }
        return input
    }

    public func hasInput(_ index: Int) -> Bool { index < inputs.count && inputs[index] != nil }

    /// The value of input `index`, which the operator needs at compile time (axes, pads, a shape).
    /// Nil when the node omits it; an error when it is present but only known at run time.
    public func constantInput(_ index: Int, _ role: String) throws -> Tensor? {
        guard hasInput(index), let input = inputs[index] else { return nil }
        guard let value = input.constant else {
            throw KilnError("the \(role) (input \(index)) must be known at compile time; Kiln compiles static graphs")
        }
        return value
    }

    /// Indices of the inputs that are present, for operators that keep all their inputs.
    public var presentInputs: [Int] { inputs.indices.filter { inputs[$0] != nil } }

    /// Throws unless the node has between `min` and `max` inputs.
    public func expectInputs(_ range: ClosedRange<Int>) throws {
        guard range.contains(inputs.count) else {
            throw KilnError("expected \(range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)") inputs, found \(inputs.count)")
        }
        for i in 0..<min(range.lowerBound, inputs.count) where inputs[i] == nil {
            throw KilnError("input \(i) is required")
        }
    }
}

/// An operator of the IR: its attributes, how it is imported from ONNX, and its shape inference.
///
/// One operator, one file in `Sources/IR/Ops`, named by its ONNX name. Attribute forms that changed
/// across opsets (Clip bounds as attributes or inputs, ReduceMean axes, Pad pads, Squeeze axes…) are
/// normalized by `importing` into one canonical form: inputs that must be compile-time constants
/// become attributes, so every later stage sees a single, static version of each operator.
public protocol Operator: Sendable {
    /// The ONNX `op_type` (or, for operators Kiln creates, Kiln's own name).
    static var opType: String { get }

    /// Builds the operator from an ONNX node. Returns the operator and the indices of the node's
    /// inputs that stay runtime inputs of the IR node, in order.
    static func importing(_ node: ImportedNode) throws -> (op: Self, inputs: [Int])

    /// The output types for the given input types; throws when the inputs are invalid.
    func inferTypes(_ inputs: [TensorType]) throws -> [TensorType]

    /// The attributes, in a stable order, for printing.
    var attributeList: [(String, AttributeValue)] { get }

    /// Multiply-accumulates for one evaluation (0 for data movement).
    func macs(inputs: [TensorType], outputs: [TensorType]) -> Int

    /// Rebuilds the operator from the attributes `attributeList` printed (the IR text format).
    /// The default imports them as an ONNX node of the newest opset whose inputs all stay inputs;
    /// operators whose canonical attributes were inputs in ONNX override it.
    static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> Self

    /// Outputs computable from the input *types* alone (`Shape`), for constant folding of shape
    /// subgraphs whose inputs are only known at run time. Nil for almost every operator.
    func foldFromTypes(_ inputs: [TensorType]) -> [Tensor]?

    /// The operator for inputs re-batched from `old` images to `batch` (`--batch` re-batches from 1 to N, `split-batch`
    /// from N to 1): `batched[i]` says whether input `i` carries the batch in dimension 0 (its type is already the
    /// re-batched one). Only operators that bake the batch into an attribute change (`Reshape` to a shape written
    /// with a leading `old`); the rest return themselves, and shape inference does the rest.
    func followingBatch(from old: Int, to batch: Int, inputs: [TensorType], batched: [Bool]) -> Self
}

extension Operator {
    public var opType: String { Self.opType }
    public var attributeList: [(String, AttributeValue)] { [] }
    public func macs(inputs: [TensorType], outputs: [TensorType]) -> Int { 0 }
    public func foldFromTypes(_ inputs: [TensorType]) -> [Tensor]? { nil }
    public func followingBatch(from old: Int, to batch: Int, inputs: [TensorType], batched: [Bool]) -> Self { self }

    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> Self {
        let node = ImportedNode(attributes: attributes, opset: newestOpset,
                                inputs: inputTypes.map { ImportedInput(type: $0, constant: nil) })
        let (op, kept) = try importing(node)
        guard kept == Array(inputTypes.indices) else {
            throw KilnError("\(opType) cannot be read back from its attributes alone")
        }
        return op
    }
}

/// The newest version of the default ONNX domain Kiln understands.
public let newestOpset = 28

/// Shared checks for shape inference.
public func expectInputCount(_ inputs: [TensorType], _ range: ClosedRange<Int>, _ op: String) throws {
    guard range.contains(inputs.count) else {
        throw KilnError("\(op) takes \(range.lowerBound)...\(range.upperBound) inputs, found \(inputs.count)")
    }
}
