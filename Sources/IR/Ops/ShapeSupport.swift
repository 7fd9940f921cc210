/// Helpers shared by the shape and data-movement operators (Reshape, Slice, Pad, …).
///
/// Every number here can come from a model file (dims, pads, starts, axes), so arithmetic is
/// checked and reports a `KilnError` instead of trapping.
enum ShapeSupport {
    /// `a + b`, or an error naming `what` when it overflows.
    static func add(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw KilnError("\(what()) overflows") }
        return sum
    }

    /// The product of `dims`, or an error when it overflows (a shape with a 0 dimension is valid
    /// however large its other dimensions, so partial products must be checked too).
    static func product<C: Collection<Int>>(_ dims: C) throws -> Int {
        try dims.reduce(1) { running, d in
            let (p, overflow) = running.multipliedReportingOverflow(by: d)
            guard !overflow else { throw KilnError("the product of dimensions \(Array(dims)) overflows") }
            return p
        }
    }

    /// The type `elementType[shape]` after checking that the shape is valid and not too large.
    static func checkedType(_ elementType: ElementType, _ shape: [Int]) throws -> TensorType {
        _ = try TensorType.checkedElementCount(shape, elementSize: elementType.byteSize)
        return TensorType(elementType, shape)
    }

    /// Axes normalized against `rank` (negative ones count from the end); duplicates are an error.
    static func axes(_ axes: [Int], rank: Int, _ op: String) throws -> [Int] {
        let normalized = try axes.map { try Shapes.axis($0, rank: rank) }
        guard Set(normalized).count == normalized.count else { throw KilnError("\(op) axes \(axes) repeat an axis") }
        return normalized
    }

    /// The integer elements of a constant input used as a shape, axes, pads or indices.
    static func integers(_ tensor: Tensor, _ role: String) throws -> [Int] {
        guard tensor.elementType == .int64 || tensor.elementType == .int32 else {
            throw KilnError("\(role) must be an int64 or int32 tensor, found \(tensor.type)")
        }
        guard tensor.type.rank <= 1 else { throw KilnError("\(role) must be 1-D, found \(tensor.type)") }
        return try tensor.integers()
    }
}

extension Tensor {
    /// A scalar of `elementType` holding `value`; an error when `value` is not representable
    /// (NaN or out of range for an integer type). Integer types truncate toward zero.
    public static func scalar(_ value: Double, as elementType: ElementType) throws -> Tensor {
        func integer<T: FixedWidthInteger>(_: T.Type) throws -> [T] {
            guard let v = T(exactly: value.rounded(.towardZero)) else {
                throw KilnError("value \(value) does not fit in \(elementType.rawValue)")
            }
            return [v]
        }
        let type = TensorType(elementType, [])
        switch elementType {
        case .float32: return Tensor(copying: [Float(value)], as: type)
        case .float64: return Tensor(copying: [value], as: type)
        case .int64: return Tensor(copying: try integer(Int64.self), as: type)
        case .int32: return Tensor(copying: try integer(Int32.self), as: type)
        case .int8: return Tensor(copying: try integer(Int8.self), as: type)
        case .uint8: return Tensor(copying: try integer(UInt8.self), as: type)
        case .bool: return Tensor(copying: [UInt8(value != 0 ? 1 : 0)], as: type)
        }
    }

    /// Same type and same bytes: equality for operators that store a tensor attribute.
    func hasSameContents(as other: Tensor) -> Bool {
        type == other.type && storage.bytes.elementsEqual(other.storage.bytes)
    }

    /// A one-element tensor as a printable attribute: `.int` for integer and bool types, `.float` otherwise.
    var scalarAttribute: AttributeValue {
        if elementType.isFloatingPoint { return .float(Float(doubles().first ?? 0)) }
        return .int((try? integers().first) ?? 0)
    }
}
