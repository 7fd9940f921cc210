/// `Erf`: the Gauss error function, elementwise.
///
///     Y = 2/√π · ∫₀ˣ exp(−t²) dt
public struct Erf: AttributeFreeUnary, Equatable {
    public static let opType = "Erf"
    public init() {}
}
