import Catalog
import Codegen
import Foundation
import KilnKernels
import SwiftKernels
import Testing

/// The Swift kernel library (`Sources/SwiftKernels`, what `--backend swift` programs run) against the
/// C library's entry points (`kilnc_*`, themselves checked against naive loops in `KernelsTests` and
/// the C harness), at every vector width, on shapes that leave remainders everywhere: row tiles,
/// panels, vectors, interior blocks, borders.
@Suite struct SwiftKernelsTests {
    /// The targets' vectors, by name.
    static let widths = ["SIMD16", "SIMD8", "Float"]

    static func values(_ count: Int, seed: UInt64) -> [Float] { KernelsTests.values(count, seed: seed) }

    /// Max |y − ref| ≤ 1e-5 · (max |ref| + 1), and no NaN (every output element written).
    static func expectClose(_ y: [Float], _ ref: [Float], _ what: String) {
        let scale = ref.reduce(Float(0)) { max($0, abs($1)) } + 1
        let worst = zip(y, ref).map { abs($0 - $1) }.max() ?? 0
        #expect(y.count == ref.count && !y.contains { $0.isNaN } && worst <= 1e-5 * scale, "\(what): max error \(worst), scale \(scale)")
    }

    static var activations: [(KilnActivation, kiln_act)] { [
        (.none, kiln_act(kind: KILN_ACT_NONE, a: 0, b: 0)), (.relu, kiln_act(kind: KILN_ACT_RELU, a: 0, b: 0)),
        (.relu6, kiln_act(kind: KILN_ACT_RELU6, a: 0, b: 0)), (.silu, kiln_act(kind: KILN_ACT_SILU, a: 0, b: 0)),
        (.hardSwish, kiln_act(kind: KILN_ACT_HARDSWISH, a: 0, b: 0)), (.sigmoid, kiln_act(kind: KILN_ACT_SIGMOID, a: 0, b: 0)),
        (.hardSigmoid(0.2, 0.5), kiln_act(kind: KILN_ACT_HARDSIGMOID, a: 0.2, b: 0.5)),
        (.clip(-0.5, 0.75), kiln_act(kind: KILN_ACT_CLIP, a: -0.5, b: 0.75)),
    ] }

    @Test(arguments: widths) func gemmWithEpilogue(width: String) {
        switch width {
        case "SIMD16": Self.gemm(SIMD16<Float>.self)
        case "SIMD8": Self.gemm(SIMD8<Float>.self)
        default: Self.gemm(Float.self)
        }
    }

    static func gemm<V: KilnVector>(_: V.Type) {
        // p hits the 12/6/4/2/1-row tiles, n partial vectors and an odd number of panels.
        for (index, (p, k, n)) in [(1, 3, 1), (5, 16, 17), (15, 37, 33), (29, 8, 48), (31, 5, 40), (13, 1, 8)].enumerated() {
            let (swiftAct, cAct) = activations[index % activations.count]
            let a = values(p * k, seed: 1), w = values(n * k, seed: 2), bias = values(n, seed: 3), r = values(p * n, seed: 4)
            var packed = [Float](repeating: .nan, count: kiln_pack_gemm_f32_floats(k, n))
            kiln_pack_gemm_f32(k, n, w, 1, k, bias, &packed)
            var want = [Float](repeating: .nan, count: p * n), got = want, gotNoResidual = want, wantNoResidual = want
            kilnc_f32_gemm_bias_act(p, k, n, a, k, packed, &want, n, r, n, cAct)
            KilnKernels<V>.f32_gemm_bias_act(p: p, k: k, n: n, a: a, lda: k, packed: packed, c: &got, ldc: n, r: r, ldr: n, act: swiftAct)
            expectClose(got, want, "\(V.self) gemm \(p)x\(k)x\(n)")
            kilnc_f32_gemm_bias_act(p, k, n, a, k, packed, &wantNoResidual, n, nil, 0, cAct)
            KilnKernels<V>.f32_gemm_bias_act(p: p, k: k, n: n, a: a, lda: k, packed: packed, c: &gotNoResidual, ldc: n,
                                             r: nil, ldr: 0, act: swiftAct)
            expectClose(gotNoResidual, wantNoResidual, "\(V.self) gemm \(p)x\(k)x\(n) without residual")
        }
        // The gated GEMM, two images: the gate scales the activations (7 rows), then the weights (40 rows).
        for (images, hw, k, n) in [(2, 7, 19, 21), (2, 40, 9, 10)] {
            let a = values(images * hw * k, seed: 5), w = values(n * k, seed: 6), bias = values(n, seed: 7)
            let gate = values(images * k, seed: 8), r = values(images * hw * n, seed: 9)
            var packed = [Float](repeating: .nan, count: kiln_pack_gemm_f32_floats(k, n))
            kiln_pack_gemm_f32(k, n, w, 1, k, bias, &packed)
            var scratch = packed, want = [Float](repeating: .nan, count: images * hw * n), got = want
            kilnc_f32_gemm_gated_bias_act(images, hw, k, n, a, k, gate, packed, &scratch, &want, n, r, n, activations[3].1)
            KilnKernels<V>.f32_gemm_gated_bias_act(images: images, hw: hw, k: k, n: n, a: a, lda: k, gate: gate, packed: packed,
                                                   scratch: &scratch, c: &got, ldc: n, r: r, ldr: n, act: activations[3].0)
            expectClose(got, want, "\(V.self) gated gemm \(hw)x\(k)x\(n)")
        }
    }

