/// `Min`: the elementwise minimum of one or more inputs, with numpy broadcasting.
///
///     Y = min(X₀, X₁, …)        NaN if any operand is NaN
public struct Min: BroadcastingElementwise, Equatable {
    public static let opType = "Min"
    public static var arity: ClosedRange<Int> { 1...Int.max }
    public init() {}
}
