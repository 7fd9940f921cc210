/// `Exp`: Y = eˣ, elementwise.
public struct Exp: AttributeFreeUnary, Equatable {
    public static let opType = "Exp"
    public init() {}
}
