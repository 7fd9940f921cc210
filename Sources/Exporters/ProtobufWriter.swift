/// A minimal protocol-buffers wire-format writer: enough to emit ONNX's `ModelProto` without a
/// protobuf library. A message is built into a byte array field by field; nested messages are
/// written by building them first and emitting them as length-delimited bytes.
///
///     tag    = varint(field_number << 3 | wire_type)    wire types: 0 varint, 2 bytes, 5 fixed32
///     int64  = varint of the two's-complement 64-bit value (negative numbers take 10 bytes)
///     bytes  = tag, varint(length), the bytes
///
/// Repeated scalars are written unpacked (one tag per element), the proto2 default that
/// onnx.proto declares; every protobuf parser accepts that form.
public struct ProtobufWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func tag(_ field: Int, _ wireType: UInt64) {
        varint(UInt64(field) << 3 | wireType)
    }

    /// An `int64`, `int32` or enum field.
    public mutating func int(_ field: Int, _ value: Int) {
        tag(field, 0)
        varint(UInt64(bitPattern: Int64(value)))
    }

    /// A `float` field (fixed32, little-endian).
    public mutating func float(_ field: Int, _ value: Float) {
        tag(field, 5)
        let bits = value.bitPattern
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
    }

    /// A `bytes` field.
    public mutating func data<C: Collection>(_ field: Int, _ value: C) where C.Element == UInt8 {
        tag(field, 2)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A `string` field (UTF-8).
    public mutating func string(_ field: Int, _ value: String) { data(field, Array(value.utf8)) }

    /// An embedded message field.
    public mutating func message(_ field: Int, _ value: ProtobufWriter) { data(field, value.bytes) }

    /// An embedded message field built by `body`.
    public mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        body(&nested)
        message(field, nested)
    }
}
