/// `SiLU` (Kiln): Y = X · σ(X), elementwise. `canonicalize` makes it from `Mul(X, Sigmoid(X))` and
/// from opset 24's `Swish` with alpha 1.
public struct SiLU: AttributeFreeUnary, Equatable {
    public static let opType = "SiLU"
    public static var elementTypes: Set<ElementType> { [.float32] }
    public init() {}
}
