/// `Sub`: C = A − B, elementwise with numpy broadcasting. Integers wrap on overflow.
public struct Sub: BroadcastingElementwise, Equatable {
    public static let opType = "Sub"
    public init() {}
}
