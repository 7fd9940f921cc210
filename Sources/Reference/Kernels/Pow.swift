import IR

extension Pow: ReferenceKernel {
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let (x, y, type) = (inputs[0], inputs[1], outputTypes[0])
        switch x.elementType {
        case .float32: return [floatPower(x, y, Float.self, type)]
        case .float64: return [floatPower(x, y, Double.self, type)]
        case .int64: return [try integerPower(x, y, Int64.self, type)]
        case .int32: return [try integerPower(x, y, Int32.self, type)]
        default: throw KilnError("Pow has no kernel for base \(x.type)")
        }
    }

    /// A float base: the exponent is converted to the base's type, then pow.
    private func floatPower<T: KernelFloat>(_ x: Tensor, _ y: Tensor, _: T.Type, _ type: TensorType) -> Tensor {
        let exponent = Kernel.cast(y, to: x.elementType)
        return Kernel.broadcast(x, exponent, as: (T.self, T.self), into: type) { T.power($0, $1) }
    }

    /// An integer base: exact powers for integer exponents, pow in double for float ones.
    private func integerPower<T: KernelInteger & CastTarget>(_ x: Tensor, _ y: Tensor, _: T.Type,
                                                            _ type: TensorType) throws -> Tensor {
        if y.elementType.isFloatingPoint {
            let exponent = Kernel.cast(y, to: .float64)
            return Kernel.broadcast(x, exponent, as: (T.self, Double.self), into: type) {
                T(castingFloat: Double.power(Double($0), $1))
            }
        }
        let exponent = Kernel.cast(y, to: .int64)
        var zeroToNegative = false
        let result = Kernel.broadcast(x, exponent, as: (T.self, Int64.self), into: type) { base, n -> T in
            guard let value = Self.power(base, n) else {
                zeroToNegative = true
                return 0
            }
            return value
        }
        if zeroToNegative { throw KilnError("integer Pow of 0 to a negative power") }
        return result
    }

    /// baseⁿ by repeated squaring with wrapping multiplication; for n < 0 the truncated 1 / baseⁿ,
    /// nil for 0 to a negative power.
    static func power<T: KernelInteger>(_ base: T, _ n: Int64) -> T? {
        if n < 0 {
            if base == 0 { return nil }
            if base == 1 { return 1 }
            if T.isSigned, base == T(truncatingIfNeeded: -1 as Int64) { return n & 1 == 0 ? 1 : base }
            return 0
        }
        var (result, square, remaining): (T, T, Int64) = (1, base, n)
        while remaining > 0 {
            if remaining & 1 == 1 { result = result &* square }
            square = square &* square
            remaining >>= 1
        }
        return result
    }
}
