import IR

extension Clip: ReferenceKernel {
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let x = inputs[0]
        switch x.elementType {
        case .float32: return [clip(x, Float.self)]
        case .float64: return [clip(x, Double.self)]
        case .int64: return [clip(x, Int64.self)]
        case .int32: return [clip(x, Int32.self)]
        case .int8: return [clip(x, Int8.self)]
        case .uint8: return [clip(x, UInt8.self)]
        case .bool: throw KilnError("Clip has no kernel for \(x.type)")
        }
    }

    /// Clips with the bounds converted to `T` (for integers they saturate, as Cast does). NaN
    /// compares false with both bounds and so stays NaN.
    private func clip<T: Comparable & CastTarget>(_ x: Tensor, _: T.Type) -> Tensor {
        let lo = min.map { T(castingFloat: Double($0)) }
        let hi = max.map { T(castingFloat: Double($0)) }
        // Lower bound first, then upper: with lo > hi everything becomes hi, as ONNX says.
        return Kernel.map(x, as: T.self, to: x.type) { v in
            var y = v
            if let lo, y < lo { y = lo }
            if let hi, y > hi { y = hi }
            return y
        }
    }
}
