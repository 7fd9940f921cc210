/// `Tanh`: Y = tanh(X), elementwise.
public struct Tanh: AttributeFreeUnary, Equatable {
    public static let opType = "Tanh"
    public init() {}
}
