import IR

/// The reference kernel of a unary operator given by one function of a floating-point element
/// (Sigmoid, Exp, Floor…). The conforming kernel file only states the function; this protocol
/// runs it over float32 and float64 tensors, specialized for each.
public protocol FloatMapKernel: ReferenceKernel {
    func apply<T: KernelFloat>(_ x: T) -> T
}

extension FloatMapKernel {
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let x = inputs[0]
        switch x.elementType {
        case .float32: return [Kernel.map(x, as: Float.self, to: x.type) { apply($0) }]
        case .float64: return [Kernel.map(x, as: Double.self, to: x.type) { apply($0) }]
        default: throw KilnError("\(opType) has no kernel for \(x.type)")
        }
    }
}

/// The reference kernel of a broadcasting arithmetic operator (Add, Div, Max…) given by one
/// function for floating-point and one for integer elements. With more than two inputs (Min,
/// Max) the function folds over them left to right; one input is returned unchanged.
public protocol BroadcastArithmeticKernel: ReferenceKernel {
    func apply<T: KernelFloat>(_ a: T, _ b: T) -> T
    /// Must not trap: use wrapping operators, and reject bad operands in `check`.
    func apply<T: KernelInteger>(_ a: T, _ b: T) -> T
    /// Throws when the operands would make `apply` undefined (integer division by zero).
    func check(_ a: Tensor, _ b: Tensor) throws
}

extension BroadcastArithmeticKernel {
    public func check(_ a: Tensor, _ b: Tensor) throws {}

    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        guard var result = inputs.first else { throw KilnError("\(opType) needs at least one input") }
        for next in inputs.dropFirst() {
            try check(result, next)
            let type = TensorType(result.elementType, try Shapes.broadcast(result.shape, next.shape))
            result = try combine(result, next, into: type)
        }
        return [result]
    }

    private func combine(_ a: Tensor, _ b: Tensor, into type: TensorType) throws -> Tensor {
        switch a.elementType {
        case .float32: Kernel.broadcast(a, b, as: (Float.self, Float.self), into: type) { apply($0, $1) }
        case .float64: Kernel.broadcast(a, b, as: (Double.self, Double.self), into: type) { apply($0, $1) }
        case .int64: Kernel.broadcast(a, b, as: (Int64.self, Int64.self), into: type) { apply($0, $1) }
        case .int32: Kernel.broadcast(a, b, as: (Int32.self, Int32.self), into: type) { apply($0, $1) }
        case .int8: Kernel.broadcast(a, b, as: (Int8.self, Int8.self), into: type) { apply($0, $1) }
        case .uint8: Kernel.broadcast(a, b, as: (UInt8.self, UInt8.self), into: type) { apply($0, $1) }
        case .bool: throw KilnError("\(opType) has no kernel for bool tensors")
        }
    }
}