    @Test(arguments: widths) func depthwise(width: String) {
        switch width {
        case "SIMD16": Self.depthwise(SIMD16<Float>.self)
        case "SIMD8": Self.depthwise(SIMD8<Float>.self)
        default: Self.depthwise(Float.self)
        }
    }

    static func depthwise<V: KilnVector>(_: V.Type) {
        // (h, w, c, k, stride, dilation, pt, pl, pb, pr): 3×3 and 5×5 fast paths with channel remainders and
        // interior blocks of four plus single pixels, asymmetric pads, another kernel size, a dilation.
        let cases = [(9, 11, 19, 3, 1, 1, 1, 1, 1, 1), (10, 13, 40, 3, 2, 1, 0, 1, 1, 0), (12, 14, 24, 5, 1, 1, 2, 2, 2, 2),
                     (11, 17, 35, 5, 2, 1, 1, 2, 2, 1), (7, 9, 9, 2, 1, 1, 0, 0, 1, 1), (9, 12, 16, 3, 1, 2, 2, 2, 2, 2)]
        for (index, (h, w, c, k, s, d, pt, pl, pb, pr)) in cases.enumerated() {
            let n = 2, span = (k - 1) * d + 1
            let oh = (h + pt + pb - span) / s + 1, ow = (w + pl + pr - span) / s + 1
            let input = values(n * h * w * c, seed: 10), weight = values(c * k * k, seed: 11), bias = values(c, seed: 12)
            var packed = [Float](repeating: .nan, count: kiln_pack_dwconv_f32_floats(c, k, k))
            kiln_pack_dwconv_f32(c, k, k, weight, bias, &packed)
            let (swiftAct, cAct) = activations[index % activations.count]
            var want = [Float](repeating: .nan, count: n * oh * ow * c), got = want
            kilnc_f32_dwconv_bias_act(n, h, w, c, input, oh, ow, k, k, s, s, d, d, pt, pl, packed, &want, cAct)
            KilnKernels<V>.f32_dwconv_bias_act(n: n, h: h, w: w, c: c, in: input, oh: oh, ow: ow, kh: k, kw: k, sh: s, sw: s,
                                               dh: d, dw: d, pt: pt, pl: pl, packed: packed, out: &got, act: swiftAct)
            expectClose(got, want, "\(V.self) depthwise case \(index)")
        }
    }

    @Test(arguments: widths) func convolutions(width: String) {
        switch width {
        case "SIMD16": Self.convolutions(SIMD16<Float>.self)
        case "SIMD8": Self.convolutions(SIMD8<Float>.self)
        default: Self.convolutions(Float.self)
        }
    }

