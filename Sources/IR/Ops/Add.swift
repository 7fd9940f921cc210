/// `Add`: C = A + B, elementwise with numpy broadcasting. Integers wrap on overflow.
public struct Add: BroadcastingElementwise, Equatable {
    public static let opType = "Add"
    public init() {}
}
