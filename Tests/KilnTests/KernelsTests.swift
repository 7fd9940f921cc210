import Foundation
import KilnKernels
import Testing

/// The f32 kernel library generated code calls: packing from Swift (as Kiln does when it writes a weight blob),
/// the SwiftPM-built entry points against naive references, and every ISA path through the C harness.
@Suite struct KernelsTests {
    /// Deterministic values in [-1, 1).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float((state >> 40) & 0xFFFFFF) / 8_388_608 - 1
        }
    }

    static let none = kiln_act(kind: KILN_ACT_NONE, a: 0, b: 0)
    static let relu6 = kiln_act(kind: KILN_ACT_RELU6, a: 0, b: 0)

    /// 1x1 conv with bias, ReLU6 and a residual, for row and column counts that hit every remainder tile.
    @Test(arguments: [(1, 3, 1), (5, 16, 17), (15, 37, 33), (29, 8, 48)])
    func pointwiseConvMatchesNaive(p: Int, k: Int, n: Int) {
        let a = Self.values(p * k, seed: 1), w = Self.values(n * k, seed: 2), bias = Self.values(n, seed: 3)
        let residual = Self.values(p * n, seed: 4)
        var packed = [Float](repeating: .nan, count: kiln_pack_gemm_f32_floats(k, n))
        kiln_pack_gemm_f32(k, n, w, 1, k, bias, &packed)  // ONNX Conv weight [Cout][Cin][1][1]
        var c = [Float](repeating: .nan, count: p * n)
        kilnc_f32_gemm_bias_act(p, k, n, a, k, packed, &c, n, residual, n, Self.relu6)
        for i in 0..<p {
            for j in 0..<n {
                var s = Double(bias[j]), scale = abs(s)
                for kk in 0..<k {
                    let t = Double(a[i * k + kk]) * Double(w[j * k + kk])
                    s += t
                    scale += abs(t)
                }
                let want = min(max(s, 0), 6) + Double(residual[i * n + j])
                #expect(abs(Double(c[i * n + j]) - want) <= 1e-5 * (abs(want) + scale + 1), "p=\(i) n=\(j)")
            }
        }
    }

    /// Depthwise 3x3, stride 2, asymmetric pads, channel count that is not a multiple of any vector width.
    @Test func depthwiseMatchesNaive() {
        let (h, w, c, kh, kw, stride, pt, pl, pb, pr) = (9, 11, 19, 3, 3, 2, 0, 1, 1, 0)
        let oh = (h + pt + pb - kh) / stride + 1, ow = (w + pl + pr - kw) / stride + 1
        let input = Self.values(h * w * c, seed: 5), weight = Self.values(c * kh * kw, seed: 6)
        var packed = [Float](repeating: .nan, count: kiln_pack_dwconv_f32_floats(c, kh, kw))
        kiln_pack_dwconv_f32(c, kh, kw, weight, nil, &packed)
        var out = [Float](repeating: .nan, count: oh * ow * c)
        kilnc_f32_dwconv_bias_act(1, h, w, c, input, oh, ow, kh, kw, stride, stride, 1, 1, pt, pl, packed, &out, Self.none)
        for oy in 0..<oh {
            for ox in 0..<ow {
                for ch in 0..<c {
                    var s = 0.0
                    for ky in 0..<kh {
                        for kx in 0..<kw {
                            let iy = oy * stride - pt + ky, ix = ox * stride - pl + kx
                            guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                            s += Double(input[(iy * w + ix) * c + ch]) * Double(weight[ch * kh * kw + ky * kw + kx])
                        }
                    }
                    #expect(abs(Double(out[(oy * ow + ox) * c + ch]) - s) <= 1e-5 * 10)
                }
            }
        }
    }

    /// Softmax rows sum to one and keep the order of their inputs.
    @Test func softmaxRowsAreDistributions() {
        let x = Self.values(3 * 1000, seed: 7).map { $0 * 30 }
        var y = [Float](repeating: .nan, count: x.count)
        kilnc_f32_softmax(3, 1000, x, &y)
        for r in 0..<3 {
            let row = y[(r * 1000)..<((r + 1) * 1000)]
            #expect(abs(row.reduce(0, +) - 1) < 1e-4)
            let xr = Array(x[(r * 1000)..<((r + 1) * 1000)])
            #expect(row.firstIndex(of: row.max()!)! - r * 1000 == xr.firstIndex(of: xr.max()!)!)
        }
    }

    /// Every ISA path (AVX-512, AVX2, generic) with gcc (and clang with KILN_FULL_MATRIX=1), through
    /// scripts/test-kernels.sh; skipped when neither compiler is installed.
    @Test func everyIsaPassesTheCHarness() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/test-kernels.sh")
        let haveCompiler = ["/usr/bin/gcc", "/usr/bin/clang", "/usr/local/bin/gcc", "/usr/local/bin/clang"]
            .contains { FileManager.default.isExecutableFile(atPath: $0) }
        guard haveCompiler, FileManager.default.fileExists(atPath: script.path) else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [script.path]
        // gcc alone in the default run (the kernel harness is compile-heavy); both compilers with KILN_FULL_MATRIX=1.
        if ProcessInfo.processInfo.environment["KILN_FULL_MATRIX"] != "1" {
            process.environment = ProcessInfo.processInfo.environment.merging(["KILN_KERNEL_CCS": "gcc"]) { $1 }
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
    }
}
