/// `Equal`: C = (A == B), elementwise with numpy broadcasting; the output is bool.
/// For floats NaN equals nothing, as IEEE 754 says.
public struct Equal: BroadcastingElementwise, Equatable {
    public static let opType = "Equal"
    public static var elementTypes: Set<ElementType> { Set(ElementType.allCases) }
    public static func outputElementType(_ type: ElementType) -> ElementType { .bool }
    public init() {}
}
