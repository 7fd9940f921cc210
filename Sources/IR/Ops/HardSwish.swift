/// `HardSwish`: a piecewise-linear approximation of Swish, elementwise.
///
///     Y = X · max(0, min(1, X/6 + 1/2))
public struct HardSwish: AttributeFreeUnary, Equatable {
    public static let opType = "HardSwish"
    public init() {}
}
