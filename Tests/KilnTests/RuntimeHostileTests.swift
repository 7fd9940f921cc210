import Foundation
import KilnRuntime
import Testing

/// Broken and hostile input files, and the result helpers: every failure is a status and a one-line message.
extension RuntimeTests {
    typealias R = RuntimeTests

    /// Expects decoding to fail with `status` and a message containing `text`.
    func expectFailure(_ d: R.Decoded, _ status: kiln_status, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(d.status == status, "status \(d.status.rawValue): \(d.message)", sourceLocation: sourceLocation)
        #expect(d.message.contains(text) && !d.message.contains("\n"), "message: \(d.message)", sourceLocation: sourceLocation)
    }

    static let validNpy = R.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data: R.le([1, 2, 3, 4, 5, 6] as [Float]))
    static let validPb = R.dimsField([2, 3]) + R.floatType + R.bytesField(9, R.le([1, 2, 3, 4, 5, 6] as [Float]))
    static let validPpm = Array("P6\n# c\n2 2\n255\n".utf8) + [UInt8](repeating: 7, count: 12)

    @Test func emptyFiles() throws {
        for name in ["input.npy", "input.pb", "input.ppm"] {
            let r = R.load(try R.write([], name), [1, 3, 2, 2])
            #expect(r.status == KILN_ERR_FORMAT && r.message.hasSuffix("\(name): empty file"), "\(r.message)")
        }
        expectFailure(R.decode([]), KILN_ERR_FORMAT, "empty")
        expectFailure(R.decode([], pb: true), KILN_ERR_FORMAT, "empty")
    }

    @Test func everyTruncationIsAnError() {
        for n in 0..<Self.validNpy.count { #expect(R.decode(Array(Self.validNpy.prefix(n))).status != KILN_OK, "npy prefix \(n)") }
        for n in 0..<Self.validPb.count { #expect(R.decode(Array(Self.validPb.prefix(n)), pb: true).status != KILN_OK, "pb prefix \(n)") }
        for n in 0..<Self.validPpm.count {
            var img = kiln_image()
            let r = R.call { err, len in Array(Self.validPpm.prefix(n)).withUnsafeBufferPointer { kiln_ppm_decode($0.baseAddress, $0.count, &img, err, len) } }
            #expect(r.status != KILN_OK && img.rgb == nil, "ppm prefix \(n)")
        }
        expectFailure(R.decode(Array(Self.validNpy.dropLast(1))), KILN_ERR_FORMAT, "needs 24 data bytes but the file has 23")
    }

    @Test func npyLies() {
        let f4 = "'descr': '<f4', 'fortran_order': False"
        expectFailure(R.decode(R.npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", data: [UInt8](repeating: 0, count: 16))),
                      KILN_ERR_UNSUPPORTED, "'<i8'")
        expectFailure(R.decode(R.npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 0])),
                      KILN_ERR_UNSUPPORTED, "'>f4'")
        expectFailure(R.decode(R.npy("{'descr': '<f\n4', 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 0])),
                      KILN_ERR_UNSUPPORTED, "'<f?4'") // file bytes never break the one-line message
        expectFailure(R.decode(R.npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 0])),
                      KILN_ERR_UNSUPPORTED, "structured")
        expectFailure(R.decode(R.npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", data: [0, 0, 0, 0])),
                      KILN_ERR_UNSUPPORTED, "fortran_order")
        expectFailure(R.decode(R.npy("{\(f4), 'shape': (1000,), }", data: R.le([1, 2] as [Float]))), KILN_ERR_FORMAT, "needs 4000 data bytes")
        expectFailure(R.decode(R.npy("{\(f4), 'shape': (1,), }", data: R.le([1, 2] as [Float]))), KILN_ERR_FORMAT, "has 8")
        // Products that overflow 64 bits, and a single dim beyond int64, allocate nothing.
        expectFailure(R.decode(R.npy("{\(f4), 'shape': (4611686018427387904, 4611686018427387904), }", data: [])),
                      KILN_ERR_NOMEM, "too large")
        expectFailure(R.decode(R.npy("{\(f4), 'shape': (1, 4611686018427387904), }", data: [])), KILN_ERR_FORMAT, "too large")
        expectFailure(R.decode(R.npy("{\(f4), 'shape': (99999999999999999999,), }", data: [])), KILN_ERR_FORMAT, "'shape'")
        expectFailure(R.decode(R.npy("{\(f4), 'shape': (1,1,1,1,1,1,1,1,1), }", data: [0, 0, 0, 0])), KILN_ERR_UNSUPPORTED, "rank 9")
        expectFailure(R.decode(R.npy("{\(f4)}", data: [])), KILN_ERR_FORMAT, "lacks 'shape'")
        expectFailure(R.decode(R.npy("{\(f4), 'shape': (-1,), }", data: [])), KILN_ERR_FORMAT, "'shape'")
        expectFailure(R.decode(R.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", data: [0, 0, 0, 0])), KILN_ERR_FORMAT, "dict")
        expectFailure(R.decode(R.npy("{'extra': " + String(repeating: "[", count: 200), data: [])), KILN_ERR_FORMAT, "'extra'")
        expectFailure(R.decode(R.npy("{\(f4), 'shape': (1,), }", major: 4, data: [0, 0, 0, 0])), KILN_ERR_UNSUPPORTED, "version 4.0")
        var longHeader = Array(Self.validNpy.prefix(12))
        longHeader[8] = 0xff; longHeader[9] = 0xff; longHeader[10] = 0xff; longHeader[11] = 0xff
        longHeader[6] = 2
        expectFailure(R.decode(longHeader), KILN_ERR_FORMAT, "truncated .npy header")
    }

    @Test func tensorProtoLies() {
        let tenBytes = [UInt8](repeating: 0x80, count: 10) + [0x01]
        expectFailure(R.decode(tenBytes, pb: true), KILN_ERR_FORMAT, "overflows 64 bits")
        expectFailure(R.decode(R.key(1, 0) + tenBytes, pb: true), KILN_ERR_FORMAT, "overflows 64 bits")
        expectFailure(R.decode(R.key(9, 2) + R.varint(0xffff_ffff) + [1, 2, 3], pb: true), KILN_ERR_FORMAT, "claims 4294967295 bytes")
        expectFailure(R.decode(R.key(9, 2) + R.varint(UInt64.max), pb: true), KILN_ERR_FORMAT, "claims")
        expectFailure(R.decode(R.key(5, 3) + R.key(5, 4), pb: true), KILN_ERR_FORMAT, "groups")
        expectFailure(R.decode(R.key(5, 7), pb: true), KILN_ERR_FORMAT, "wire type 7")
        expectFailure(R.decode([0x00], pb: true), KILN_ERR_FORMAT, "field number 0")
        expectFailure(R.decode(R.dimsField([2]) + R.key(2, 0) + R.varint(7) + R.bytesField(7, [1]), pb: true),
                      KILN_ERR_UNSUPPORTED, "data_type 7 (INT64)")
        expectFailure(R.decode(R.dimsField([2]), pb: true), KILN_ERR_UNSUPPORTED, "UNDEFINED")
        expectFailure(R.decode(R.dimsField([-1]) + R.floatType, pb: true), KILN_ERR_FORMAT, "negative dimension -1")
        expectFailure(R.decode(R.dimsField([1 << 62, 1 << 62]) + R.floatType, pb: true), KILN_ERR_NOMEM, "too large")
        expectFailure(R.decode(R.dimsField([1 << 40]) + R.floatType, pb: true), KILN_ERR_FORMAT, "needs 1099511627776 values, found 0")
        expectFailure(R.decode(R.dimsField([3]) + R.floatType + R.bytesField(9, R.le([1, 2] as [Float])), pb: true),
                      KILN_ERR_FORMAT, "found 2 in raw_data")
        expectFailure(R.decode(R.dimsField([1]) + R.floatType + R.bytesField(9, [0, 0, 0]), pb: true), KILN_ERR_FORMAT, "multiple of 4")
        expectFailure(R.decode(R.dimsField([1]) + R.floatType + R.bytesField(4, [0, 0, 0]), pb: true), KILN_ERR_FORMAT, "wrong wire type")
        expectFailure(R.decode(Self.validPb + R.bytesField(4, R.le([1] as [Float])), pb: true), KILN_ERR_FORMAT, "more than one")
        expectFailure(R.decode(Self.validPb + R.key(14, 0) + R.varint(1), pb: true), KILN_ERR_UNSUPPORTED, "external data")
        expectFailure(R.decode(R.dimsField([Int64](repeating: 1, count: 9)) + R.floatType, pb: true), KILN_ERR_UNSUPPORTED, "more than 8")
    }

    @Test func ppmLies() throws {
        func ppm(_ bytes: [UInt8]) -> R.Decoded {
            var img = kiln_image()
            defer { kiln_image_free(&img) }
            let r = R.call { err, len in bytes.withUnsafeBufferPointer { kiln_ppm_decode($0.baseAddress, $0.count, &img, err, len) } }
            return R.Decoded(status: r.status, message: r.message)
        }
        expectFailure(ppm(Array("P3 1 1 255 1 2 3".utf8)), KILN_ERR_UNSUPPORTED, "P3")
        expectFailure(ppm(Array("GIF89a".utf8)), KILN_ERR_FORMAT, "not a PPM")
        expectFailure(ppm(Array("P6 1 1 0 ".utf8) + [0, 0, 0]), KILN_ERR_UNSUPPORTED, "maxval")
        expectFailure(ppm(Array("P6 1 1 70000 ".utf8) + [UInt8](repeating: 0, count: 6)), KILN_ERR_UNSUPPORTED, "maxval")
        expectFailure(ppm(Array("P6 99999999999 1 255 ".utf8)), KILN_ERR_UNSUPPORTED, "width")
        expectFailure(ppm(Array("P6 16777216 16777216 65535 ".utf8)), KILN_ERR_UNSUPPORTED, "more than 67108864 pixels")
        expectFailure(ppm(Array("P6 8192 8192 65535 ".utf8)), KILN_ERR_FORMAT, "truncated")
        expectFailure(ppm(Array("P6 2 2 255 ".utf8) + [1, 2, 3]), KILN_ERR_FORMAT, "needs 12 bytes of pixels, file has 3")
        expectFailure(ppm(Array("P6 2 # no height".utf8)), KILN_ERR_FORMAT, "height")
        #expect(ppm(Self.validPpm).status == KILN_OK)

        // Through the loader: an image cannot feed a non-image input, and unknown files are named as such.
        let image = try R.write(Self.validPpm, "x.ppm")
        let r = R.load(image, [1, 10])
        #expect(r.status == KILN_ERR_SHAPE && r.message.contains("x.ppm: an image can only feed a 1x3xHxW (NCHW) input"), "\(r.message)")
        let unknown = R.load(try R.write([1, 2, 3], "x.bin"), [1])
        #expect(unknown.status == KILN_ERR_UNSUPPORTED && unknown.message.contains("unrecognized input format"), "\(unknown.message)")
        let missing = R.load("/nonexistent/kiln/input.npy", [1])
        #expect(missing.status == KILN_ERR_IO && missing.message.contains("/nonexistent/kiln/input.npy: cannot open"))
    }

    @Test func shapeMismatchMessage() throws {
        let dir = try TemporaryFolder.make()
        let path = dir.appendingPathComponent("input.npy").path
        let w = R.call { kiln_npy_write(path, [Float](repeating: 0, count: 12), [1, 3, 2, 2], 4, $0, $1) }
        #expect(w.status == KILN_OK)
        let r = R.load(path, [1, 3, 4, 4])
        #expect(r.status == KILN_ERR_SHAPE)
        #expect(r.message == "\(path): expected 1x3x4x4 float32 (48 values), got 1x3x2x2")
        // Missing or extra leading 1s are the same data.
        #expect(R.load(path, [3, 2, 2]).status == KILN_OK && R.load(path, [1, 1, 3, 2, 2]).status == KILN_OK)
    }

    /// Random byte changes to valid files: any status is fine, a crash is not.
    @Test func mutatedFilesNeverCrash() {
        var rng: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Int(truncatingIfNeeded: rng >> 33) }
        for base in [Self.validNpy, Self.validPb, Self.validPpm] {
            for _ in 0..<500 {
                var bytes = base
                for _ in 0...(next() % 4) { bytes[next() % bytes.count] = UInt8(truncatingIfNeeded: next()) }
                _ = R.decode(bytes)
                _ = R.decode(bytes, pb: true)
                var img = kiln_image()
                _ = R.call { err, len in bytes.withUnsafeBufferPointer { kiln_ppm_decode($0.baseAddress, $0.count, &img, err, len) } }
                kiln_image_free(&img)
            }
        }
    }

    // MARK: Results and timing

    @Test func topKIsStableAndPutsNaNLast() {
        let scores: [Float] = [0.1, 3, .nan, 3, 5, -1, 3]
        var top = [Int](repeating: -1, count: 10)
        #expect(kiln_topk(scores, scores.count, 4, &top) == 4 && Array(top.prefix(4)) == [4, 1, 3, 6])
        #expect(kiln_topk(scores, scores.count, 10, &top) == 7 && Array(top.prefix(7)) == [4, 1, 3, 6, 0, 5, 2])
        #expect(kiln_topk(scores, 0, 3, &top) == 0)
    }

    @Test func softmaxAndProbabilityCheck() {
        let logits: [Float] = [1000, 1001, 999, -50]
        var p = [Float](repeating: 0, count: 4)
        kiln_softmax(logits, &p, 4)
        let e1 = Float(exp(-1.0)), e2 = Float(exp(-2.0)), z = 1 + e1 + e2
        #expect(R.maxAbsDifference(p, [e1 / z, 1 / z, e2 / z, 0]) < 1e-6)
        #expect(kiln_looks_like_probabilities(p, 4) == 1 && kiln_looks_like_probabilities(logits, 4) == 0)
    }

    @Test func printsTopKWithClassNames() throws {
        let path = try TemporaryFolder.make().appendingPathComponent("top.txt").path
        let names = ["tabby", "Egyptian cat", "lynx"]
        let scores: [Float] = [0.1, 0.8123, 0.05, 0.0377]
        guard let f = fopen(path, "w") else { Issue.record("cannot create \(path)"); return }
        names.map { strdup($0) }.withUnsafeBufferPointer { cNames in
            cNames.withMemoryRebound(to: UnsafePointer<CChar>?.self) { kiln_print_topk(f, scores, 4, 4, $0.baseAddress, 3) }
            cNames.forEach { free($0) }
        }
        fclose(f)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == "  1. Egyptian cat  (0.8123)\n  2. tabby  (0.1000)\n  3. lynx  (0.0500)\n  4. class 3  (0.0377)\n")
    }

    @Test func readsClassNames() throws {
        let crlf = try R.write(Array("tench\r\ngoldfish\r\n\r\nlast".utf8), "labels.txt")
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        var count = 0
        #expect(R.call { kiln_labels_read(crlf, &names, &count, $0, $1) }.status == KILN_OK)
        let read = (0..<count).map { i in names?[i].map { String(cString: $0) } ?? "?" }
        kiln_labels_free(names, count)
        #expect(read == ["tench", "goldfish", "", "last"])
        guard let imagenet = R.shared("images/imagenet_classes.txt", for: "runtime class names") else { return }
        #expect(R.call { kiln_labels_read(imagenet, &names, &count, $0, $1) }.status == KILN_OK)
        #expect(count == 1000 && names?[285].map { String(cString: $0) } == "Egyptian cat")
        kiln_labels_free(names, count)
    }

    @Test func clockIsMonotonicMilliseconds() {
        let t0 = kiln_now_ms()
        usleep(20_000)
        let t1 = kiln_now_ms()
        #expect(t1 - t0 >= 15 && t1 - t0 < 5_000, "\(t1 - t0) ms")
    }
}
