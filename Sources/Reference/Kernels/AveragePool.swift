import IR

extension AveragePool: ReferenceKernel {
    /// One output element at a time: sum the taps inside the input, divide by the tap count the
    /// doc comment of `AveragePool` defines.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let x = inputs[0]
        let y = Tensor(zeros: outputTypes[0])
        let (h, w) = (x.shape[2], x.shape[3])
        let (oh, ow) = (y.shape[2], y.shape[3])
        let (kh, kw) = (window.kernel[0], window.kernel[1])
        let (sh, sw) = (window.strides[0], window.strides[1])
        let (dh, dw) = (window.dilations[0], window.dilations[1])
        let (top, left, bottom, right) = (window.pads[0], window.pads[1], window.pads[2], window.pads[3])
        let xs = x.floats, ys = y.mutableFloats
        for plane in 0..<x.shape[0] * x.shape[1] {
            let xPlane = plane * h * w
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var sum: Float = 0
                    var inside = 0, insidePadded = 0
                    for ky in 0..<kh {
                        let iy = oy * sh + ky * dh - top
                        guard iy >= -top, iy < h + bottom else { continue }
                        for kx in 0..<kw {
                            let ix = ox * sw + kx * dw - left
                            guard ix >= -left, ix < w + right else { continue }
                            insidePadded += 1
                            if iy >= 0, iy < h, ix >= 0, ix < w {
                                sum += xs[xPlane + iy * w + ix]
                                inside += 1
                            }
                        }
                    }
                    let count = countIncludePad ? insidePadded : inside
                    ys[(plane * oh + oy) * ow + ox] = count > 0 ? sum / Float(count) : 0
                }
            }
        }
        return [y]
    }
}
