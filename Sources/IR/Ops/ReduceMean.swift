/// `ReduceMean`: the mean of X over `axes`.
///
///     Y[i] = (1 / Π_{a ∈ axes} X.shape[a]) · Σ_{j reducing to i} X[j]
///
/// With `keepdims` each reduced dimension stays as 1, otherwise it is removed. Canonical form: `axes`
/// are non-negative, sorted and distinct. The ONNX forms map onto it at import: the `axes` attribute
/// (before opset 18) or the constant `axes` input (from opset 18); negative axes count from the end;
/// no axes means all axes, unless `noop_with_empty_axes = 1`, which makes the node an identity —
/// stored as empty `axes`.
public struct ReduceMean: Operator, Equatable {
    public static let opType = "ReduceMean"

    public var axes: [Int]
    public var keepdims: Bool

    public init(axes: [Int], keepdims: Bool = true) {
        self.axes = axes
        self.keepdims = keepdims
    }

    public static func importing(_ node: ImportedNode) throws -> (op: ReduceMean, inputs: [Int]) {
        let a = node.attributes
        let rank = try node.input(0).type.rank
        var requested: [Int]?
        var noopWhenEmpty = false
        if node.opset < 18 {
            try node.expectInputs(1...1)
            requested = try a.ints("axes")
        } else {
            try node.expectInputs(1...2)
            guard a["axes"] == nil else { throw KilnError("ReduceMean from opset 18 takes axes as an input, not an attribute") }
            if let tensor = try node.constantInput(1, "axes") {
                guard tensor.type.rank <= 1 else { throw KilnError("ReduceMean axes \(tensor.type) must be a 1-D tensor") }
                requested = try tensor.integers()
            }
            noopWhenEmpty = try a.int("noop_with_empty_axes", default: 0) != 0
        }
        let keepdims = try a.int("keepdims", default: 1) != 0
        let given = requested ?? []
        if given.isEmpty {
            // No axes: reduce everything, or (noop_with_empty_axes) pass X through unchanged.
            return (ReduceMean(axes: noopWhenEmpty ? [] : Array(0..<rank), keepdims: keepdims), [0])
        }
        let axes = try given.map { try Shapes.axis($0, rank: rank) }.sorted()
        guard Set(axes).count == axes.count else { throw KilnError("ReduceMean axes \(given) repeat an axis") }
        return (ReduceMean(axes: axes, keepdims: keepdims), [0])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        let x = inputs[0]
        guard x.elementType == .float32 else { throw KilnError("ReduceMean supports float32 only, found \(x)") }
        guard axes == axes.sorted(), Set(axes).count == axes.count, axes.allSatisfy({ $0 >= 0 && $0 < x.rank }) else {
            throw KilnError("ReduceMean axes \(axes) are not distinct sorted axes of \(x)")
        }
        guard axes.allSatisfy({ x.shape[$0] > 0 }) else { throw KilnError("ReduceMean of \(x) averages over an empty dimension") }
        var shape: [Int] = []
        for (d, size) in x.shape.enumerated() {
            if !axes.contains(d) {
                shape.append(size)
            } else if keepdims {
                shape.append(1)
            }
        }
        return [TensorType(.float32, shape)]
    }

    /// Reads the canonical `axes` and `keepdims` back from the printed attributes.
    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> ReduceMean {
        ReduceMean(axes: try attributes.ints("axes") ?? [], keepdims: try attributes.int("keepdims", default: 1) != 0)
    }

    public var attributeList: [(String, AttributeValue)] { [("axes", .ints(axes)), ("keepdims", .int(keepdims ? 1 : 0))] }
}
