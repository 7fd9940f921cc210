import IR
import Foundation

extension Softmax: ReferenceKernel {
    /// X viewed as [outer, count, inner] where `count` spans `axes`: for each (outer, inner) pair,
    /// subtract the max, exponentiate, divide by the sum.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let x = inputs[0]
        let y = Tensor(zeros: outputTypes[0])
        let shape = x.shape
        let first = axes[0], end = axes[0] + axes.count
        let outer = shape[..<first].reduce(1, *)
        let count = shape[first..<end].reduce(1, *)
        let inner = shape[end...].reduce(1, *)
        let xs = x.floats, ys = y.mutableFloats
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * count * inner + i
                var largest = -Float.infinity
                for c in 0..<count { largest = max(largest, xs[base + c * inner]) }
                var sum: Float = 0
                for c in 0..<count {
                    let e = exp(xs[base + c * inner] - largest)
                    ys[base + c * inner] = e
                    sum += e
                }
                for c in 0..<count { ys[base + c * inner] /= sum }
            }
        }
        return [y]
    }
}
