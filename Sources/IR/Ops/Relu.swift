/// `Relu`: Y = max(X, 0), elementwise.
public struct Relu: Operator, Equatable {
    public static let opType = "Relu"
    public init() {}

    public static func importing(_ node: ImportedNode) throws -> (op: Relu, inputs: [Int]) {
        try node.expectInputs(1...1)
        return (Relu(), [0])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        return [inputs[0]]
    }
}
