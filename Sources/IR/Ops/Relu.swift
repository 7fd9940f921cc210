/// `Relu`: Y = max(X, 0), elementwise.
public struct Relu: AttributeFreeUnary, Equatable {
    public static let opType = "Relu"
    public init() {}
}
