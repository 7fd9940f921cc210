import IR

/// How far a result is from a reference: max|y − ref| and max|ref| over all elements, and whether
/// the two agree on the index of their largest element (top-1 for a classifier).
///
/// A result passes at tolerance `t` when max|y − ref| ≤ t · max|ref| and the argmax is the same.
/// NaN in either tensor counts as an infinite error.
public struct ErrorStats: Sendable, Equatable {
    public var maxAbs: Double = 0
    public var maxRef: Double = 0
    public var sameArgmax = true

    /// max|y − ref| / max|ref| (the absolute error when the reference is all zeros).
    public var relative: Double { maxRef > 0 ? maxAbs / maxRef : maxAbs }

    public func passes(tolerance: Double) -> Bool { maxAbs <= tolerance * maxRef && sameArgmax }

    /// Compares two tensors of the same element count (their shapes are the caller's business).
    public init(_ y: [Float], reference ref: [Float]) {
        guard y.count == ref.count else {
            maxAbs = .infinity
            sameArgmax = false
            return
        }
        for (u, v) in zip(y, ref) {
            let d = abs(Double(u) - Double(v))
            maxAbs = max(maxAbs, d.isNaN ? .infinity : d)
            maxRef = max(maxRef, abs(Double(v)))
        }
        sameArgmax = Self.argmax(y) == Self.argmax(ref)
    }

    static func argmax(_ v: [Float]) -> Int {
        var best = 0
        for i in v.indices where v[i] > v[best] { best = i }
        return best
    }
}
