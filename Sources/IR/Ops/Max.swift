/// `Max`: the elementwise maximum of one or more inputs, with numpy broadcasting.
///
///     Y = max(X₀, X₁, …)        NaN if any operand is NaN
public struct Max: BroadcastingElementwise, Equatable {
    public static let opType = "Max"
    public static var arity: ClosedRange<Int> { 1...Int.max }
    public init() {}
}
