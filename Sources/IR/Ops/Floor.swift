/// `Floor`: Y = ⌊X⌋, elementwise (NaN and ±∞ stay as they are).
public struct Floor: AttributeFreeUnary, Equatable {
    public static let opType = "Floor"
    public init() {}
}
