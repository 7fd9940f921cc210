extension KilnKernels {
    /// out[i] = act(in[i]), i < n; out may equal in. With `.none`, the copy of a reshape.
    @inline(never)
    public static func f32_act(n: Int, in input: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, act: KilnActivation) {
        act.run(V.self, n: n, input: input, out: out, residual: nil)
    }

    /// out[i] = act(a[i] + b[i]), i < count: residual adds no conv absorbed. out may equal a or b.
    @inline(never)
    public static func f32_add_act(count: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                   out: UnsafeMutablePointer<Float>, act: KilnActivation) {
        var i: Int = 0
        while i + V.lanes <= count {
            (V.load(a + i) + V.load(b + i)).store(out + i)
            i += V.lanes
        }
        if i < count {
            let rest: Int = count - i
            (V.load(a + i, count: rest) + V.load(b + i, count: rest)).store(out + i, count: rest)
        }
        if act.kind != .none { act.run(V.self, n: count, input: out, out: out, residual: nil) }
    }

    /// out[b][ch] = (1/hw) Σp in[b][p][ch]: global average pool of NHWC images (n × hw × c).
    @inline(never)
    public static func f32_gavgpool_nhwc(n: Int, hw: Int, c: Int, in input: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
        gavgpoolChannels(n: n, hw: hw, c: c, channels: 0..<c, input: input, out: out)
    }

    /// The pool of `channels` only (its lower bound a multiple of the vector width): each channel's sum
    /// is the same arithmetic whatever the range.
    static func gavgpoolChannels(n: Int, hw: Int, c: Int, channels: Range<Int>, input: UnsafePointer<Float>,
                                 out: UnsafeMutablePointer<Float>) {
        let scale: V = V.splat(1.0 / Float(hw))
        for b in 0..<n {
            let ib: UnsafePointer<Float> = input + b * hw * c
            let o: UnsafeMutablePointer<Float> = out + b * c
            var cc: Int = channels.lowerBound
            while cc + 4 * V.lanes <= channels.upperBound {  // four independent sums per pass
                var s0: V = V.zero, s1: V = V.zero, s2: V = V.zero, s3: V = V.zero
                for p in 0..<hw {
                    let ip: UnsafePointer<Float> = ib + p * c + cc
                    s0 = s0 + V.load(ip)
                    s1 = s1 + V.load(ip + V.lanes)
                    s2 = s2 + V.load(ip + 2 * V.lanes)
                    s3 = s3 + V.load(ip + 3 * V.lanes)
                }
                (s0 * scale).store(o + cc)
                (s1 * scale).store(o + cc + V.lanes)
                (s2 * scale).store(o + cc + 2 * V.lanes)
                (s3 * scale).store(o + cc + 3 * V.lanes)
                cc += 4 * V.lanes
            }
            while cc < channels.upperBound {
                let lanes: Int = Swift.min(V.lanes, channels.upperBound - cc)
                var s: V = V.zero
                for p in 0..<hw { s = s + V.load(ib + p * c + cc, count: lanes) }
                (s * scale).store(o + cc, count: lanes)
                cc += V.lanes
            }
        }
    }

    /// The squeeze-excite gate of each image: gate[b] = gate_act(W2 · act1(W1 · mean_p(in[b][p]) + b1) + b2).
    /// `packed1` is the reduce FC's packed GEMM weight (K = c, N = cr), `packed2` the expand FC's
    /// (K = cr, N = c); scratch holds cr floats; gate is n × c.
    @inline(never)
    public static func f32_se_gate_nhwc(n: Int, hw: Int, c: Int, cr: Int, in input: UnsafePointer<Float>,
                                        packed1: UnsafePointer<Float>, act1: KilnActivation, packed2: UnsafePointer<Float>,
                                        gate_act: KilnActivation, scratch: UnsafeMutablePointer<Float>,
                                        gate: UnsafeMutablePointer<Float>) {
        for b in 0..<n {
            f32_gavgpool_nhwc(n: 1, hw: hw, c: c, in: input + b * hw * c, out: gate + b * c)
            seGateFCs(c: c, cr: cr, packed1: packed1, act1: act1, packed2: packed2, gate_act: gate_act, scratch: scratch, gate: gate + b * c)
        }
    }

    /// The gate's two FCs on one image's pooled channels, in place in `gate` (c floats).
    static func seGateFCs(c: Int, cr: Int, packed1: UnsafePointer<Float>, act1: KilnActivation, packed2: UnsafePointer<Float>,
                          gate_act: KilnActivation, scratch: UnsafeMutablePointer<Float>, gate: UnsafeMutablePointer<Float>) {
        f32_gemm_bias_act(p: 1, k: c, n: cr, a: gate, lda: c, packed: packed1, c: scratch, ldc: cr, r: nil, ldr: 0, act: act1)
        f32_gemm_bias_act(p: 1, k: cr, n: c, a: scratch, lda: cr, packed: packed2, c: gate, ldc: c, r: nil, ldr: 0, act: gate_act)
    }

    /// out[b][p][ch] = in[b][p][ch] · gate[b][ch]: the excite no conv absorbed. out may equal in.
    @inline(never)
    public static func f32_channel_scale_nhwc(n: Int, hw: Int, c: Int, in input: UnsafePointer<Float>,
                                              gate: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
        for b in 0..<n {
            scaleRows(rows: hw, k: c, a: input + b * hw * c, lda: c, g: gate + b * c, dst: out + b * hw * c, ldd: c)
        }
    }

    /// Softmax of each of `rows` rows of n floats: exp(x − max) / Σ exp(x − max). out may equal in.
    @inline(never)
    public static func f32_softmax(rows: Int, n: Int, in input: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let x: UnsafePointer<Float> = input + r * n
            let y: UnsafeMutablePointer<Float> = out + r * n
            var mx: Float = x[0]
            for i in 0..<n where x[i] > mx { mx = x[i] }
            let m: V = V.splat(mx)
            var s: V = V.zero
            var i: Int = 0
            while i + V.lanes <= n {
                let e: V = V.expNonPositive(V.load(x + i) - m)
                e.store(y + i)
                s = s + e
                i += V.lanes
            }
            var sum: Float = s.lanesSum
            while i < n {  // one lane at a time, so padding lanes add nothing to the sum
                let e: Float = Float.expNonPositive(x[i] - mx)
                y[i] = e
                sum += e
                i += 1
            }
            let inv: Float = 1 / sum
            for j in 0..<n { y[j] *= inv }
        }
    }

    /// NCHW (n × c × hw) → NHWC (n × hw × c).
    @inline(never)
    public static func f32_nchw_to_nhwc(n: Int, c: Int, hw: Int, in input: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
        transpose(n: n, rows: c, columns: hw, rowRange: 0..<c, columnRange: 0..<hw, input: input, out: out)
    }

    /// NHWC (n × hw × c) → NCHW (n × c × hw).
    @inline(never)
    public static func f32_nhwc_to_nchw(n: Int, c: Int, hw: Int, in input: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
        transpose(n: n, rows: hw, columns: c, rowRange: 0..<hw, columnRange: 0..<c, input: input, out: out)
    }

    /// out[b][j][i] = in[b][i][j] for n matrices of rows × columns, in 16 × 16 blocks so that both
    /// the reads and the writes stay in cache lines already loaded; only the elements in `rowRange` ×
    /// `columnRange` (the part forms' share).
    static func transpose(n: Int, rows: Int, columns: Int, rowRange: Range<Int>, columnRange: Range<Int>,
                          input: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
        let block: Int = 16
        for b in 0..<n {
            let src: UnsafePointer<Float> = input + b * rows * columns
            let dst: UnsafeMutablePointer<Float> = out + b * rows * columns
            for i0 in stride(from: rowRange.lowerBound, to: rowRange.upperBound, by: block) {
                let i1: Int = Swift.min(rowRange.upperBound, i0 + block)
                for j0 in stride(from: columnRange.lowerBound, to: columnRange.upperBound, by: block) {
                    let j1: Int = Swift.min(columnRange.upperBound, j0 + block)
                    for i in i0..<i1 {
                        for j in j0..<j1 { dst[j * rows + i] = src[i * columns + j] }
                    }
                }
            }
        }
    }
}
