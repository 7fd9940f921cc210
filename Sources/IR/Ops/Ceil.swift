/// `Ceil`: Y = ⌈X⌉, elementwise (NaN and ±∞ stay as they are).
public struct Ceil: AttributeFreeUnary, Equatable {
    public static let opType = "Ceil"
    public init() {}
}