    static func convolutions<V: KilnVector>(_: V.Type) {
        // The direct conv on NCHW and NHWC input: 35 output channels (a partial panel), rows with interior blocks
        // of eight and border pixels, stride 2.
        let (n, cin, h, w, cout, k, s, pt, pl) = (2, 3, 9, 23, 35, 3, 2, 0, 1)
        let oh = (h + pt + 1 - k) / s + 1, ow = (w + pl + 0 - k) / s + 1
        let input = values(n * cin * h * w, seed: 13), weight = values(cout * cin * k * k, seed: 14), bias = values(cout, seed: 15)
        var packed = [Float](repeating: .nan, count: kiln_pack_conv_f32_floats(cout, cin, k, k))
        kiln_pack_conv_f32(cout, cin, k, k, weight, bias, &packed)
        for (layout, strides) in [("NCHW", (cin * h * w, h * w, w, 1)), ("NHWC", (h * w * cin, 1, w * cin, cin))] {
            var want = [Float](repeating: .nan, count: n * oh * ow * cout), got = want
            kilnc_f32_conv_direct_bias_act(n, cin, h, w, input, strides.0, strides.1, strides.2, strides.3, cout, oh, ow, k, k,
                                           s, s, 1, 1, pt, pl, packed, &want, activations[2].1)
            KilnKernels<V>.f32_conv_direct_bias_act(n: n, cin: cin, h: h, w: w, in: input, isn: strides.0, isc: strides.1,
                                                    ish: strides.2, isw: strides.3, cout: cout, oh: oh, ow: ow, kh: k, kw: k,
                                                    sh: s, sw: s, dh: 1, dw: 1, pt: pt, pl: pl, packed: packed, out: &got,
                                                    act: activations[2].0)
            expectClose(got, want, "\(V.self) direct conv \(layout)")
        }
        // The generic conv: two groups, dilation 2, NCHW input.
        let (gin, gout, groups, gh, gw) = (6, 4, 2, 8, 7)
        let gx = values(n * gin * gh * gw, seed: 16), gwt = values(gout * (gin / groups) * 9, seed: 17), gb = values(gout, seed: 18)
        let goh = gh - 2, gow = gw - 2  // 3×3, dilation 2, pads 1
        var want = [Float](repeating: .nan, count: n * goh * gow * gout), got = want
        kilnc_f32_conv_generic_bias_act(n, gin, gh, gw, gx, gin * gh * gw, gh * gw, gw, 1, gout, goh, gow, 3, 3, 1, 1, 2, 2, 1, 1,
                                        groups, gwt, gb, &want, activations[4].1)
        KilnKernels<V>.f32_conv_generic_bias_act(n: n, cin: gin, h: gh, w: gw, in: gx, isn: gin * gh * gw, isc: gh * gw, ish: gw,
                                                 isw: 1, cout: gout, oh: goh, ow: gow, kh: 3, kw: 3, sh: 1, sw: 1, dh: 2, dw: 2,
                                                 pt: 1, pl: 1, groups: groups, weight: gwt, bias: gb, out: &got, act: activations[4].0)
        expectClose(got, want, "\(V.self) generic conv")
    }

    @Test(arguments: widths) func otherKernels(width: String) {
        switch width {
        case "SIMD16": Self.others(SIMD16<Float>.self)
        case "SIMD8": Self.others(SIMD8<Float>.self)
        default: Self.others(Float.self)
        }
    }

