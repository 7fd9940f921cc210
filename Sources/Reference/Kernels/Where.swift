import IR

extension Where: ReferenceKernel {
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let type = outputTypes[0]
        // Pick by byte pattern: the kernel copies elements, so only their size matters.
        return switch type.elementType.byteSize {
        case 1: [pick(inputs, UInt8.self, type)]
        case 4: [pick(inputs, UInt32.self, type)]
        default: [pick(inputs, UInt64.self, type)]
        }
    }

    private func pick<T>(_ inputs: [Tensor], _: T.Type, _ type: TensorType) -> Tensor {
        let out = Tensor(zeros: type)
        let c = inputs[0].storage.bytes.bindMemory(to: UInt8.self)
        let x = inputs[1].storage.bytes.bindMemory(to: T.self)
        let y = inputs[2].storage.bytes.bindMemory(to: T.self)
        let z = out.storage.mutableBytes.bindMemory(to: T.self)
        let walk = BroadcastWalk(output: type.shape, inputs: inputs.map(\.shape))
        let (sc, sx, sy) = (walk.steps[0], walk.steps[1], walk.steps[2])
        walk.forEachRow { o, offsets in
            let (ic, ix, iy) = (offsets[0], offsets[1], offsets[2])
            for i in 0..<walk.rowLength {
                z[o + i] = c[ic + i * sc] != 0 ? x[ix + i * sx] : y[iy + i * sy]
            }
        }
        return out
    }
}
