import IR

extension SqueezeExcite: ReferenceKernel {
    /// Per image: the channel means (summed in Double, like GlobalAveragePool), the two small
    /// fully connected layers with their activations (taps in channel order, then the bias, like a
    /// 1×1 Conv), then every plane scaled by its channel's gate.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let x = inputs[0]
        let y = Tensor(zeros: outputTypes[0])
        let (w1, b1, w2, b2) = (inputs[1].floats, inputs[2].floats, inputs[3].floats, inputs[4].floats)
        let (channels, reduced) = (x.shape[1], inputs[1].shape[0])
        let plane = x.shape[2] * x.shape[3]
        let xs = x.floats, ys = y.mutableFloats
        var squeezed = [Float](repeating: 0, count: channels)
        var hidden = [Float](repeating: 0, count: reduced)
        for n in 0..<x.shape[0] {
            let image = n * channels * plane
            for c in 0..<channels {
                var sum: Double = 0
                for i in image + c * plane..<image + (c + 1) * plane { sum += Double(xs[i]) }
                squeezed[c] = Float(sum / Double(plane))
            }
            for r in 0..<reduced {
                var t: Float = 0
                for c in 0..<channels { t += w1[r * channels + c] * squeezed[c] }
                hidden[r] = activation.apply(b1[r] + t)
            }
            for c in 0..<channels {
                var e: Float = 0
                for r in 0..<reduced { e += w2[c * reduced + r] * hidden[r] }
                let g = gate.apply(b2[c] + e)
                for i in image + c * plane..<image + (c + 1) * plane { ys[i] = xs[i] * g }
            }
        }
        return [y]
    }
}
