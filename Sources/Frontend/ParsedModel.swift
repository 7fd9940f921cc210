import CProtobufC
import IR
import ONNXProto

/// The unpacked protobuf-c message of a model file. Initializer tensors borrow their `raw_data`
/// from it instead of copying, so it lives as long as any of them.
final class ParsedModel: @unchecked Sendable {
    let message: UnsafeMutablePointer<Onnx__ModelProto>

    init(path: String) throws {
        let file = try MappedFile(path: path)
        guard file.bytes.count > 0, let base = file.bytes.baseAddress else {
            throw KilnError("the file is empty, not an ONNX model", file: path)
        }
        guard let message = onnx__model_proto__unpack(nil, file.bytes.count, base.assumingMemoryBound(to: UInt8.self)) else {
            throw KilnError("not a valid ONNX model (the protobuf data is malformed or truncated)", file: path)
        }
        self.message = message
    }

    deinit { onnx__model_proto__free_unpacked(message, nil) }
}

/// A C string field of a protobuf-c message; unset optional strings are NULL.
func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
    guard let pointer else { return "" }
    return String(cString: pointer)
}

/// A repeated message field as a Swift array of pointers, skipping NULL entries.
func messages<T>(_ pointer: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?, _ count: Int) -> [UnsafeMutablePointer<T>] {
    guard let pointer, count > 0 else { return [] }
    return UnsafeBufferPointer(start: pointer, count: count).compactMap { $0 }
}

/// A repeated string field.
func strings(_ pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int) -> [String] {
    guard let pointer, count > 0 else { return [] }
    return UnsafeBufferPointer(start: pointer, count: count).map { string($0) }
}

/// A repeated scalar field.
func scalars<T>(_ pointer: UnsafeMutablePointer<T>?, _ count: Int) -> UnsafeBufferPointer<T> {
    guard let pointer, count > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
    return UnsafeBufferPointer(start: pointer, count: count)
}
