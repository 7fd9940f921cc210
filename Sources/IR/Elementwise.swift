/// The two families of elementwise operators. Each operator still has its own file in `Ops/` with
/// its formula; these protocols hold what the members of a family share: import of attribute-free
/// forms and shape inference.

/// An operator that maps each element of its one input to one element of the same type and shape
/// (Sigmoid, Exp, Clip, Identity…).
public protocol UnaryElementwise: Operator {
    /// The input element types the operator accepts. Default: float32 and float64.
    static var elementTypes: Set<ElementType> { get }
}

extension UnaryElementwise {
    public static var elementTypes: Set<ElementType> { [.float32, .float64] }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        try requireElementType(inputs[0], in: Self.elementTypes, Self.opType)
        return [inputs[0]]
    }
}

/// A unary elementwise operator without attributes: it imports from any opset as `Self()`.
public protocol AttributeFreeUnary: UnaryElementwise {
    init()
}

extension AttributeFreeUnary {
    public static func importing(_ node: ImportedNode) throws -> (op: Self, inputs: [Int]) {
        try node.expectInputs(1...1)
        return (Self(), [0])
    }
}

/// An operator combining inputs of one element type elementwise under numpy multidirectional
/// broadcasting (Add, Mul, Max, Equal…): the output shape is the broadcast of all input shapes.
public protocol BroadcastingElementwise: Operator {
    /// How many inputs the operator takes. Default: exactly two.
    static var arity: ClosedRange<Int> { get }
    /// The element types the inputs may have (all inputs share one). Default: the numeric types.
    static var elementTypes: Set<ElementType> { get }
    /// The output element type for inputs of `type`. Default: `type`.
    static func outputElementType(_ type: ElementType) -> ElementType
    init()
}

extension BroadcastingElementwise {
    public static var arity: ClosedRange<Int> { 2...2 }
    public static var elementTypes: Set<ElementType> { [.float32, .float64, .int64, .int32, .int8, .uint8] }
    public static func outputElementType(_ type: ElementType) -> ElementType { type }

    /// Every opset of these operators has the same form; the removed `broadcast`/`axis` attributes
    /// of opsets before 7 are not supported (Kiln imports opset 9 and later).
    public static func importing(_ node: ImportedNode) throws -> (op: Self, inputs: [Int]) {
        try checkArity(node.inputs.count)
        guard node.presentInputs.count == node.inputs.count else {
            throw KilnError("\(opType) does not accept omitted inputs")
        }
        return (Self(), node.presentInputs)
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try Self.checkArity(inputs.count)
        let type = inputs[0].elementType
        for input in inputs where input.elementType != type {
            throw KilnError("\(Self.opType) inputs must share one element type, found \(inputs.map(\.description).joined(separator: ", "))")
        }
        try requireElementType(inputs[0], in: Self.elementTypes, Self.opType)
        let shape = try Shapes.broadcast(inputs.map(\.shape))
        _ = try TensorType.checkedElementCount(shape, elementSize: type.byteSize)
        return [TensorType(Self.outputElementType(type), shape)]
    }

    private static func checkArity(_ count: Int) throws {
        guard !arity.contains(count) else { return }
        let expected = arity.upperBound == .max ? "at least \(arity.lowerBound)"
            : arity.count == 1 ? "\(arity.lowerBound)" : "\(arity.lowerBound) to \(arity.upperBound)"
        throw KilnError("\(opType) takes \(expected) inputs, found \(count)")
    }
}

/// Throws unless `type`'s element type is one of `allowed`.
public func requireElementType(_ type: TensorType, in allowed: Set<ElementType>, _ op: String) throws {
    guard allowed.contains(type.elementType) else {
        let names = ElementType.allCases.filter(allowed.contains).map(\.rawValue).joined(separator: ", ")
        throw KilnError("\(op) does not support \(type.elementType.rawValue) input (\(type)); it takes \(names)")
    }
}
