import CProtobufC
import IR
import ONNXProto

/// `AttributeProto` → the IR's `AttributeValue`. The `type` field decides; files from old exporters
/// that leave it unset are read by which field is present.
func decodeAttribute(_ a: Onnx__AttributeProto, tensors: TensorDecoder) throws -> AttributeValue? {
    let name = string(a.name)
    let type = a.has_type != 0 ? Int(a.type) : inferredType(a)
    switch type {
    case 1: return .float(a.f)
    case 2:
        guard let v = Int(exactly: a.i) else { throw KilnError("attribute '\(name)' value is out of range") }
        return .int(v)
    case 3: return .string(bytesString(a.s))
    case 4:
        guard let t = a.t else { throw KilnError("attribute '\(name)' is a tensor but holds none") }
        return .tensor(try tensors.decode(t))
    case 6: return .floats(Array(scalars(a.floats, a.n_floats)))
    case 7: return .ints(scalars(a.ints, a.n_ints).map { Int($0) })
    case 8: return .strings(Array(scalars(a.strings, a.n_strings)).map(bytesString))
    case 9: throw KilnError("attribute '\(name)': lists of tensors are not supported")
    case 5, 10: throw KilnError("attribute '\(name)' is a graph; Kiln does not support control flow")
    case 0: return nil
    default: throw KilnError("attribute '\(name)' has an unsupported type \(type)")
    }
}

private func inferredType(_ a: Onnx__AttributeProto) -> Int {
    if a.n_floats > 0 { return 6 }
    if a.n_ints > 0 { return 7 }
    if a.n_strings > 0 { return 8 }
    if a.t != nil { return 4 }
    if a.has_s != 0 { return 3 }
    if a.has_i != 0 { return 2 }
    if a.has_f != 0 { return 1 }
    return 0
}

private func bytesString(_ b: ProtobufCBinaryData) -> String {
    guard let data = b.data, b.len > 0 else { return "" }
    return String(decoding: UnsafeBufferPointer(start: data, count: b.len), as: UTF8.self)
}

extension Attributes {
    /// The value of a `Constant` node, from whichever attribute form the exporter used.
    func constantNodeValue() throws -> Tensor {
        let a = self
        guard a.values.count == 1, let (key, _) = a.values.first else {
            throw KilnError("Constant must have exactly one value attribute, found \(a.values.keys.sorted())")
        }
        switch key {
        case "value": return try a.tensor("value") ?? Tensor(zeros: TensorType(.float32, []))
        case "value_float": return Tensor(shape: [], floats: [try a.float("value_float") ?? 0])
        case "value_floats":
            let v = try a.floats("value_floats") ?? []
            return Tensor(shape: [v.count], floats: v)
        case "value_int": return Tensor(shape: [], int64s: [Int64(try a.int("value_int") ?? 0)])
        case "value_ints":
            let v = try a.ints("value_ints") ?? []
            return Tensor(shape: [v.count], int64s: v.map(Int64.init))
        default: throw KilnError("Constant attribute '\(key)' is not supported")
        }
    }
}
