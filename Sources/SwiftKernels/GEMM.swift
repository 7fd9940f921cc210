/// Kiln's f32 kernels in Swift, one static function per kernel-catalog entry, named and labelled
/// exactly as the catalog (and the C library, `kiln_kernels.h`) has them, reading the same packed
/// weights (`kiln_pack.c`). `V` is the target's vector (see `KilnVector`); the generated program
/// calls `KilnKernels<KilnTarget>.f32_gemm_bias_act(p: 3136, k: 16, …)`.
public enum KilnKernels<V: KilnVector> {}

extension KilnKernels {
    /// C[p][n] = act(bias[n] + Σk A[p][k]·W[k][n]) (+ R[p][n]): 1×1 convs over NHWC rows and fully
    /// connected layers. `packed` is `kiln_pack_gemm_f32`'s layout: per panel of 16 output columns,
    /// 16 biases then K rows of 16 weights. R (nil for none) is added after the activation and may
    /// equal C (every element is read before it is written). Rows go in blocks of the main tile
    /// (12 on AVX-512, 6 otherwise), then 6/4/2/1-row remainders; each block walks every column.
    @inline(never)
    public static func f32_gemm_bias_act(p: Int, k: Int, n: Int, a: UnsafePointer<Float>, lda: Int,
                                         packed: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
                                         r: UnsafePointer<Float>?, ldr: Int, act: KilnActivation) {
        let main: Int = gemmRowTile
        var i: Int = 0
        while i + main <= p {
            columns(rows: main, k: k, n: n, a: a + i * lda, lda: lda, packed: packed, c: c + i * ldc, ldc: ldc,
                    r: r.map { $0 + i * ldr }, ldr: ldr, act: act)
            i += main
        }
        // The remainder (fewer than `main` rows) as 6-, 4-, 2- and 1-row blocks: at most four more tile shapes.
        for rows in 0..<4 {
            let size: Int = rows == 0 ? 6 : 4 >> (rows - 1)
            guard size < main, p - i >= size else { continue }
            columns(rows: size, k: k, n: n, a: a + i * lda, lda: lda, packed: packed, c: c + i * ldc, ldc: ldc,
                    r: r.map { $0 + i * ldr }, ldr: ldr, act: act)
            i += size
        }
    }

    /// `rows` rows of A against every column, two vector columns at a time.
    static func columns(rows: Int, k: Int, n: Int, a: UnsafePointer<Float>, lda: Int, packed: UnsafePointer<Float>,
                        c: UnsafeMutablePointer<Float>, ldc: Int, r: UnsafePointer<Float>?, ldr: Int, act: KilnActivation) {
        let wps: Int = kilnPanel * (k + 1)
        var col: Int = 0
        while col < n {
            let w0: UnsafePointer<Float> = packed + (col / kilnPanel) * wps + col % kilnPanel
            let n0: Int = Swift.min(V.lanes, n - col)
            let next: Int = col + V.lanes
            let n1: Int = next < n ? Swift.min(V.lanes, n - next) : 0
            let w1: UnsafePointer<Float> = n1 > 0 ? packed + (next / kilnPanel) * wps + next % kilnPanel : w0
            let cc: UnsafeMutablePointer<Float> = c + col
            let rc: UnsafePointer<Float>? = r.map { $0 + col }
            switch rows {
            case 12: tile12(k: k, a: a, lda: lda, w0: w0, w1: w1, n0: n0, n1: n1, c: cc, ldc: ldc, r: rc, ldr: ldr, act: act)
            case 6: tile6(k: k, a: a, lda: lda, w0: w0, w1: w1, n0: n0, n1: n1, c: cc, ldc: ldc, r: rc, ldr: ldr, act: act)
            case 4: tile4(k: k, a: a, lda: lda, w0: w0, w1: w1, n0: n0, n1: n1, c: cc, ldc: ldc, r: rc, ldr: ldr, act: act)
            case 2: tile2(k: k, a: a, lda: lda, w0: w0, w1: w1, n0: n0, n1: n1, c: cc, ldc: ldc, r: rc, ldr: ldr, act: act)
            default: tile1(k: k, a: a, lda: lda, w0: w0, w1: w1, n0: n0, n1: n1, c: cc, ldc: ldc, r: rc, ldr: ldr, act: act)
            }
            col += 2 * V.lanes
        }
    }

