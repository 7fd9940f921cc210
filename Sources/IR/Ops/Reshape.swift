/// `Reshape`: the same elements, in the same row-major order, under a new shape.
///
///     Y.shape[i] = shape[i]            if shape[i] > 0
///                  X.shape[i]          if shape[i] == 0 and allowzero == 0 (copy the input dim)
///                  0                   if shape[i] == 0 and allowzero == 1
///                  count(X) / Π(rest)  if shape[i] == −1 (at most one)
///
/// The target shape is the `shape` input (opset 5+), which must be a compile-time constant, or the
/// `shape` attribute (opsets 1–4); both become the stored `shape`. count(Y) must equal count(X).
public struct Reshape: Operator, Equatable {
    public static let opType = "Reshape"

    /// The requested shape as written, with its 0 and −1 entries.
    public var shape: [Int]
    public var allowZero: Bool

    public init(shape: [Int], allowZero: Bool = false) {
        self.shape = shape
        self.allowZero = allowZero
    }

    public static func importing(_ node: ImportedNode) throws -> (op: Reshape, inputs: [Int]) {
        let shape: [Int]
        if node.opset < 5 {
            try node.expectInputs(1...1)
            guard let attribute = try node.attributes.ints("shape") else { throw KilnError("Reshape needs a 'shape' attribute") }
            shape = attribute
        } else {
            try node.expectInputs(2...2)
            guard let tensor = try node.constantInput(1, "target shape") else { throw KilnError("Reshape needs a shape") }
            shape = try ShapeSupport.integers(tensor, "Reshape shape")
        }
        let allowZero = try node.attributes.int("allowzero", default: 0) != 0
        return (Reshape(shape: shape, allowZero: allowZero), [0])
    }

    /// The concrete output shape for an input of shape `input`.
    public func resolvedShape(for input: [Int]) throws -> [Int] {
        let count = try ShapeSupport.product(input)
        var result = shape
        var inferred: Int?
        for (i, d) in shape.enumerated() {
            switch d {
            case -1:
                guard inferred == nil else { throw KilnError("Reshape shape \(shape) has more than one -1") }
                inferred = i
            case 0 where !allowZero:
                guard i < input.count else { throw KilnError("Reshape shape \(shape) copies dimension \(i), which input \(input) lacks") }
                result[i] = input[i]
            case ..<0:
                throw KilnError("Reshape shape \(shape) has invalid dimension \(d)")
            default:
                break
            }
        }
        if let inferred {
            guard !(allowZero && shape.contains(0)) else { throw KilnError("Reshape with allowzero cannot combine 0 and -1 in \(shape)") }
            var rest = result
            rest.remove(at: inferred)
            let known = try ShapeSupport.product(rest)
            guard known != 0, count % known == 0 else {
                throw KilnError("Reshape cannot infer the -1 in \(shape) for input shape \(input)")
            }
            result[inferred] = count / known
        }
        guard try ShapeSupport.product(result) == count else {
            throw KilnError("Reshape from \(input) to \(shape) changes the element count")
        }
        return result
    }

    /// A shape written for the old batch (`[1, C, 1, 1]`, `[1, -1]` for one image) gets the batch of a re-batched input
    /// in its place.
    public func followingBatch(from old: Int, to batch: Int, inputs: [TensorType], batched: [Bool]) -> Reshape {
        guard batched.first == true, inputs.first?.shape.first == batch, shape.first == old else { return self }
        var copy = self
        copy.shape[0] = batch
        return copy
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        return [try ShapeSupport.checkedType(inputs[0].elementType, try resolvedShape(for: inputs[0].shape))]
    }

    /// Reads the target shape back from the printed attributes (in ONNX it is an input).
    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> Reshape {
        guard let shape = try attributes.ints("shape") else { throw KilnError("Reshape needs a 'shape' attribute") }
        return Reshape(shape: shape, allowZero: try attributes.int("allowzero", default: 0) != 0)
    }

    public var attributeList: [(String, AttributeValue)] {
        [("shape", .ints(shape))] + (allowZero ? [("allowzero", .int(1))] : [])
    }
}
