/// `ScaleShift` (Kiln): a per-channel affine map, Y[n, c, …] = X[n, c, …] · scale[c] + shift[c].
///
/// Inputs: X [N, C, …] (rank ≥ 2), scale [C], shift [C]. `fold-batchnorm` turns a BatchNormalization
/// that follows no convolution into this, and folds a ScaleShift that follows a Conv into the Conv.
public struct ScaleShift: Operator, Equatable {
    public static let opType = "ScaleShift"
    public init() {}

    public static func importing(_ node: ImportedNode) throws -> (op: ScaleShift, inputs: [Int]) {
        try node.expectInputs(3...3)
        return (ScaleShift(), [0, 1, 2])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 3...3, Self.opType)
        let x = inputs[0]
        try require(x.rank >= 2 && x.elementType == .float32, "ScaleShift needs a float32 input of rank ≥ 2, found \(x)")
        for p in inputs[1...] {
            try require(p == TensorType(.float32, [x.shape[1]]), "ScaleShift parameters must be float32[\(x.shape[1])], found \(p)")
        }
        return [x]
    }
}
