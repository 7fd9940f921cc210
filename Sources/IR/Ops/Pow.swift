/// `Pow`: Z = X ^ Y, elementwise with numpy broadcasting. The exponent may have another numeric
/// type than the base; the output has the base's type.
///
///     float base            pow(x, y) in the base's precision
///     integer base, int y   exact repeated multiplication, wrapping on overflow; for y < 0 the
///                           truncated 1 / xⁿ (0 unless |x| = 1); 0 to a negative power is an error
///     integer base, float y pow(x, y) in double, converted as Cast converts (truncation toward 0)
public struct Pow: BroadcastingElementwise, Equatable {
    public static let opType = "Pow"
    public init() {}

    public static let baseTypes: Set<ElementType> = [.float32, .float64, .int64, .int32]
    public static let exponentTypes: Set<ElementType> = [.float32, .float64, .int64, .int32, .int8, .uint8]

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 2...2, Self.opType)
        try requireElementType(inputs[0], in: Self.baseTypes, "Pow base")
        try requireElementType(inputs[1], in: Self.exponentTypes, "Pow exponent")
        let shape = try Shapes.broadcast(inputs[0].shape, inputs[1].shape)
        _ = try TensorType.checkedElementCount(shape, elementSize: inputs[0].elementType.byteSize)
        return [TensorType(inputs[0].elementType, shape)]
    }
}
