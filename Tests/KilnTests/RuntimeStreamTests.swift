import Foundation
import KilnRuntime
import Testing

/// Inputs whose size is not what the model needs: endless streams, folders, files longer than the shape allows.
/// The loader reads no more than the format and the expected shape allow, whatever the file (issue 12, item 2).
extension RuntimeTests {
    /// A link named `name` (whose extension picks the format) to `target`, in a fresh folder.
    static func link(_ name: String, to target: String) throws -> String {
        let path = try TemporaryFolder.make().appendingPathComponent(name).path
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        return path
    }

    @Test func devZeroIsRefusedAfterAFewBytes() throws {
        // No magic and no extension: refused from the first bytes.
        let plain = R.load("/dev/zero", [1, 3, 2, 2])
        #expect(plain.status == KILN_ERR_UNSUPPORTED && plain.message == "/dev/zero: unrecognized input format (expected .npy, .pb TensorProto or .ppm image)")
        // Named like a tensor: read up to what a tensor of that shape may take, then refused.
        for (name, kind, limit) in [("zero.npy", ".npy", 12 * 8 + 65536), ("zero.pb", "TensorProto", 12 * 9 + 65536)] {
            let r = R.load(try R.link(name, to: "/dev/zero"), [1, 3, 2, 2])
            #expect(r.status == KILN_ERR_SHAPE, "\(r.message)")
            #expect(r.message.hasSuffix("\(name): longer than a \(kind) input of 1x3x2x2 float32 can be (more than \(limit) bytes)"), "\(r.message)")
        }
        let image = R.load(try R.link("zero.ppm", to: "/dev/zero"), [1, 3, 2, 2])
        #expect(image.status == KILN_ERR_FORMAT && image.message.hasSuffix("zero.ppm: not a PPM image (no P6 magic)"), "\(image.message)")
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        var count = 0
        let labels = R.call { kiln_labels_read("/dev/zero", &names, &count, $0, $1) }
        #expect(labels.status == KILN_ERR_SHAPE && labels.message == "/dev/zero: longer than the \(16 << 20) bytes expected of it")
    }

    @Test func aFolderIsNamedAsOne() throws {
        let folder = try TemporaryFolder.make().path
        let r = R.load(folder, [1, 3, 2, 2])
        #expect(r.status == KILN_ERR_IO && r.message == "\(folder): cannot read: Is a directory", "\(r.message)")
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        var count = 0
        #expect(R.call { kiln_labels_read(folder, &names, &count, $0, $1) }.message == "\(folder): cannot read: Is a directory")
    }

    @Test func aTensorFileLongerThanItsShapeAllows() throws {
        // A valid .npy of 1x3x64x64 float64 given where 1x3x2x2 is expected: too long to be read whole.
        let big = R.npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3, 64, 64), }", data: [UInt8](repeating: 0, count: 3 * 64 * 64 * 8))
        let r = R.load(try R.write(big, "big.npy"), [1, 3, 2, 2])
        #expect(r.status == KILN_ERR_SHAPE && r.message.contains("longer than a .npy input of 1x3x2x2"), "\(r.message)")
        // Within the allowance, the shape mismatch itself is reported.
        let near = R.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 4, 4), }", data: [UInt8](repeating: 0, count: 48 * 4))
        #expect(R.load(try R.write(near, "near.npy"), [1, 3, 2, 2]).message.hasSuffix("expected 1x3x2x2 float32 (12 values), got 1x3x4x4"))
    }

    @Test func imagesAreReadToTheirRasterAndNoFurther() throws {
        // Bytes after the raster are ignored, even an endless stream of them.
        let fifoImage = try TemporaryFolder.make().appendingPathComponent("image.ppm").path
        try Data(Self.validPpm + [UInt8](repeating: 1, count: 100)).write(to: URL(fileURLWithPath: fifoImage))
        #expect(R.load(fifoImage, [1, 3, 2, 2]).status == KILN_OK)
        // Too many pixels is refused from the header alone.
        let huge = R.load(try R.write(Array("P6 16384 16384 255\n".utf8) + [0, 0, 0], "huge.ppm"), [1, 3, 2, 2])
        #expect(huge.status == KILN_ERR_UNSUPPORTED && huge.message.hasSuffix("PPM image 16384x16384 has more than 67108864 pixels"), "\(huge.message)")
    }
}