    /// dst = the packed GEMM weight `src` with row kk scaled by g[kk] (biases unchanged).
    public static func scalePackedRows(k: Int, n: Int, src: UnsafePointer<Float>, g: UnsafePointer<Float>,
                                       dst: UnsafeMutablePointer<Float>) {
        let panels: Int = (n + kilnPanel - 1) / kilnPanel
        for j in 0..<panels {
            let s: UnsafePointer<Float> = src + j * kilnPanel * (k + 1)
            let d: UnsafeMutablePointer<Float> = dst + j * kilnPanel * (k + 1)
            for v in stride(from: 0, to: kilnPanel, by: V.lanes) { V.load(s + v).store(d + v) }
            for kk in 0..<k {
                let gv: V = V.splat(g[kk])
                let row: Int = kilnPanel * (kk + 1)
                for v in stride(from: 0, to: kilnPanel, by: V.lanes) { (gv * V.load(s + row + v)).store(d + row + v) }
            }
        }
    }

    /// Whether the gated GEMM scales its activations (hw rows of K) rather than its packed weight:
    /// whichever is smaller (the C library's `kiln_gemm_gate_scales_a_`). A function of the shape
    /// only, so every split of the work takes the same path.
    static func gateScalesActivations(hw: Int, k: Int, n: Int) -> Bool {
        hw * k < (n + kilnPanel - 1) / kilnPanel * kilnPanel * (k + 1)
    }

    /// dst[q][kk] = a[q][kk]·g[kk] for rows q < rows, kk < k (row strides lda and ldd): rows scaled per
    /// channel, the squeeze-excite multiply (the C library's `kiln_f32_scale_rows`). dst may equal a
    /// when ldd == lda.
    static func scaleRows(rows: Int, k: Int, a: UnsafePointer<Float>, lda: Int, g: UnsafePointer<Float>,
                          dst: UnsafeMutablePointer<Float>, ldd: Int) {
        for q in 0..<rows {
            var kk: Int = 0
            while kk < k {
                let lanes: Int = Swift.min(V.lanes, k - kk)
                (V.load(a + q * lda + kk, count: lanes) * V.load(g + kk, count: lanes)).store(dst + q * ldd + kk, count: lanes)
                kk += V.lanes
            }
        }
    }

    /// The squeeze-excite-gated 1×1 conv: per image b, the GEMM of A[b] scaled per input channel by
    /// gate[b]. The gate goes into `scratch` on the smaller operand: the activations (hw·K multiplies,
    /// the ONNX graph's own Mul) or the packed weight (K·N), against hw·K·N for the GEMM.
    @inline(never)
    public static func f32_gemm_gated_bias_act(images: Int, hw: Int, k: Int, n: Int, a: UnsafePointer<Float>, lda: Int,
                                               gate: UnsafePointer<Float>, packed: UnsafePointer<Float>,
                                               scratch: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>,
                                               ldc: Int, r: UnsafePointer<Float>?, ldr: Int, act: KilnActivation) {
        let scalesA: Bool = gateScalesActivations(hw: hw, k: k, n: n)
        for b in 0..<images {
            if scalesA {
                scaleRows(rows: hw, k: k, a: a + b * hw * lda, lda: lda, g: gate + b * k, dst: scratch, ldd: k)
                f32_gemm_bias_act(p: hw, k: k, n: n, a: UnsafePointer(scratch), lda: k, packed: packed,
                                  c: c + b * hw * ldc, ldc: ldc, r: r.map { $0 + b * hw * ldr }, ldr: ldr, act: act)
            } else {
                scalePackedRows(k: k, n: n, src: packed, g: gate + b * k, dst: scratch)
                f32_gemm_bias_act(p: hw, k: k, n: n, a: a + b * hw * lda, lda: lda, packed: UnsafePointer(scratch),
                                  c: c + b * hw * ldc, ldc: ldc, r: r.map { $0 + b * hw * ldr }, ldr: ldr, act: act)
            }
        }
    }
}
