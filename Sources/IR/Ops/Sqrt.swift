/// `Sqrt`: Y = √X, elementwise (NaN for negative X, as IEEE 754 says).
public struct Sqrt: AttributeFreeUnary, Equatable {
    public static let opType = "Sqrt"
    public init() {}
}