    static func others<V: KilnVector>(_: V.Type) {
        let K = KilnKernels<V>.self
        let (n, hw, c, cr) = (2, 7, 70, 9)
        let x = values(n * hw * c, seed: 20).map { $0 * 8 }, y = values(n * hw * c, seed: 21)
        func run(_ count: Int, _ what: String, _ c: (inout [Float]) -> Void, _ swift: (inout [Float]) -> Void) {
            var want = [Float](repeating: .nan, count: count), got = want
            c(&want)
            swift(&got)
            expectClose(got, want, "\(V.self) \(what)")
        }
        for (swiftAct, cAct) in activations {
            run(103, "act \(cAct.kind)", { kilnc_f32_act(103, x, &$0, cAct) }, { K.f32_act(n: 103, in: x, out: &$0, act: swiftAct) })
            run(103, "add \(cAct.kind)", { kilnc_f32_add_act(103, x, y, &$0, cAct) },
                { K.f32_add_act(count: 103, a: x, b: y, out: &$0, act: swiftAct) })
        }
        run(n * c, "global average pool", { kilnc_f32_gavgpool_nhwc(n, hw, c, x, &$0) },
            { K.f32_gavgpool_nhwc(n: n, hw: hw, c: c, in: x, out: &$0) })
        let gate = values(n * c, seed: 22)
        run(n * hw * c, "channel scale", { kilnc_f32_channel_scale_nhwc(n, hw, c, x, gate, &$0) },
            { K.f32_channel_scale_nhwc(n: n, hw: hw, c: c, in: x, gate: gate, out: &$0) })
        var packed1 = [Float](repeating: 0, count: kiln_pack_gemm_f32_floats(c, cr))
        var packed2 = [Float](repeating: 0, count: kiln_pack_gemm_f32_floats(cr, c))
        kiln_pack_gemm_f32(c, cr, values(cr * c, seed: 23), 1, c, values(cr, seed: 24), &packed1)
        kiln_pack_gemm_f32(cr, c, values(c * cr, seed: 25), 1, cr, values(c, seed: 26), &packed2)
        var scratch = [Float](repeating: 0, count: cr)
        run(n * c, "squeeze-excite gate", {
            kilnc_f32_se_gate_nhwc(n, hw, c, cr, x, packed1, activations[3].1, packed2, activations[6].1, &scratch, &$0)
        }, {
            K.f32_se_gate_nhwc(n: n, hw: hw, c: c, cr: cr, in: x, packed1: packed1, act1: activations[3].0, packed2: packed2,
                               gate_act: activations[6].0, scratch: &scratch, gate: &$0)
        })
        for (rows, length) in [(3, 1000), (2, 7), (1, 1)] {
            let logits = values(rows * length, seed: 27).map { $0 * 30 }
            run(rows * length, "softmax \(rows)x\(length)", { kilnc_f32_softmax(rows, length, logits, &$0) },
                { K.f32_softmax(rows: rows, n: length, in: logits, out: &$0) })
        }
        let (rc, rhw) = (19, 23)
        let t = values(n * rc * rhw, seed: 28)
        run(t.count, "NCHW to NHWC", { kilnc_f32_nchw_to_nhwc(n, rc, rhw, t, &$0) }, { K.f32_nchw_to_nhwc(n: n, c: rc, hw: rhw, in: t, out: &$0) })
        run(t.count, "NHWC to NCHW", { kilnc_f32_nhwc_to_nchw(n, rc, rhw, t, &$0) }, { K.f32_nhwc_to_nchw(n: n, c: rc, hw: rhw, in: t, out: &$0) })
        for copy in copies {
            run(copy.count, "copy \(copy.what)", {
                kilnc_copy_strided(4, copy.shape, t, copy.inAt, copy.is, &$0, copy.outAt, copy.os)
            }, {
                K.copy_strided(size: 4, shape: copy.shape.tuple, in: t, in_at: copy.inAt, is: copy.is.tuple, out: &$0, out_at: copy.outAt,
                               os: copy.os.tuple)
            })
        }
    }

    /// Copies of `copy_strided` over the 874 floats of `others`' tensor: one image of a batch (contiguous rows), a
    /// transpose (strided reads), a reversed window (negative strides), a broadcast (0 strides).
    static let copies: [(what: String, count: Int, shape: [Int], inAt: Int, is: [Int], outAt: Int, os: [Int])] = [
        ("slice of image 1", 437, [1, 1, 1, 1, 1, 437], 437, [0, 0, 0, 0, 0, 1], 0, [0, 0, 0, 0, 0, 1]),
        ("transpose 19x23", 437, [1, 1, 1, 1, 23, 19], 0, [0, 0, 0, 0, 1, 23], 0, [0, 0, 0, 0, 19, 1]),
        ("reversed rows", 110, [1, 1, 1, 1, 10, 11], 873, [0, 0, 0, 0, -23, -1], 0, [0, 0, 0, 0, 11, 1]),
        ("broadcast", 60, [1, 1, 1, 3, 4, 5], 7, [0, 0, 0, 0, 5, 1], 0, [0, 0, 0, 20, 5, 1]),
    ]

