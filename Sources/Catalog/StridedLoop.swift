/// Operands walked together over one shape, the way the generic kernels walk them: a shape and, per
/// operand, the element stride of each dimension (0 where the operand is broadcast, negative where
/// it is read backwards). The kernels take at most `maxRank` dimensions, so a loop is first
/// `coalesced`: dimensions of extent 1 go, and neighbours every operand walks as one run merge.
public struct StridedLoop: Equatable, Sendable {
    /// The kernels' `KILN_MAX_RANK`.
    public static let maxRank = 6

    public var shape: [Int]
    /// One list per operand, as long as `shape`.
    public var strides: [[Int]]

    public init(shape: [Int], strides: [[Int]]) {
        self.shape = shape
        self.strides = strides
    }

    /// Row-major strides of `shape`.
    public static func rowMajor(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        for d in shape.indices.dropLast().reversed() { strides[d] = strides[d + 1] * shape[d + 1] }
        return strides
    }

    /// The strides that read a row-major tensor of `shape` broadcast (numpy, right-aligned) to
    /// `target`: 0 on the dimensions it lacks or has as 1.
    public static func broadcast(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = rowMajor(shape), lead = target.count - shape.count
        return target.indices.map { d in
            d < lead || shape[d - lead] == 1 ? 0 : own[d - lead]
        }
    }

    /// The same walk over as few dimensions as possible.
    public func coalesced() -> StridedLoop {
        var dims: [Int] = [], merged: [[Int]] = strides.map { _ in [] }
        for d in shape.indices where shape[d] != 1 {
            if let last = dims.last, strides.indices.allSatisfy({ merged[$0].last == strides[$0][d] * shape[d] }) {
                dims[dims.count - 1] = last * shape[d]
                for k in strides.indices { merged[k][merged[k].count - 1] = strides[k][d] }
            } else {
                dims.append(shape[d])
                for k in strides.indices { merged[k].append(strides[k][d]) }
            }
        }
        return StridedLoop(shape: dims, strides: merged)
    }

    /// Whether the kernels can walk it (after coalescing).
    public var fitsKernels: Bool { coalesced().shape.count <= Self.maxRank }

    /// The shape right-aligned to `maxRank` extents (leading 1s); nil when it does not fit.
    public var kernelShape: [Int]? {
        shape.count <= Self.maxRank ? Array(repeating: 1, count: Self.maxRank - shape.count) + shape : nil
    }

    /// Operand `k`'s strides right-aligned like `kernelShape` (leading 0s).
    public func kernelStrides(_ k: Int) -> [Int] {
        Array(repeating: 0, count: max(0, Self.maxRank - shape.count)) + strides[k]
    }
}
