/// `BatchNormalization` in inference form: normalizes each channel (dimension 1) with the stored
/// statistics.
///
///     Y[n, c, …] = scale[c] · (X[n, c, …] − mean[c]) / √(var[c] + epsilon) + B[c]
///
/// Inputs: X [N, C, …] (rank ≥ 2), scale, B, mean, var, each [C]. Training mode (the running
/// statistics outputs of opsets 9–13, `training_mode = 1` from opset 14) is not supported; `momentum`
/// only matters in training and is ignored.
public struct BatchNormalization: Operator, Equatable {
    public static let opType = "BatchNormalization"

    public var epsilon: Float

    public init(epsilon: Float = 1e-5) { self.epsilon = epsilon }

    public static func importing(_ node: ImportedNode) throws -> (op: BatchNormalization, inputs: [Int]) {
        try node.expectInputs(5...5)
        let a = node.attributes
        if try a.int("training_mode", default: 0) != 0 {
            throw KilnError("BatchNormalization with training_mode = 1 is not supported; Kiln compiles inference graphs")
        }
        if try a.int("spatial", default: 1) != 1 {
            throw KilnError("BatchNormalization with spatial = 0 (per-element statistics) is not supported")
        }
        guard node.outputCount == 1 else {
            throw KilnError("BatchNormalization asks for \(node.outputCount) outputs; the running statistics outputs exist only in training mode, which Kiln does not support")
        }
        let epsilon = try a.float("epsilon", default: 1e-5)
        guard epsilon.isFinite, epsilon >= 0 else { throw KilnError("BatchNormalization epsilon \(epsilon) must be a non-negative number") }
        return (BatchNormalization(epsilon: epsilon), [0, 1, 2, 3, 4])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 5...5, Self.opType)
        let x = inputs[0]
        guard x.rank >= 2 else { throw KilnError("BatchNormalization input \(x) must have rank 2 or more") }
        for (i, t) in inputs.enumerated() where t.elementType != .float32 {
            throw KilnError("BatchNormalization supports float32 only (input \(i) is \(t))")
        }
        for (role, t) in zip(["scale", "B", "mean", "var"], inputs.dropFirst()) where t.shape != [x.shape[1]] {
            throw KilnError("BatchNormalization \(role) \(t) should have shape [\(x.shape[1])] (the channels of \(x))")
        }
        return [x]
    }

    public var attributeList: [(String, AttributeValue)] { [("epsilon", .float(epsilon))] }
}
