import KilnKernels
import SwiftKernels
import Testing

/// The Swift twin of the expand + depthwise fusion against the C kernel (`kilnc_f32_expand_dwconv_bias_act`,
/// itself checked bit for bit against the unfused pair in the C harness), at every vector width.
extension SwiftKernelsTests {
    @Test(arguments: widths) func expandDepthwise(width: String) {
        switch width {
        case "SIMD16": Self.expandDepthwise(SIMD16<Float>.self)
        case "SIMD8": Self.expandDepthwise(SIMD8<Float>.self)
        default: Self.expandDepthwise(Float.self)
        }
    }

    static func expandDepthwise<V: KilnVector>(_: V.Type) {
        // (n, h, w, cin, c, k, stride, pt, pl, pb, pr): one band with channel remainders and stride 2 with
        // TensorFlow's asymmetric pads; rows wide enough for bands of 2 and 3 rows, the rows between them kept.
        let cases = [(2, 9, 11, 5, 19, 3, 2, 0, 0, 1, 1), (1, 12, 7, 16, 40, 5, 1, 2, 2, 2, 2),
                     (1, 17, 150, 16, 130, 3, 1, 1, 1, 1, 1), (2, 11, 120, 8, 100, 5, 2, 1, 1, 2, 2)]
        for (index, (n, h, w, cin, c, k, s, pt, pl, pb, pr)) in cases.enumerated() {
            let oh = (h + pt + pb - k) / s + 1, ow = (w + pl + pr - k) / s + 1
            let input = values(n * h * w * cin, seed: 20), we = values(c * cin, seed: 21), be = values(c, seed: 22)
            let wd = values(c * k * k, seed: 23), bd = values(c, seed: 24)
            var packedExpand = [Float](repeating: .nan, count: kiln_pack_gemm_f32_floats(cin, c))
            var packed = [Float](repeating: .nan, count: kiln_pack_dwconv_f32_floats(c, k, k))
            kiln_pack_gemm_f32(cin, c, we, 1, cin, be, &packedExpand)
            kiln_pack_dwconv_f32(c, k, k, wd, bd, &packed)
            let floats = KilnKernels<V>.expandDepthwiseScratchFloats(h: h, w: w, c: c, oh: oh, kh: k, sh: s, dh: 1)
            #expect(floats == kiln_expand_dwconv_scratch_floats(h, w, c, oh, k, s, 1), "scratch size of case \(index)")
            var scratch = [Float](repeating: .nan, count: floats)
            let (swiftExpand, cExpand) = activations[(index + 3) % activations.count]
            let (swiftAct, cAct) = activations[index % activations.count]
            var want = [Float](repeating: .nan, count: n * oh * ow * c), got = want
            kilnc_f32_expand_dwconv_bias_act(n, h, w, cin, input, c, packedExpand, cExpand, oh, ow, k, k, s, s, 1, 1, pt, pl,
                                             packed, &want, cAct, &scratch)
            KilnKernels<V>.f32_expand_dwconv_bias_act(n: n, h: h, w: w, cin: cin, in: input, c: c, packed_expand: packedExpand,
                                                      act_expand: swiftExpand, oh: oh, ow: ow, kh: k, kw: k, sh: s, sw: s,
                                                      dh: 1, dw: 1, pt: pt, pl: pl, packed: packed, out: &got, act: swiftAct,
                                                      scratch: &scratch)
            expectClose(got, want, "\(V.self) expand + depthwise case \(index)")
            // The band entry point over two uneven parts of the first image equals the whole.
            var parts = [Float](repeating: .nan, count: oh * ow * c)
            for (oy0, oy1) in [(0, oh / 3), (oh / 3, oh)] {
                KilnKernels<V>.f32_expand_dwconv_band(h: h, w: w, cin: cin, in: input, c: c, packed_expand: packedExpand,
                                                      act_expand: swiftExpand, oh: oh, ow: ow, kh: k, kw: k, sh: s, sw: s,
                                                      dh: 1, dw: 1, pt: pt, pl: pl, packed: packed, out: &parts, act: swiftAct,
                                                      oy0: oy0, oy1: oy1, scratch: &scratch)
            }
            #expect(parts == Array(got.prefix(oh * ow * c)), "\(V.self) expand + depthwise case \(index) in two parts")
        }
    }

    @Test(arguments: widths) func stemDepthwise(width: String) {
        switch width {
        case "SIMD16": Self.stemDepthwise(SIMD16<Float>.self)
        case "SIMD8": Self.stemDepthwise(SIMD8<Float>.self)
        default: Self.stemDepthwise(Float.self)
        }
    }

