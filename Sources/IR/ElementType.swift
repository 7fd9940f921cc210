/// The element types Kiln's IR carries. ONNX `FLOAT16` tensors are widened to `float32` at import.
public enum ElementType: String, Sendable, Hashable, CaseIterable {
    case float32, float64, int64, int32, int8, uint8, bool

    /// Size of one element in bytes.
    public var byteSize: Int {
        switch self {
        case .float32, .int32: 4
        case .float64, .int64: 8
        case .int8, .uint8, .bool: 1
        }
    }

    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }
    public var isInteger: Bool { self == .int64 || self == .int32 || self == .int8 || self == .uint8 }

    /// The ONNX `TensorProto.DataType` code.
    public var onnxCode: Int32 {
        switch self {
        case .float32: 1
        case .uint8: 2
        case .int8: 3
        case .int32: 6
        case .int64: 7
        case .bool: 9
        case .float64: 11
        }
    }

    /// The IR type for an ONNX data type code, `float16` mapped to `float32`; nil when unsupported.
    public init?(onnxCode code: Int) {
        switch code {
        case 1, 10: self = .float32
        case 2: self = .uint8
        case 3: self = .int8
        case 6: self = .int32
        case 7: self = .int64
        case 9: self = .bool
        case 11: self = .float64
        default: return nil
        }
    }

    /// A readable name of any ONNX data type code, for error messages.
    public static func onnxName(_ code: Int) -> String {
        let names = [0: "UNDEFINED", 1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16", 6: "INT32",
                     7: "INT64", 8: "STRING", 9: "BOOL", 10: "FLOAT16", 11: "DOUBLE", 12: "UINT32",
                     13: "UINT64", 14: "COMPLEX64", 15: "COMPLEX128", 16: "BFLOAT16"]
        return names[code] ?? "type \(code)"
    }
}
