import IR

extension Dropout: ReferenceKernel {
    /// The data unchanged, and a mask of ones: nothing was dropped.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let mask = Tensor(zeros: outputTypes[1])
        switch mask.elementType {
        case .bool: mask.storage.mutableBytes.bindMemory(to: UInt8.self).update(repeating: 1)
        case .float32: mask.storage.mutableBytes.bindMemory(to: Float.self).update(repeating: 1)
        case .float64: mask.storage.mutableBytes.bindMemory(to: Double.self).update(repeating: 1)
        default: throw KilnError("Dropout has no kernel for a \(mask.type) mask")
        }
        return [inputs[0], mask]
    }
}