    /// The stem's direct conv + depthwise fusion against the Swift direct conv then depthwise conv through the
    /// whole conv output, bit for bit (the fusion calls both on sub-ranges of rows), NCHW and NHWC input.
    static func stemDepthwise<V: KilnVector>(_: V.Type) {
        // (n, h, w, cin, nchw, c, conv k, conv stride, conv pads top/left, depthwise k, stride): B0's stem geometry,
        // TensorFlow's "same" pads (none top/left), and rows wide enough for several bands (40 output rows in bands
        // of 18, 20 in bands of 11).
        let cases = [(1, 32, 32, 3, true, 32, 3, 2, 1, 3, 1), (2, 15, 17, 3, false, 20, 3, 2, 0, 5, 2),
                     (1, 80, 300, 3, true, 32, 3, 2, 1, 3, 1), (2, 40, 260, 3, false, 48, 3, 2, 0, 5, 1)]
        for (index, (n, h, w, cin, nchw, c, ck, cs, cp, k, s)) in cases.enumerated() {
            let eh = (h + cp + (ck - 1) / 2 - ck) / cs + 1, ew = (w + cp + (ck - 1) / 2 - ck) / cs + 1
            let pb = (k - 1) / 2, pt = s == 2 ? pb - 1 : pb
            let oh = (eh + pt + pb - k) / s + 1, ow = (ew + pt + pb - k) / s + 1
            let (isn, isc, ish, isw) = nchw ? (cin * h * w, h * w, w, 1) : (cin * h * w, 1, w * cin, cin)
            let input = values(n * cin * h * w, seed: 30), wc = values(c * cin * ck * ck, seed: 31), bc = values(c, seed: 32)
            let wd = values(c * k * k, seed: 33), bd = values(c, seed: 34)
            var packedConv = [Float](repeating: .nan, count: kiln_pack_conv_f32_floats(c, cin, ck, ck))
            var packed = [Float](repeating: .nan, count: kiln_pack_dwconv_f32_floats(c, k, k))
            kiln_pack_conv_f32(c, cin, ck, ck, wc, bc, &packedConv)
            kiln_pack_dwconv_f32(c, k, k, wd, bd, &packed)
            let (swiftConv, _) = activations[(index + 3) % activations.count], (swiftAct, _) = activations[index % activations.count]
            var conv = [Float](repeating: .nan, count: n * eh * ew * c), want = [Float](repeating: .nan, count: n * oh * ow * c)
            KilnKernels<V>.f32_conv_direct_bias_act(n: n, cin: cin, h: h, w: w, in: input, isn: isn, isc: isc, ish: ish, isw: isw,
                                                    cout: c, oh: eh, ow: ew, kh: ck, kw: ck, sh: cs, sw: cs, dh: 1, dw: 1, pt: cp,
                                                    pl: cp, packed: packedConv, out: &conv, act: swiftConv)
            KilnKernels<V>.f32_dwconv_bias_act(n: n, h: eh, w: ew, c: c, in: conv, oh: oh, ow: ow, kh: k, kw: k, sh: s, sw: s,
                                               dh: 1, dw: 1, pt: pt, pl: pt, packed: packed, out: &want, act: swiftAct)
            var scratch = [Float](repeating: .nan, count: kiln_expand_dwconv_scratch_floats(eh, ew, c, oh, k, s, 1))
            var got = [Float](repeating: .nan, count: n * oh * ow * c)
            KilnKernels<V>.f32_conv_dwconv_bias_act(n: n, cin: cin, h: h, w: w, in: input, isn: isn, isc: isc, ish: ish, isw: isw,
                                                    c: c, packed_conv: packedConv, ckh: ck, ckw: ck, csh: cs, csw: cs, cdh: 1,
                                                    cdw: 1, cpt: cp, cpl: cp, act_conv: swiftConv, eh: eh, ew: ew, oh: oh, ow: ow,
                                                    kh: k, kw: k, sh: s, sw: s, dh: 1, dw: 1, pt: pt, pl: pt, packed: packed,
                                                    out: &got, act: swiftAct, scratch: &scratch)
            #expect(got == want, "\(V.self) stem + depthwise case \(index)")
            // The band entry point over two uneven parts of the last image equals the whole.
            let last = (n - 1) * oh * ow * c
            var parts = [Float](repeating: .nan, count: oh * ow * c)
            for (oy0, oy1) in [(0, oh / 3), (oh / 3, oh)] {
                KilnKernels<V>.f32_conv_dwconv_band(cin: cin, h: h, w: w, in: Array(input[((n - 1) * isn)...]), isc: isc, ish: ish,
                                                    isw: isw, c: c, packed_conv: packedConv, ckh: ck, ckw: ck, csh: cs,
                                                    csw: cs, cdh: 1, cdw: 1, cpt: cp, cpl: cp, act_conv: swiftConv, eh: eh,
                                                    ew: ew, oh: oh, ow: ow, kh: k, kw: k, sh: s, sw: s, dh: 1, dw: 1,
                                                    pt: pt, pl: pt, packed: packed, out: &parts, act: swiftAct, oy0: oy0,
                                                    oy1: oy1, scratch: &scratch)
            }
            #expect(parts == Array(want[last...]), "\(V.self) stem + depthwise case \(index) in two parts")
        }
    }

