import Foundation
import KilnRuntime
import Testing

/// The C runtime that emitted programs and `kiln run` share: decoders, preprocessing, results, and what it does
/// with broken files (a status and a one-line message, never a crash).
@Suite struct RuntimeTests {
    // MARK: Helpers

    /// Calls a runtime function that reports through (err, errlen); returns its status and message.
    static func call(_ body: (UnsafeMutablePointer<CChar>, Int) -> kiln_status) -> (status: kiln_status, message: String) {
        var buffer = [CChar](repeating: 0, count: Int(KILN_ERR_LEN))
        let status = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return (status, String(decoding: bytes, as: UTF8.self))
    }

    struct Decoded {
        var status: kiln_status
        var message: String
        var dims: [Int64] = []
        var values: [Float] = []
    }

    /// Decodes `bytes` with kiln_npy_decode or kiln_tensorproto_decode.
    static func decode(_ bytes: [UInt8], pb: Bool = false) -> Decoded {
        var t = kiln_tensor()
        let r = call { err, len in
            bytes.withUnsafeBufferPointer {
                pb ? kiln_tensorproto_decode($0.baseAddress, $0.count, &t, err, len)
                    : kiln_npy_decode($0.baseAddress, $0.count, &t, err, len)
            }
        }
        defer { kiln_tensor_free(&t) }
        var d = Decoded(status: r.status, message: r.message)
        guard r.status == KILN_OK else { return d }
        d.dims = withUnsafeBytes(of: t.dims) { Array($0.bindMemory(to: Int64.self).prefix(Int(t.rank))) }
        d.values = Array(UnsafeBufferPointer(start: t.data, count: t.count))
        return d
    }

    /// Loads `path` through kiln_load_input for the expected dims.
    static func load(_ path: String, _ dims: [Int64], norm: kiln_norm = KILN_NORM_IMAGENET,
                     layout: kiln_layout = KILN_LAYOUT_NCHW) -> (status: kiln_status, message: String, values: [Float]) {
        let count = dims.reduce(1) { $0 * Int($1) }
        var out = [Float](repeating: .nan, count: count)
        let r = call { err, len in
            out.withUnsafeMutableBufferPointer { o in
                kiln_load_input(path, dims, Int32(dims.count), norm, layout, o.baseAddress, o.count, err, len)
            }
        }
        return (r.status, r.message, out)
    }

    static func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let url = try TemporaryFolder.make().appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    static func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// A .npy file with the given header dict text, padded like numpy pads it.
    static func npy(_ dict: String, major: UInt8 = 1, data: [UInt8]) -> [UInt8] {
        var header = Array(dict.utf8)
        let prefix = major == 1 ? 10 : 12
        while (prefix + header.count + 1) % 64 != 0 { header.append(0x20) }
        header.append(0x0a)
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [major, 0]
        let n = UInt32(header.count)
        bytes += major == 1 ? [UInt8(n & 0xff), UInt8(n >> 8)] : (0..<4).map { UInt8((n >> (8 * $0)) & 0xff) }
        return bytes + header + data
    }

    static func le(_ values: [Float]) -> [UInt8] { values.flatMap { v in (0..<4).map { UInt8((v.bitPattern >> (8 * $0)) & 0xff) } } }
    static func le(_ values: [Double]) -> [UInt8] { values.flatMap { v in (0..<8).map { UInt8((v.bitPattern >> (8 * $0)) & 0xff) } } }

