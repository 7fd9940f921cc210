import IR

/// The reference implementation of an operator: straightforward loops that follow the formula in
/// the operator's doc comment, written to be obviously correct rather than fast. One file per
/// operator in `Kernels/`, named like the operator.
public protocol ReferenceKernel: Operator {
    /// Computes the outputs. `outputTypes` are the node's inferred output types.
    func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor]
}

/// Shared helpers for kernels.
enum Kernel {
    /// Applies `f` to every float32 element of `x`.
    static func map(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
        let y = Tensor(zeros: x.type)
        let src = x.floats, dst = y.mutableFloats
        for i in 0..<src.count { dst[i] = f(src[i]) }
        return y
    }

    /// For each output index of a broadcast, the linear index into an input of shape `shape`.
    static func broadcastIndices(from shape: [Int], to outShape: [Int]) -> [Int] {
        let rank = outShape.count
        let padded = [Int](repeating: 1, count: rank - shape.count) + shape
        let inStrides = Shapes.strides(padded)
        let count = outShape.reduce(1, *)
        var result = [Int](repeating: 0, count: count)
        var coord = [Int](repeating: 0, count: rank)
        for i in 0..<count {
            var offset = 0
            for d in 0..<rank where padded[d] != 1 { offset += coord[d] * inStrides[d] }
            result[i] = offset
            var d = rank - 1
            while d >= 0 {
                coord[d] += 1
                if coord[d] < outShape[d] { break }
                coord[d] = 0
                d -= 1
            }
        }
        return result
    }
}
