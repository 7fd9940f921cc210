/// `Unsqueeze`: inserts dimensions of size 1.
///
///     r' = r + |axes|;  Y.shape[j] = 1 for j ∈ axes (normalized against r'), the dims of X in order elsewhere
///
/// `axes` is an attribute before opset 13 and a constant input from 13; negative axes count from the
/// back of the output.
public struct Unsqueeze: Operator, Equatable {
    public static let opType = "Unsqueeze"

    public var axes: [Int]

    public init(axes: [Int]) { self.axes = axes }

    public static func importing(_ node: ImportedNode) throws -> (op: Unsqueeze, inputs: [Int]) {
        guard let axes = try squeezeAxes(node, op: opType) else { throw KilnError("Unsqueeze needs axes") }
        return (Unsqueeze(axes: axes), [0])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        let x = inputs[0]
        let rank = x.rank + axes.count
        let inserted = Set(try ShapeSupport.axes(axes, rank: rank, Self.opType))
        var dims = x.shape.makeIterator()
        let shape = (0..<rank).map { inserted.contains($0) ? 1 : dims.next() ?? 1 }
        return [TensorType(x.elementType, shape)]
    }

    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> Unsqueeze {
        Unsqueeze(axes: try attributes.requiredInts("axes", opType))
    }

    public var attributeList: [(String, AttributeValue)] { [("axes", .ints(axes))] }
}
