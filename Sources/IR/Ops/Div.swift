/// `Div`: C = A / B, elementwise with numpy broadcasting.
///
/// Integer division truncates toward zero, as C does (−7 / 2 = −3); a zero divisor is an error,
/// and the one overflowing case, min / −1, wraps to min.
public struct Div: BroadcastingElementwise, Equatable {
    public static let opType = "Div"
    public init() {}
}