    // Protobuf wire format, to build TensorProtos by hand.
    static func varint(_ v: UInt64) -> [UInt8] {
        var v = v, out: [UInt8] = []
        while v >= 0x80 { out.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
        return out + [UInt8(v)]
    }
    static func key(_ field: UInt64, _ wire: UInt64) -> [UInt8] { varint(field << 3 | wire) }
    static func bytesField(_ field: UInt64, _ body: [UInt8]) -> [UInt8] { key(field, 2) + varint(UInt64(body.count)) + body }
    static func dimsField(_ dims: [Int64]) -> [UInt8] { dims.flatMap { key(1, 0) + varint(UInt64(bitPattern: $0)) } }
    static let floatType = key(2, 0) + varint(1)

    /// The shared folder's file, or nil (with a SKIP line) when the shared data is absent.
    static func shared(_ relative: String, for test: String) -> String? {
        SharedData.available(test).map { $0.appendingPathComponent(relative).path }
    }

    // MARK: Real files

    @Test func tensorProtoMatchesItsNpyCopy() throws {
        guard let pb = Self.shared("models/tv_b0/test_data_set_0/input_0.pb", for: "runtime .pb/.npy round trip") else { return }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: pb)))
        let t = Self.decode(bytes, pb: true)
        #expect(t.status == KILN_OK, "\(t.message)")
        #expect(t.dims == [1, 3, 224, 224])
        // Seeded N(0,1) data: not constant, finite.
        #expect(t.values.count == 150_528 && t.values.allSatisfy(\.isFinite) && Set(t.values.prefix(100)).count > 90)

        let npyPath = try TemporaryFolder.make().appendingPathComponent("input.npy").path
        let w = Self.call { kiln_npy_write(npyPath, t.values, t.dims, Int32(t.dims.count), $0, $1) }
        #expect(w.status == KILN_OK, "\(w.message)")
        let written = [UInt8](try Data(contentsOf: URL(fileURLWithPath: npyPath)))
        // numpy's own header for this array, 64-byte aligned.
        let header = String(decoding: written[10..<128], as: UTF8.self)
        #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 224, 224), }"))
        #expect(written.count == 128 + 4 * 150_528 && header.hasSuffix(" \n"))

        let back = Self.load(npyPath, [1, 3, 224, 224])
        #expect(back.status == KILN_OK, "\(back.message)")
        #expect(back.values == t.values)
        let viaLoader = Self.load(pb, [1, 3, 224, 224])
        #expect(viaLoader.values == t.values)
    }

    @Test(arguments: [("models/tv_b0", KILN_NORM_IMAGENET), ("models/lite0_trained", KILN_NORM_INCEPTION)])
    func preprocessingReproducesTheReferenceInputs(model: String, norm: kiln_norm) throws {
        guard let image = Self.shared("images/cat.ppm", for: "runtime preprocessing \(model)"),
              let ref = Self.shared("\(model)/test_data_set_1/input_0.pb", for: "runtime preprocessing \(model)")
        else { return }
        let mine = Self.load(image, [1, 3, 224, 224], norm: norm)
        let theirs = Self.load(ref, [1, 3, 224, 224])
        #expect(mine.status == KILN_OK && theirs.status == KILN_OK, "\(mine.message) \(theirs.message)")
        // Measured: 2.4e-7 (imagenet) and 1.2e-7 (inception): float32 rounding of the same computation.
        let diff = Self.maxAbsDifference(mine.values, theirs.values)
        #expect(diff <= 1e-6, "max abs difference \(diff)")

        // NHWC holds the same values, channels last.
        let nhwc = Self.load(image, [1, 224, 224, 3], norm: norm, layout: KILN_LAYOUT_NHWC)
        #expect(nhwc.status == KILN_OK, "\(nhwc.message)")
        let plane = 224 * 224
        #expect((0..<plane).allSatisfy { p in (0..<3).allSatisfy { c in nhwc.values[p * 3 + c] == mine.values[c * plane + p] } })
    }

    @Test func resizeAndNormalizeSmallImages() throws {
        // A uniform image stays uniform through any resize; normalization is per channel.
        let gray = try Self.write(Array("P6\n# uniform\n5 3\n255\n".utf8) + [UInt8](repeating: 128, count: 45), "gray.ppm")
        let g = Self.load(gray, [1, 3, 2, 7])
        #expect(g.status == KILN_OK, "\(g.message)")
        let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]
        for c in 0..<3 {
            let expected = (128 / 255 - mean[c]) / std[c]
            #expect(g.values[(c * 14)..<(c * 14 + 14)].allSatisfy { abs($0 - expected) < 1e-6 })
        }
        // Upscaling 3 -> 7 pixels is bilinear at pixel centers, mirrored at the borders: at x = 0 the source
        // position is -2/7, i.e. 2/7 of pixel 1 and 5/7 of pixel 0. (Values match skimage.transform.resize.)
        let row = try Self.write(Array("P6 3 1 255 ".utf8) + [127, 127, 127, 227, 227, 227, 177, 177, 177], "row.ppm")
        let r = Self.load(row, [1, 3, 1, 7], norm: KILN_NORM_INCEPTION)
        #expect(r.status == KILN_OK, "\(r.message)")
        let expected: [Float] = [28.571428, 14.285714, 57.142857, 100, 78.571428, 57.142857, 64.285714].map { $0 / 128 }
        #expect(Self.maxAbsDifference(Array(r.values.prefix(7)), expected) < 1e-6, "\(r.values.prefix(7))")
        // 16-bit samples are big-endian and scaled by maxval.
        let deep = try Self.write(Array("P6 1 1 65535\n".utf8) + [0xff, 0xff, 0x80, 0x00, 0x00, 0x00], "deep.ppm")
        let d = Self.load(deep, [1, 3, 1, 1], norm: KILN_NORM_INCEPTION)
        let half = Float((32768.0 * 255 / 65535 - 127) / 128)
        #expect(d.status == KILN_OK && Self.maxAbsDifference(d.values, [1, half, -127 / 128]) < 1e-6, "\(d.values)")
    }

    // MARK: Formats accepted

    @Test func npyVariants() {
        let values: [Float] = [1.5, -2, 3.25, 0, 7, 1e-3]
        let shape = "'shape': (2, 3)"
        for major: UInt8 in [1, 2, 3] {
            let d = Self.decode(Self.npy("{'descr': '<f4', 'fortran_order': False, \(shape), }", major: major, data: Self.le(values)))
            #expect(d.status == KILN_OK && d.values == values && d.dims == [2, 3], "v\(major): \(d.message)")
        }
        // Any key order and spacing, double quotes, lists, Python 2 longs, unknown keys skipped, '<f8' converted.
        let odd = Self.decode(Self.npy("{ \"shape\" :[2,3L] ,'extra': {'a': (1, [2])},\"fortran_order\":False,'descr':'<f8'}",
                                       data: Self.le(values.map(Double.init))))
        #expect(odd.status == KILN_OK && odd.values == values && odd.dims == [2, 3], "\(odd.message)")
        let scalar = Self.decode(Self.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", data: Self.le([42] as [Float])))
        #expect(scalar.status == KILN_OK && scalar.values == [42] && scalar.dims == [])
    }

    @Test func tensorProtoVariants() {
        // float_data packed, then unpacked, with unknown fields (name = 8, doc_string = 12) in between.
        let packed = Self.dimsField([2]) + Self.floatType + Self.bytesField(8, Array("x".utf8)) +
            Self.bytesField(4, Self.le([1.5, -2] as [Float])) + Self.bytesField(12, [])
        #expect(Self.decode(packed, pb: true).values == [1.5, -2])
        let unpacked = Self.bytesField(1, Self.varint(1) + Self.varint(2)) + Self.floatType +
            Self.key(4, 5) + Self.le([3] as [Float]) + Self.key(4, 5) + Self.le([4] as [Float])
        let u = Self.decode(unpacked, pb: true)
        #expect(u.values == [3, 4] && u.dims == [1, 2], "\(u.message)")
        let double = Self.dimsField([3]) + Self.key(2, 0) + Self.varint(11) + Self.bytesField(10, Self.le([0.5, 1, -8] as [Double]))
        #expect(Self.decode(double, pb: true).values == [0.5, 1, -8])
        let raw = Self.dimsField([1, 2]) + Self.floatType + Self.bytesField(9, Self.le([9, 10] as [Float]))
        #expect(Self.decode(raw, pb: true).values == [9, 10])
    }
}
