import IR

extension SqueezeExcite: ReferenceKernel {
    /// The gate (see `gate(_:_:)`), then every plane scaled by its channel's gate.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let gates = Self.gate(inputs, activation: activation, gate: gate)
        return [Self.scale(inputs[0], byGate: gates)]
    }

    /// Per image: the channel means (summed in Double, like GlobalAveragePool), then the two small
    /// fully connected layers with their activations (taps in channel order, then the bias, like a
    /// 1×1 Conv). Inputs X, W1, B1, W2, B2; the result is [N, C, 1, 1].
    static func gate(_ inputs: [Tensor], activation: Activation, gate: Activation) -> Tensor {
        let x = inputs[0]
        let (w1, b1, w2, b2) = (inputs[1].floats, inputs[2].floats, inputs[3].floats, inputs[4].floats)
        let (images, channels, reduced) = (x.shape[0], x.shape[1], inputs[1].shape[0])
        let plane = x.shape[2] * x.shape[3]
        let g = Tensor(zeros: TensorType(.float32, [images, channels, 1, 1]))
        let xs = x.floats, gs = g.mutableFloats
        var squeezed = [Float](repeating: 0, count: channels)
        var hidden = [Float](repeating: 0, count: reduced)
        for n in 0..<images {
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
                gs[n * channels + c] = gate.apply(b2[c] + e)
            }
        }
        return g
    }

    /// X [N, C, H, W] with every plane multiplied by its gate G [N, C, 1, 1].
    static func scale(_ x: Tensor, byGate g: Tensor) -> Tensor {
        let y = Tensor(zeros: x.type)
        let (images, channels) = (x.shape[0], x.shape[1]), plane = x.shape[2] * x.shape[3]
        let xs = x.floats, gs = g.floats, ys = y.mutableFloats
        for n in 0..<images {
            for c in 0..<channels {
                let scale = gs[n * channels + c], start = (n * channels + c) * plane
                for i in start..<start + plane { ys[i] = xs[i] * scale }
            }
        }
        return y
    }
}

extension SqueezeExciteGate: ReferenceKernel {
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        [SqueezeExcite.gate(inputs, activation: activation, gate: gate)]
    }
}
