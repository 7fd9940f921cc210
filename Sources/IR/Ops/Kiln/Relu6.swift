/// `Relu6` (Kiln): Y = min(max(X, 0), 6), elementwise. `canonicalize` makes it from `Clip(0, 6)`.
public struct Relu6: AttributeFreeUnary, Equatable {
    public static let opType = "Relu6"
    public static var elementTypes: Set<ElementType> { [.float32] }
    public init() {}
}
