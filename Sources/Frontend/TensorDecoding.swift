import IR
import ONNXProto

/// Turns `TensorProto` messages into IR tensors.
///
/// Data can come from `raw_data` (little-endian bytes, borrowed from the parsed message when already
/// aligned), from the typed fields (`float_data`, `int32_data`, `int64_data`, `double_data`), or from
/// an external file (`data_location = EXTERNAL`), which is memory-mapped and borrowed. `FLOAT16`
/// tensors are widened to float32. Every length is checked against the dims before anything is read.
struct TensorDecoder {
    /// Owner of the parsed message, whose `raw_data` bytes tensors borrow.
    let message: AnyObject
    let externalData: ExternalDataResolver

    func decode(_ proto: UnsafeMutablePointer<Onnx__TensorProto>) throws -> Tensor {
        let t = proto.pointee
        let name = string(t.name)
        do {
            return try decodeChecked(t)
        } catch let error as KilnError {
            throw KilnError("tensor '\(name)': \(error.message)")
        }
    }

    private func decodeChecked(_ t: Onnx__TensorProto) throws -> Tensor {
        let code = Int(t.data_type)
        guard let elementType = ElementType(onnxCode: code) else {
            throw KilnError("data type \(ElementType.onnxName(code)) is not supported")
        }
        let isHalf = code == 10
        let shape = scalars(t.dims, t.n_dims).map { Int($0) }
        let sourceElementSize = isHalf ? 2 : elementType.byteSize
        let count = try TensorType.checkedElementCount(shape, elementSize: max(sourceElementSize, elementType.byteSize))
        let type = TensorType(elementType, shape)
        let sourceBytes = count * sourceElementSize

        if t.has_data_location != 0, t.data_location == 1 {
            let entries = messages(t.external_data, t.n_external_data).map { (string($0.pointee.key), string($0.pointee.value)) }
            let (bytes, owner) = try externalData.bytes(entries: entries, expectedLength: sourceBytes)
            return try make(type, from: bytes, owner: owner, half: isHalf)
        }
        if t.has_raw_data != 0 {
            let raw = t.raw_data
            guard raw.len == sourceBytes else {
                throw KilnError("raw_data holds \(raw.len) bytes, but dims \(shape) of \(ElementType.onnxName(code)) need \(sourceBytes)")
            }
            return try make(type, from: UnsafeRawBufferPointer(start: raw.data, count: raw.len), owner: message, half: isHalf)
        }
        if t.has_data_location != 0, t.data_location != 0 {
            throw KilnError("unknown data_location \(t.data_location)")
        }
        return try fromTypedFields(t, type: type, code: code)
    }

    /// Wraps little-endian bytes as a tensor: borrowed when aligned, copied otherwise, widened for float16.
    private func make(_ type: TensorType, from bytes: UnsafeRawBufferPointer, owner: AnyObject, half: Bool) throws -> Tensor {
        if half {
            let tensor = Tensor(zeros: type)
            let out = tensor.mutableFloats
            for i in 0..<out.count {
                let bits = UInt16(bytes[2 * i]) | UInt16(bytes[2 * i + 1]) << 8
                out[i] = Float(Float16(bitPattern: bits))
            }
            return tensor
        }
        if bytes.count == 0 { return Tensor(zeros: type) }
        if let base = bytes.baseAddress, Int(bitPattern: base) % type.elementType.byteSize == 0 {
            return Tensor(type: type, storage: TensorStorage(borrowing: bytes, owner: owner))
        }
        let storage = TensorStorage(byteCount: bytes.count)
        storage.mutableBytes.copyMemory(from: bytes)
        return Tensor(type: type, storage: storage)
    }

    private func fromTypedFields(_ t: Onnx__TensorProto, type: TensorType, code: Int) throws -> Tensor {
        let count = type.elementCount
        // The field's length is checked before the tensor is allocated: dims without data must not allocate.
        let (field, given) = switch code {
        case 1: ("float_data", t.n_float_data)
        case 11: ("double_data", t.n_double_data)
        case 7: ("int64_data", t.n_int64_data)
        default: ("int32_data", t.n_int32_data)  // float16 bit patterns, int32, uint8, int8, bool
        }
        guard given == count else {
            throw KilnError("\(field) holds \(given) values, but dims \(type.shape) need \(count)")
        }
        let tensor = Tensor(zeros: type)
        let out = tensor.storage.mutableBytes
        switch code {
        case 1:
            out.copyMemory(from: UnsafeRawBufferPointer(scalars(t.float_data, t.n_float_data)))
        case 10:  // float16 bit patterns live in int32_data
            let dst = out.bindMemory(to: Float.self)
            for (i, bits) in scalars(t.int32_data, t.n_int32_data).enumerated() {
                dst[i] = Float(Float16(bitPattern: UInt16(truncatingIfNeeded: bits)))
            }
        case 11:
            out.copyMemory(from: UnsafeRawBufferPointer(scalars(t.double_data, t.n_double_data)))
        case 7:
            out.copyMemory(from: UnsafeRawBufferPointer(scalars(t.int64_data, t.n_int64_data)))
        case 6:
            out.copyMemory(from: UnsafeRawBufferPointer(scalars(t.int32_data, t.n_int32_data)))
        case 2, 3, 9:  // uint8, int8, bool: one value per int32_data entry
            let dst = out.bindMemory(to: UInt8.self)
            for (i, v) in scalars(t.int32_data, t.n_int32_data).enumerated() {
                dst[i] = code == 9 ? (v != 0 ? 1 : 0) : UInt8(truncatingIfNeeded: v)
            }
        default:
            throw KilnError("data type \(ElementType.onnxName(code)) is not supported")
        }
        return tensor
    }
}

/// A standalone ONNX `TensorProto` file (`input_0.pb` in the ONNX test-data layout).
public enum TensorFile {
    public static func read(path: String) throws -> Tensor {
        let parsed = try ParsedTensor(path: path)
        let decoder = TensorDecoder(message: parsed, externalData: ExternalDataResolver(modelPath: path))
        do {
            return try decoder.decode(parsed.message)
        } catch let error as KilnError {
            throw error.in(file: path)
        }
    }
}

private final class ParsedTensor {
    let message: UnsafeMutablePointer<Onnx__TensorProto>

    init(path: String) throws {
        let file = try MappedFile(path: path)
        guard file.bytes.count > 0, let base = file.bytes.baseAddress,
              let message = onnx__tensor_proto__unpack(nil, file.bytes.count, base.assumingMemoryBound(to: UInt8.self)) else {
            throw KilnError("not a valid ONNX TensorProto file", file: path)
        }
        self.message = message
    }

    deinit { onnx__tensor_proto__free_unpacked(message, nil) }
}
