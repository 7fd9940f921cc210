/// `Slice`: takes a strided window of X along some axes.
///
/// For each listed axis a of size n, with start s, end e and step t ≠ 0: negative s and e get n
/// added, then for t > 0 they are clamped to [0, n], for t < 0 s to [0, n − 1] and e to [−1, n − 1]
/// (so INT64_MAX and INT64_MIN work as "to the end"). Then
///
///     Y.shape[a] = max(0, ⌈(e − s) / t⌉),   Y[…, i, …] = X[…, s + i·t, …]
///
/// Other axes are kept whole. Opsets 1–9 give `starts`, `ends`, `axes` as attributes; from 10 they
/// are inputs, with optional `axes` and `steps`, and must be compile-time constants. Import stores
/// one list per role, with `axes` and `steps` filled in.
public struct Slice: Operator, Equatable {
    public static let opType = "Slice"

    public var starts: [Int]
    public var ends: [Int]
    /// May be negative; normalized against the input rank by `windows(for:)`.
    public var axes: [Int]
    public var steps: [Int]

    public init(starts: [Int], ends: [Int], axes: [Int], steps: [Int]) {
        self.starts = starts
        self.ends = ends
        self.axes = axes
        self.steps = steps
    }

    public static func importing(_ node: ImportedNode) throws -> (op: Slice, inputs: [Int]) {
        let starts: [Int], ends: [Int]
        var axes: [Int]?, steps: [Int]?
        if node.opset < 10 {
            try node.expectInputs(1...1)
            guard let s = try node.attributes.ints("starts"), let e = try node.attributes.ints("ends") else {
                throw KilnError("Slice needs 'starts' and 'ends' attributes")
            }
            (starts, ends) = (s, e)
            axes = try node.attributes.ints("axes")
        } else {
            try node.expectInputs(3...5)
            func list(_ index: Int, _ role: String) throws -> [Int]? {
                try node.constantInput(index, "Slice \(role)").map { try ShapeSupport.integers($0, "Slice \(role)") }
            }
            guard let s = try list(1, "starts"), let e = try list(2, "ends") else { throw KilnError("Slice needs starts and ends") }
            (starts, ends) = (s, e)
            axes = try list(3, "axes")
            steps = try list(4, "steps")
        }
        let slice = Slice(starts: starts, ends: ends, axes: axes ?? Array(0..<starts.count),
                          steps: steps ?? Array(repeating: 1, count: starts.count))
        return (slice, [0])
    }

    /// For every axis of an input of `shape`: the first index read, the step and the output size.
    public func windows(for shape: [Int]) throws -> [(start: Int, step: Int, count: Int)] {
        guard ends.count == starts.count, axes.count == starts.count, steps.count == starts.count else {
            throw KilnError("Slice starts \(starts), ends \(ends), axes \(axes) and steps \(steps) differ in length")
        }
        var result = shape.map { (start: 0, step: 1, count: $0) }
        for (i, a) in try ShapeSupport.axes(axes, rank: shape.count, Self.opType).enumerated() {
            let n = shape[a], t = steps[i]
            guard t != 0 else { throw KilnError("Slice step on axis \(axes[i]) is 0") }
            // n ≥ 0, so adding it to a negative number cannot overflow.
            var s = starts[i] < 0 ? starts[i] + n : starts[i]
            var e = ends[i] < 0 ? ends[i] + n : ends[i]
            if t > 0 {
                (s, e) = (min(max(s, 0), n), min(max(e, 0), n))
            } else {
                (s, e) = (min(max(s, 0), n - 1), min(max(e, -1), n - 1))
            }
            // The distance is at most n + 1; |t| is capped so that negating Int.min cannot trap.
            let distance = t > 0 ? e - s : s - e
            let magnitude = t == Int.min ? Int.max : abs(t)
            let count = distance <= 0 ? 0 : (distance - 1) / magnitude + 1
            result[a] = (s, t, count)
        }
        return result
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        let x = inputs[0]
        return [TensorType(x.elementType, try windows(for: x.shape).map(\.count))]
    }

    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> Slice {
        Slice(starts: try attributes.requiredInts("starts", opType), ends: try attributes.requiredInts("ends", opType),
              axes: try attributes.requiredInts("axes", opType), steps: try attributes.requiredInts("steps", opType))
    }

    public var attributeList: [(String, AttributeValue)] {
        [("starts", .ints(starts)), ("ends", .ints(ends)), ("axes", .ints(axes)), ("steps", .ints(steps))]
    }
}