    @Test(arguments: widths) func partFormsMatchTheWholeKernels(width: String) {
        switch width {
        case "SIMD16": Self.parts(SIMD16<Float>.self)
        case "SIMD8": Self.parts(SIMD8<Float>.self)
        default: Self.parts(Float.self)
        }
    }

    /// A barrier of `parts` threads, for `ThreadPart`.
    final class Barrier: @unchecked Sendable {
        let parts: Int
        var waiting = 0, generation = 0
        let condition = NSCondition()
        init(_ parts: Int) { self.parts = parts }
        func wait() {
            condition.lock()
            let mine = generation
            waiting += 1
            if waiting == parts {
                waiting = 0
                generation += 1
                condition.broadcast()
            } else {
                while mine == generation { condition.wait() }
            }
            condition.unlock()
        }
    }

    /// One part of a test's parallel run: a thread of its own, like the program pool's.
    struct ThreadPart: KilnTask {
        let part: Int, parts: Int, barrier: Barrier
        func sync() { barrier.wait() }
    }

    struct UncheckedBox<T>: @unchecked Sendable { let value: T }

    /// `body` on `parts` threads at once, each with its part; returns when all have.
    static func runParts(_ parts: Int, _ body: @escaping (ThreadPart) -> Void) {
        let barrier = Barrier(parts), done = DispatchGroup(), box = UncheckedBox(value: body)
        for part in 0..<parts {
            done.enter()
            Thread { box.value(ThreadPart(part: part, parts: parts, barrier: barrier)); done.leave() }.start()
        }
        done.wait()
    }

