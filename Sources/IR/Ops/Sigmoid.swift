/// `Sigmoid`: the logistic function, elementwise.
///
///     Y = 1 / (1 + exp(−X))
public struct Sigmoid: AttributeFreeUnary, Equatable {
    public static let opType = "Sigmoid"
    public init() {}
}
