import IR

extension Conv: ReferenceKernel {
    /// Direct convolution, one output element at a time, zero padding outside the input.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let x = inputs[0], w = inputs[1]
        let y = Tensor(zeros: outputTypes[0])
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (m, cg, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        let (oh, ow) = (y.shape[2], y.shape[3])
        let mPerGroup = m / group
        let xs = x.floats, ws = w.floats, ys = y.mutableFloats
        let bias = inputs.count > 2 ? inputs[2].floats : nil
        for b in 0..<n {
            for oc in 0..<m {
                let g = oc / mPerGroup
                let initial = bias?[oc] ?? 0
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var sum: Float = 0
                        for ic in 0..<cg {
                            let xChannel = (b * c + g * cg + ic) * h
                            let wBase = (oc * cg + ic) * kh
                            for ky in 0..<kh {
                                let iy = oy * strides[0] + ky * dilations[0] - pads[0]
                                if iy < 0 || iy >= h { continue }
                                let xRow = (xChannel + iy) * wd
                                let wRow = (wBase + ky) * kw
                                for kx in 0..<kw {
                                    let ix = ox * strides[1] + kx * dilations[1] - pads[1]
                                    if ix < 0 || ix >= wd { continue }
                                    sum += xs[xRow + ix] * ws[wRow + kx]
                                }
                            }
                        }
                        ys[((b * m + oc) * oh + oy) * ow + ox] = initial + sum
                    }
                }
            }
        }
        return [y]
    }
}
