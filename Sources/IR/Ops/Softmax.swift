/// `Softmax`: normalized exponentials over a contiguous run of axes.
///
///     Y[i] = exp(X[i] − max) / Σ_j exp(X[j] − max)
///
/// where j and the max run over every element that differs from i only in `axes` (subtracting the
/// max keeps exp from overflowing and does not change the result). Canonical form: `axes` is a
/// contiguous ascending run of non-negative axes. From opset 13 it is the single axis `axis`
/// (default −1); before opset 13 ONNX coerces X to 2-D at `axis` (default 1), which is the run
/// from `axis` to the last axis.
public struct Softmax: Operator, Equatable {
    public static let opType = "Softmax"

    public var axes: [Int]

    public init(axes: [Int]) { self.axes = axes }

    public static func importing(_ node: ImportedNode) throws -> (op: Softmax, inputs: [Int]) {
        try node.expectInputs(1...1)
        let rank = try node.input(0).type.rank
        if node.opset >= 13 {
            let axis = try Shapes.axis(try node.attributes.int("axis", default: -1), rank: rank)
            return (Softmax(axes: [axis]), [0])
        }
        let axis = try Shapes.axis(try node.attributes.int("axis", default: 1), rank: rank)
        return (Softmax(axes: Array(axis..<rank)), [0])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        let x = inputs[0]
        guard x.elementType == .float32 else { throw KilnError("Softmax supports float32 only, found \(x)") }
        guard let first = axes.first, axes == Array(first..<first + axes.count), first >= 0, first + axes.count <= x.rank else {
            throw KilnError("Softmax axes \(axes) are not a contiguous run of axes of \(x)")
        }
        return [x]
    }

    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> Softmax {
        Softmax(axes: try attributes.requiredInts("axes", opType))
    }

    public var attributeList: [(String, AttributeValue)] { [("axes", .ints(axes))] }
}
