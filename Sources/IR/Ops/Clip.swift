/// `Clip`: limits every element to [min, max], elementwise.
///
///     Y = min(max(X, min), max)        a missing bound does not limit
///
/// When min > max every element becomes max, as the ONNX spec says. NaN stays NaN. Opsets before
/// 11 give the bounds as attributes, later ones as optional inputs (either may be omitted); both
/// become the stored `min`/`max`, so the inputs must be compile-time constants. Float32 bounds
/// represent integer bounds exactly up to 2²⁴ in magnitude; int64 Clip in shape subgraphs stays
/// well inside that.
public struct Clip: UnaryElementwise, Equatable {
    public static let opType = "Clip"
    public static var elementTypes: Set<ElementType> { [.float32, .float64, .int64, .int32, .int8, .uint8] }

    /// The lower bound, nil when there is none.
    public var min: Float?
    /// The upper bound, nil when there is none.
    public var max: Float?

    public init(min: Float? = nil, max: Float? = nil) {
        self.min = min
        self.max = max
    }

    public static func importing(_ node: ImportedNode) throws -> (op: Clip, inputs: [Int]) {
        if node.opset < 11 {
            try node.expectInputs(1...1)
            let a = node.attributes
            return (Clip(min: try a.float("min"), max: try a.float("max")), [0])
        }
        try node.expectInputs(1...3)
        return (Clip(min: try bound(node, 1, "min"), max: try bound(node, 2, "max")), [0])
    }

    /// A bound given as input `index`: a one-element constant of the input's element type.
    private static func bound(_ node: ImportedNode, _ index: Int, _ role: String) throws -> Float? {
        guard let value = try node.constantInput(index, "Clip \(role)") else { return nil }
        let input = try node.input(0).type
        guard value.elementCount == 1, value.type.rank <= 1 else {
            throw KilnError("Clip \(role) must be a scalar, found \(value.type)")
        }
        guard value.elementType == input.elementType else {
            throw KilnError("Clip \(role) is \(value.elementType.rawValue) but the input is \(input)")
        }
        let bound = value.doubles()[0]
        guard !bound.isNaN else { throw KilnError("Clip \(role) is NaN") }
        return Float(bound)
    }

    /// Reads the bounds back from the printed attributes (the default parse would treat them as
    /// opset-11 inputs and lose them).
    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> Clip {
        Clip(min: try attributes.float("min"), max: try attributes.float("max"))
    }

    public var attributeList: [(String, AttributeValue)] {
        var list: [(String, AttributeValue)] = []
        if let min { list.append(("min", .float(min))) }
        if let max { list.append(("max", .float(max))) }
        return list
    }
}
