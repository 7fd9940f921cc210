/// `Identity`: Y = X, for a tensor of any element type.
public struct Identity: AttributeFreeUnary, Equatable {
    public static let opType = "Identity"
    public static var elementTypes: Set<ElementType> { Set(ElementType.allCases) }
    public init() {}
}