    /// Every part form (what Swift programs call, Parallel.swift) at 1 to 5 parts on threads gives the
    /// whole kernel's bits: GEMM row chunks with a short last one, panel chunks (49 rows; one row), the
    /// gated GEMM's two phases, bands of rows across two images, channels, pixels, elements.
    static func parts<V: KilnVector>(_: V.Type) {
        let K = KilnKernels<V>.self
        func check(_ count: Int, _ what: String, whole: (UnsafeMutablePointer<Float>) -> Void,
                   part: @escaping (ThreadPart, UnsafeMutablePointer<Float>) -> Void) {
            let want = UnsafeMutablePointer<Float>.allocate(capacity: count), got = UnsafeMutablePointer<Float>.allocate(capacity: count)
            defer { want.deallocate(); got.deallocate() }
            want.initialize(repeating: .nan, count: count)
            whole(want)
            for parts in 1...5 {
                got.initialize(repeating: .nan, count: count)
                runParts(parts) { part($0, got) }
                let same = (0..<count).allSatisfy { got[$0].bitPattern == want[$0].bitPattern }
                #expect(same, "\(V.self) \(what) at \(parts) parts")
            }
        }
        for (p, k, n) in [(200, 8, 40), (49, 16, 200), (1, 24, 1000), (7, 5, 17)] {
            let a = values(p * k, seed: 30), r = values(p * n, seed: 31)
            var packed = [Float](repeating: .nan, count: kiln_pack_gemm_f32_floats(k, n))
            kiln_pack_gemm_f32(k, n, values(n * k, seed: 32), 1, k, values(n, seed: 33), &packed)
            check(p * n, "gemm \(p)x\(k)x\(n)", whole: {
                K.f32_gemm_bias_act(p: p, k: k, n: n, a: a, lda: k, packed: packed, c: $0, ldc: n, r: r, ldr: n, act: .silu)
            }, part: {
                K.f32_gemm_bias_act_part($0, p: p, k: k, n: n, a: a, lda: k, packed: packed, c: $1, ldc: n, r: r, ldr: n, act: .silu)
            })
        }
        // The gate on the activations (49 rows of 19 < the weight's 80 x 20 packed floats), then on the weight.
        for (images, hw, k, n) in [(2, 49, 19, 70), (2, 100, 19, 30)] {
            let a = values(images * hw * k, seed: 34), gate = values(images * k, seed: 35)
            var packed = [Float](repeating: .nan, count: kiln_pack_gemm_f32_floats(k, n))
            kiln_pack_gemm_f32(k, n, values(n * k, seed: 36), 1, k, values(n, seed: 37), &packed)
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: packed.count)
            defer { scratch.deallocate() }
            check(images * hw * n, "gated gemm \(hw)x\(k)x\(n)", whole: {
                K.f32_gemm_gated_bias_act(images: images, hw: hw, k: k, n: n, a: a, lda: k, gate: gate, packed: packed,
                                          scratch: scratch, c: $0, ldc: n, r: nil, ldr: 0, act: .relu6)
            }, part: {
                K.f32_gemm_gated_bias_act_part($0, images: images, hw: hw, k: k, n: n, a: a, lda: k, gate: gate, packed: packed,
                                               scratch: scratch, c: $1, ldc: n, r: nil, ldr: 0, act: .relu6)
            })
        }
        let n = 2
        do {  // depthwise 3x3 stride 2, pads 1
            let (h, w, c) = (9, 11, 19), oh = 5, ow = 6
            let input = values(n * h * w * c, seed: 38)
            var packed = [Float](repeating: .nan, count: kiln_pack_dwconv_f32_floats(c, 3, 3))
            kiln_pack_dwconv_f32(c, 3, 3, values(c * 9, seed: 39), values(c, seed: 40), &packed)
            check(n * oh * ow * c, "depthwise", whole: {
                K.f32_dwconv_bias_act(n: n, h: h, w: w, c: c, in: input, oh: oh, ow: ow, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1,
                                      pt: 1, pl: 1, packed: packed, out: $0, act: .silu)
            }, part: {
                K.f32_dwconv_bias_act_part($0, n: n, h: h, w: w, c: c, in: input, oh: oh, ow: ow, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1,
                                           dw: 1, pt: 1, pl: 1, packed: packed, out: $1, act: .silu)
            })
        }
        do {  // direct conv on NCHW input, 3x3 stride 2, pads 1; the generic conv with two groups
            let (cin, h, w, cout) = (3, 9, 23, 35), oh = 5, ow = 12
            let input = values(n * cin * h * w, seed: 41)
            var packed = [Float](repeating: .nan, count: kiln_pack_conv_f32_floats(cout, cin, 3, 3))
            kiln_pack_conv_f32(cout, cin, 3, 3, values(cout * cin * 9, seed: 42), values(cout, seed: 43), &packed)
            check(n * oh * ow * cout, "direct conv", whole: {
                K.f32_conv_direct_bias_act(n: n, cin: cin, h: h, w: w, in: input, isn: cin * h * w, isc: h * w, ish: w, isw: 1,
                                           cout: cout, oh: oh, ow: ow, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, pt: 1, pl: 1,
                                           packed: packed, out: $0, act: .relu)
            }, part: {
                K.f32_conv_direct_bias_act_part($0, n: n, cin: cin, h: h, w: w, in: input, isn: cin * h * w, isc: h * w, ish: w,
                                                isw: 1, cout: cout, oh: oh, ow: ow, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, pt: 1,
                                                pl: 1, packed: packed, out: $1, act: .relu)
            })
            let (gin, gout, gh, gw) = (6, 4, 8, 7)
            let gx = values(n * gin * gh * gw, seed: 44), gwt = values(gout * 3 * 9, seed: 45), gb = values(gout, seed: 46)
            check(n * 6 * 5 * gout, "generic conv", whole: {
                K.f32_conv_generic_bias_act(n: n, cin: gin, h: gh, w: gw, in: gx, isn: gin * gh * gw, isc: gh * gw, ish: gw, isw: 1,
                                            cout: gout, oh: 6, ow: 5, kh: 3, kw: 3, sh: 1, sw: 1, dh: 2, dw: 2, pt: 1, pl: 1,
                                            groups: 2, weight: gwt, bias: gb, out: $0, act: .hardSwish)
            }, part: {
                K.f32_conv_generic_bias_act_part($0, n: n, cin: gin, h: gh, w: gw, in: gx, isn: gin * gh * gw, isc: gh * gw, ish: gw,
                                                 isw: 1, cout: gout, oh: 6, ow: 5, kh: 3, kw: 3, sh: 1, sw: 1, dh: 2, dw: 2, pt: 1,
                                                 pl: 1, groups: 2, weight: gwt, bias: gb, out: $1, act: .hardSwish)
            })
        }
        let (hw, c, cr) = (7, 70, 9)
        let x = values(n * hw * c, seed: 47), y = values(n * hw * c, seed: 48), gate = values(n * c, seed: 49)
        let elements = values(874, seed: 54)
        for copy in copies {
            check(copy.count, "copy \(copy.what)", whole: {
                K.copy_strided(size: 4, shape: copy.shape.tuple, in: elements, in_at: copy.inAt, is: copy.is.tuple, out: $0,
                               out_at: copy.outAt, os: copy.os.tuple)
            }, part: {
                K.copy_strided_part($0, size: 4, shape: copy.shape.tuple, in: elements, in_at: copy.inAt, is: copy.is.tuple, out: $1,
                                    out_at: copy.outAt, os: copy.os.tuple)
            })
        }
        check(n * c, "global average pool", whole: { K.f32_gavgpool_nhwc(n: n, hw: hw, c: c, in: x, out: $0) },
              part: { K.f32_gavgpool_nhwc_part($0, n: n, hw: hw, c: c, in: x, out: $1) })
        var packed1 = [Float](repeating: 0, count: kiln_pack_gemm_f32_floats(c, cr))
        var packed2 = [Float](repeating: 0, count: kiln_pack_gemm_f32_floats(cr, c))
        kiln_pack_gemm_f32(c, cr, values(cr * c, seed: 50), 1, c, values(cr, seed: 51), &packed1)
        kiln_pack_gemm_f32(cr, c, values(c * cr, seed: 52), 1, cr, values(c, seed: 53), &packed2)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: cr)
        defer { scratch.deallocate() }
        check(n * c, "squeeze-excite gate", whole: {
            K.f32_se_gate_nhwc(n: n, hw: hw, c: c, cr: cr, in: x, packed1: packed1, act1: .silu, packed2: packed2, gate_act: .sigmoid,
                               scratch: scratch, gate: $0)
        }, part: {
            K.f32_se_gate_nhwc_part($0, n: n, hw: hw, c: c, cr: cr, in: x, packed1: packed1, act1: .silu, packed2: packed2,
                                    gate_act: .sigmoid, scratch: scratch, gate: $1)
        })

        // A gate whose FCs are split across the parts (c · cr ≥ kilnSESplitWeights), with remainder panels.
        let (bc, bcr) = (333, 41)
        #expect(bc * bcr >= kilnSESplitWeights)
        let bx = values(n * 5 * bc, seed: 55)
        var big1 = [Float](repeating: 0, count: kiln_pack_gemm_f32_floats(bc, bcr))
        var big2 = [Float](repeating: 0, count: kiln_pack_gemm_f32_floats(bcr, bc))
        kiln_pack_gemm_f32(bc, bcr, values(bcr * bc, seed: 56).map { $0 * 0.1 }, 1, bc, values(bcr, seed: 57), &big1)
        kiln_pack_gemm_f32(bcr, bc, values(bc * bcr, seed: 58).map { $0 * 0.1 }, 1, bcr, values(bc, seed: 59), &big2)
        let bigScratch = UnsafeMutablePointer<Float>.allocate(capacity: bcr)
        defer { bigScratch.deallocate() }
        check(n * bc, "squeeze-excite gate with split FCs", whole: {
            K.f32_se_gate_nhwc(n: n, hw: 5, c: bc, cr: bcr, in: bx, packed1: big1, act1: .silu, packed2: big2, gate_act: .sigmoid,
                               scratch: bigScratch, gate: $0)
        }, part: {
            K.f32_se_gate_nhwc_part($0, n: n, hw: 5, c: bc, cr: bcr, in: bx, packed1: big1, act1: .silu, packed2: big2,
                                    gate_act: .sigmoid, scratch: bigScratch, gate: $1)
        })
        check(n * hw * c, "channel scale", whole: { K.f32_channel_scale_nhwc(n: n, hw: hw, c: c, in: x, gate: gate, out: $0) },
              part: { K.f32_channel_scale_nhwc_part($0, n: n, hw: hw, c: c, in: x, gate: gate, out: $1) })
        check(n * hw * c, "add", whole: { K.f32_add_act(count: n * hw * c, a: x, b: y, out: $0, act: .relu) },
              part: { K.f32_add_act_part($0, count: n * hw * c, a: x, b: y, out: $1, act: .relu) })
        check(n * hw * c, "act", whole: { K.f32_act(n: n * hw * c, in: x, out: $0, act: .hardSigmoid(0.2, 0.5)) },
              part: { K.f32_act_part($0, n: n * hw * c, in: x, out: $1, act: .hardSigmoid(0.2, 0.5)) })
        let logits = values(3 * 1000, seed: 54)
        check(3000, "softmax", whole: { K.f32_softmax(rows: 3, n: 1000, in: logits, out: $0) },
              part: { K.f32_softmax_part($0, rows: 3, n: 1000, in: logits, out: $1) })
        let (rc, rhw) = (19, 150)
        let t = values(n * rc * rhw, seed: 55)
        check(t.count, "NCHW to NHWC", whole: { K.f32_nchw_to_nhwc(n: n, c: rc, hw: rhw, in: t, out: $0) },
              part: { K.f32_nchw_to_nhwc_part($0, n: n, c: rc, hw: rhw, in: t, out: $1) })
        check(t.count, "NHWC to NCHW", whole: { K.f32_nhwc_to_nchw(n: n, c: rc, hw: rhw, in: t, out: $0) },
              part: { K.f32_nhwc_to_nchw_part($0, n: n, c: rc, hw: rhw, in: t, out: $1) })
    }

    /// The part ranges: parts cover 0 ..< total in order, in whole grains, evenly (`kiln_part_range`).
    @Test func partRangesCoverInOrder() {
        let cases = [0, 1, 5, 16, 17, 100, 3136].flatMap { total in
            [1, 16, 64].flatMap { grain in (1...5).map { (total, grain, $0) } }
        }
        for (total, grain, parts) in cases {
            let ranges = (0..<parts).map { kilnPartRange(total: total, grain: grain, part: $0, parts: parts) }
            #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == total, "\(total)/\(grain)/\(parts)")
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound && ($1.isEmpty || $1.lowerBound % grain == 0) })
            let units = ranges.map { ($0.count + grain - 1) / grain }
            #expect((units.max() ?? 0) - (units.min() ?? 0) <= 1, "\(total)/\(grain)/\(parts): \(units)")
        }
        #expect([1, 24, 48, 49, 96, 200, 1000].map(kilnGEMMChunkUnits) == [1, 1, 2, 2, 4, 8, 32])
    }

    /// Every catalog entry has a Swift kernel of the same name whose argument labels are the entry's
    /// parameter names, in order (the Swift printer labels each argument with them).
    @Test func everyCatalogEntryHasASwiftKernel() throws {
        let folder = SharedData.packageRoot.appendingPathComponent("Sources/SwiftKernels")
        var declared: [String: [String]] = [:]
        let regex = try NSRegularExpression(pattern: #"public static func (\w+)(?:<T: KilnTask>)?\(([^)]*)\)"#)
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let name = Range(match.range(at: 1), in: text), let list = Range(match.range(at: 2), in: text) else { continue }
                declared[String(text[name])] = text[list].split(separator: ",").compactMap {
                    $0.split(whereSeparator: \.isWhitespace).first.map { String($0.hasSuffix(":") ? $0.dropLast() : $0) }
                }
            }
        }
        // The kernels the Swift backend prints calls of (the generic kernels of other operators and
        // element types have no Swift twin yet; `SwiftPrinter.unsupported` refuses them by name).
        #expect(SwiftPrinter.kernels.isSubset(of: Set(KernelCatalog.all.map(\.name))))
        for entry in KernelCatalog.all where SwiftPrinter.kernels.contains(entry.name) {
            let labels = try #require(declared[entry.name], "\(entry.name) has no Swift kernel")
            #expect(labels == entry.parameters.map(\.name), "\(entry.name): argument labels")
            if entry.isParallel {  // its part form: the task, then the same labels
                let part = try #require(declared[entry.name + "_part"], "\(entry.name) has no Swift part form")
                #expect(part == ["_"] + entry.parameters.map(\.name), "\(entry.name)_part: argument labels")
            }
        }
    }
}

extension Array where Element == Int {
    /// The six dimensions of a `copy_strided` shape or strides as the Swift kernels take them.
    var tuple: KilnDims { (self[0], self[1], self[2], self[3], self[4], self[5]) }
}
