/// `Mul`: C = A · B, elementwise with numpy broadcasting. Integers wrap on overflow.
public struct Mul: BroadcastingElementwise, Equatable {
    public static let opType = "Mul"
    public init() {}
}
