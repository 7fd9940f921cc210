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
}