    @Test(arguments: widths) func depthwiseProject(width: String) {
        switch width {
        case "SIMD16": Self.depthwiseProject(SIMD16<Float>.self)
        case "SIMD8": Self.depthwiseProject(SIMD8<Float>.self)
        default: Self.depthwiseProject(Float.self)
        }
    }

    /// The whole block (expand, depthwise and project, with or without the residual) against the Swift expand +
    /// depthwise fusion then the Swift GEMM through the whole depthwise output, bit for bit (the fusion runs the
    /// same kernels on sub-ranges of rows); then the stem with the first block's project conv the same way.
    static func depthwiseProject<V: KilnVector>(_: V.Type) {
        // (n, h, w, cin, c, k, stride, pt, pb, cout, residual): channel remainders, TensorFlow's stride-2 pads, rows
        // wide enough for several bands, a projection to 24 channels (16 + 8) and to 7.
        let cases = [(2, 9, 11, 5, 19, 3, 2, 0, 1, 7, false), (1, 17, 150, 16, 130, 3, 1, 1, 1, 24, true),
                     (2, 11, 120, 8, 100, 5, 2, 1, 2, 24, false)]
        for (index, (n, h, w, cin, c, k, s, pt, pb, cout, hasResidual)) in cases.enumerated() {
            let oh = (h + pt + pb - k) / s + 1, ow = (w + pt + pb - k) / s + 1
            let input = values(n * h * w * cin, seed: 40), we = values(c * cin, seed: 41), be = values(c, seed: 42)
            let wd = values(c * k * k, seed: 43), bd = values(c, seed: 44), wp = values(cout * c, seed: 45)
            let bp = values(cout, seed: 46), residual = values(n * oh * ow * cout, seed: 47)
            var packedExpand = [Float](repeating: .nan, count: kiln_pack_gemm_f32_floats(cin, c))
            var packed = [Float](repeating: .nan, count: kiln_pack_dwconv_f32_floats(c, k, k))
            var packedProject = [Float](repeating: .nan, count: kiln_pack_gemm_f32_floats(c, cout))
            kiln_pack_gemm_f32(cin, c, we, 1, cin, be, &packedExpand)
            kiln_pack_dwconv_f32(c, k, k, wd, bd, &packed)
            kiln_pack_gemm_f32(c, cout, wp, 1, c, bp, &packedProject)
            let floats = KilnKernels<V>.dwconvProjectScratchFloats(h: h, w: w, c: c, oh: oh, ow: ow, kh: k, sh: s, dh: 1)
            #expect(floats == kiln_dwconv_project_scratch_floats(h, w, c, oh, ow, k, s, 1), "scratch size of case \(index)")
            var scratch = [Float](repeating: .nan, count: floats)
            let (swiftExpand, _) = activations[(index + 3) % activations.count], (swiftAct, _) = activations[index % activations.count]
            let (swiftProject, _) = activations[(index + 1) % activations.count]
            var d = [Float](repeating: .nan, count: n * oh * ow * c), want = [Float](repeating: .nan, count: n * oh * ow * cout)
            KilnKernels<V>.f32_expand_dwconv_bias_act(n: n, h: h, w: w, cin: cin, in: input, c: c, packed_expand: packedExpand,
                                                      act_expand: swiftExpand, oh: oh, ow: ow, kh: k, kw: k, sh: s, sw: s,
                                                      dh: 1, dw: 1, pt: pt, pl: pt, packed: packed, out: &d, act: swiftAct,
                                                      scratch: &scratch)
            KilnKernels<V>.f32_gemm_bias_act(p: n * oh * ow, k: c, n: cout, a: d, lda: c, packed: packedProject, c: &want,
                                             ldc: cout, r: hasResidual ? residual : nil, ldr: cout, act: swiftProject)
            var got = [Float](repeating: .nan, count: n * oh * ow * cout)
            KilnKernels<V>.f32_expand_dwconv_project_bias_act(
                n: n, h: h, w: w, cin: cin, in: input, c: c, packed_expand: packedExpand, act_expand: swiftExpand, oh: oh,
                ow: ow, kh: k, kw: k, sh: s, sw: s, dh: 1, dw: 1, pt: pt, pl: pt, packed: packed, act: swiftAct, cout: cout,
                packed_project: packedProject, out: &got, r: hasResidual ? residual : nil, act_project: swiftProject,
                scratch: &scratch)
            #expect(got == want, "\(V.self) expand + depthwise + project case \(index)")
            // The band entry point over two uneven parts of the first image equals the whole.
            var parts = [Float](repeating: .nan, count: oh * ow * cout)
            for (oy0, oy1) in [(0, oh / 3), (oh / 3, oh)] {
                KilnKernels<V>.f32_expand_dwconv_project_band(
                    h: h, w: w, cin: cin, in: input, c: c, packed_expand: packedExpand, act_expand: swiftExpand, oh: oh, ow: ow,
                    kh: k, kw: k, sh: s, sw: s, dh: 1, dw: 1, pt: pt, pl: pt, packed: packed, act: swiftAct, cout: cout,
                    packed_project: packedProject, out: &parts, r: hasResidual ? residual : nil, act_project: swiftProject,
                    oy0: oy0, oy1: oy1, scratch: &scratch)
            }
            #expect(parts == Array(want.prefix(oh * ow * cout)), "\(V.self) expand + depthwise + project case \(index) in two parts")
        }

        // The stem (3 NCHW channels, 3x3 stride 2) with the first depthwise conv and a projection 32 -> 16, rows
        // wide enough for several bands.
        let (n, h, w, c, cout) = (2, 60, 200, 32, 16), (eh, ew) = (30, 100)
        let input = values(n * 3 * h * w, seed: 50), wc = values(c * 27, seed: 51), bc = values(c, seed: 52)
        let wd = values(c * 9, seed: 53), bd = values(c, seed: 54), wp = values(cout * c, seed: 55), bp = values(cout, seed: 56)
        var packedConv = [Float](repeating: .nan, count: kiln_pack_conv_f32_floats(c, 3, 3, 3))
        var packed = [Float](repeating: .nan, count: kiln_pack_dwconv_f32_floats(c, 3, 3))
        var packedProject = [Float](repeating: .nan, count: kiln_pack_gemm_f32_floats(c, cout))
        kiln_pack_conv_f32(c, 3, 3, 3, wc, bc, &packedConv)
        kiln_pack_dwconv_f32(c, 3, 3, wd, bd, &packed)
        kiln_pack_gemm_f32(c, cout, wp, 1, c, bp, &packedProject)
        var scratch = [Float](repeating: .nan, count: kiln_dwconv_project_scratch_floats(eh, ew, c, eh, ew, 3, 1, 1))
        var d = [Float](repeating: .nan, count: n * eh * ew * c), want = [Float](repeating: .nan, count: n * eh * ew * cout)
        KilnKernels<V>.f32_conv_dwconv_bias_act(n: n, cin: 3, h: h, w: w, in: input, isn: 3 * h * w, isc: h * w, ish: w, isw: 1,
                                                c: c, packed_conv: packedConv, ckh: 3, ckw: 3, csh: 2, csw: 2, cdh: 1, cdw: 1,
                                                cpt: 0, cpl: 0, act_conv: .silu, eh: eh, ew: ew, oh: eh, ow: ew, kh: 3, kw: 3,
                                                sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pl: 1, packed: packed, out: &d, act: .silu,
                                                scratch: &scratch)
        KilnKernels<V>.f32_gemm_bias_act(p: n * eh * ew, k: c, n: cout, a: d, lda: c, packed: packedProject, c: &want, ldc: cout,
                                         r: nil, ldr: cout, act: .none)
        var got = [Float](repeating: .nan, count: n * eh * ew * cout)
        KilnKernels<V>.f32_conv_dwconv_project_bias_act(
            n: n, cin: 3, h: h, w: w, in: input, isn: 3 * h * w, isc: h * w, ish: w, isw: 1, c: c, packed_conv: packedConv,
            ckh: 3, ckw: 3, csh: 2, csw: 2, cdh: 1, cdw: 1, cpt: 0, cpl: 0, act_conv: .silu, eh: eh, ew: ew, oh: eh, ow: ew,
            kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pl: 1, packed: packed, act: .silu, cout: cout,
            packed_project: packedProject, out: &got, r: nil, act_project: .none, scratch: &scratch)
        #expect(got == want, "\(V.self) stem + depthwise + project")
    }
}
