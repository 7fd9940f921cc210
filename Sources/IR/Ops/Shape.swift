/// `Shape`: the dimensions of the input as a 1-D int64 tensor, optionally a range of them.
///
///     Y = int64(X.shape[start ..< end])      Y has shape [max(0, end − start)]
///
/// `start` and `end` (opset 15) count from the back when negative and are clamped to [0, rank],
/// so `Shape(X)` is `start = 0, end = rank`. The frontend folds Shape from the static type; the
/// kernel exists so the operator also runs like any other.
public struct Shape: Operator, Equatable {
    public static let opType = "Shape"

    public var start: Int
    /// Nil means "through the last dimension".
    public var end: Int?

    public init(start: Int = 0, end: Int? = nil) {
        self.start = start
        self.end = end
    }

    public static func importing(_ node: ImportedNode) throws -> (op: Shape, inputs: [Int]) {
        try node.expectInputs(1...1)
        let start = try node.attributes.int("start", default: 0)
        let end = try node.attributes.int("end")
        return (Shape(start: start, end: end), [0])
    }

    /// The clamped range of dimensions selected for an input of `rank`.
    public func range(rank: Int) -> Range<Int> {
        func clamp(_ i: Int) -> Int { min(max(i < 0 ? i + rank : i, 0), rank) }
        let lower = clamp(start), upper = clamp(end ?? rank)
        return lower ..< max(lower, upper)
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        return [TensorType(.int64, [range(rank: inputs[0].rank).count])]
    }

    /// Shapes are static, so `Shape` is always known at compile time.
    public func foldFromTypes(_ inputs: [TensorType]) -> [Tensor]? {
        guard inputs.count == 1 else { return nil }
        let dims = inputs[0].shape[range(rank: inputs[0].rank)]
        return [Tensor(copying: dims.map { Int64($0) }, as: TensorType(.int64, [dims.count]))]
    }

    public var attributeList: [(String, AttributeValue)] {
        [("start", .int(start))] + (end.map { [("end", .int($0))] } ?? [])
    }
}
