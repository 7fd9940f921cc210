/// `Dense` (Kiln): a fully connected layer on the flattened input, with bias and activation.
///
///     Y[n, j] = act(B[j] + Σ_k X'[n, k] · W[j, k])       X' = X reshaped to [N, K] (Flatten at axis 1)
///
/// Inputs: X [N, …] (rank ≥ 2, K = product of the dimensions after N), W [J, K], B [J]. `canonicalize`
/// makes it from Gemm (alpha = beta = 1, no transA, constant B and C), MatMul + Add, and absorbs a
/// Flatten or 2-D Reshape before it; `fuse-epilogue` folds the activation after it in.
public struct Dense: Operator, Equatable {
    public static let opType = "Dense"

    public var activation: Activation

    public init(activation: Activation = .none) { self.activation = activation }

    public static func importing(_ node: ImportedNode) throws -> (op: Dense, inputs: [Int]) {
        try node.expectInputs(3...3)
        return (try parse(node.attributes, inputTypes: []), [0, 1, 2])
    }

    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> Dense {
        Dense(activation: try Activation.attribute(attributes, "activation"))
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 3...3, Self.opType)
        let x = inputs[0], w = inputs[1]
        try require(x.rank >= 2 && x.elementType == .float32, "Dense needs a float32 input of rank ≥ 2, found \(x)")
        let k = x.shape.dropFirst().reduce(1, *)
        try require(w.rank == 2 && w.elementType == .float32 && w.shape[1] == k, "Dense weights \(w) must be float32[J x \(k)]")
        try require(inputs[2] == TensorType(.float32, [w.shape[0]]), "Dense bias \(inputs[2]) must be float32[\(w.shape[0])]")
        return [TensorType(.float32, [x.shape[0], w.shape[0]])]
    }

    public var attributeList: [(String, AttributeValue)] { [("activation", .string(activation.description))] }

    public func macs(inputs: [TensorType], outputs: [TensorType]) -> Int { outputs[0].elementCount * inputs[1].shape[1] }
}
