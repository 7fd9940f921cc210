import IR

extension MaxPool: ReferenceKernel {
    /// One output element at a time: the maximum over the taps inside the input.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let x = inputs[0]
        let y = Tensor(zeros: outputTypes[0])
        let (h, w) = (x.shape[2], x.shape[3])
        let (oh, ow) = (y.shape[2], y.shape[3])
        let (kh, kw) = (window.kernel[0], window.kernel[1])
        let (sh, sw) = (window.strides[0], window.strides[1])
        let (dh, dw) = (window.dilations[0], window.dilations[1])
        let (top, left) = (window.pads[0], window.pads[1])
        let xs = x.floats, ys = y.mutableFloats
        for plane in 0..<x.shape[0] * x.shape[1] {
            let xPlane = plane * h * w
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var best = -Float.infinity
                    for ky in 0..<kh {
                        let iy = oy * sh + ky * dh - top
                        guard iy >= 0, iy < h else { continue }
                        for kx in 0..<kw {
                            let ix = ox * sw + kx * dw - left
                            guard ix >= 0, ix < w else { continue }
                            best = max(best, xs[xPlane + iy * w + ix])
                        }
                    }
                    ys[(plane * oh + oy) * ow + ox] = best
                }
            }
        }
        return [y]
    }
}
