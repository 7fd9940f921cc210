import IR

extension Equal: ReferenceKernel {
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let (a, b, type) = (inputs[0], inputs[1], outputTypes[0])
        return switch a.elementType {
        case .float32: [equal(a, b, Float.self, type)]
        case .float64: [equal(a, b, Double.self, type)]
        case .int64: [equal(a, b, Int64.self, type)]
        case .int32: [equal(a, b, Int32.self, type)]
        case .int8: [equal(a, b, Int8.self, type)]
        case .uint8, .bool: [equal(a, b, UInt8.self, type)]
        }
    }

    private func equal<T: Equatable>(_ a: Tensor, _ b: Tensor, _: T.Type, _ type: TensorType) -> Tensor {
        Kernel.broadcast(a, b, as: (T.self, T.self), into: type) { BoolByte($0 == $1) }
    }
}
