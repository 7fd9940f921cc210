/// `Squeeze`: removes dimensions of size 1.
///
///     Y.shape = [X.shape[i] for i in 0..<r where i ∉ axes]     (every X.shape[a] with a ∈ axes must be 1)
///
/// Without axes, every dimension of size 1 is removed. `axes` is an attribute before opset 13 and an
/// optional constant input from 13; both become the stored `axes`, which may be negative.
public struct Squeeze: Operator, Equatable {
    public static let opType = "Squeeze"

    /// Nil: remove all 1-dims.
    public var axes: [Int]?

    public init(axes: [Int]? = nil) { self.axes = axes }

    public static func importing(_ node: ImportedNode) throws -> (op: Squeeze, inputs: [Int]) {
        let axes = try squeezeAxes(node, op: opType)
        return (Squeeze(axes: axes), [0])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        let x = inputs[0]
        guard let axes else { return [TensorType(x.elementType, x.shape.filter { $0 != 1 })] }
        let removed = Set(try ShapeSupport.axes(axes, rank: x.rank, Self.opType))
        for a in removed where x.shape[a] != 1 {
            throw KilnError("Squeeze axis \(a) of \(x) has size \(x.shape[a]), not 1")
        }
        return [TensorType(x.elementType, x.shape.indices.filter { !removed.contains($0) }.map { x.shape[$0] })]
    }

    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> Squeeze {
        Squeeze(axes: try attributes.ints("axes"))
    }

    public var attributeList: [(String, AttributeValue)] { axes.map { [("axes", .ints($0))] } ?? [] }
}

/// The axes of a Squeeze or Unsqueeze node: the `axes` attribute before opset 13, the optional
/// constant second input from 13. Nil when the node gives none.
func squeezeAxes(_ node: ImportedNode, op: String) throws -> [Int]? {
    if node.opset < 13 {
        try node.expectInputs(1...1)
        return try node.attributes.ints("axes")
    }
    try node.expectInputs(1...2)
    guard let tensor = try node.constantInput(1, "\(op) axes") else { return nil }
    return try ShapeSupport.integers(tensor, "\(op) axes")
}
