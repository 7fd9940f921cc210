/// A fully static tensor type: element type and concrete dimensions. Kiln has no symbolic shapes
/// after import; a dynamic dimension is pinned by the frontend.
public struct TensorType: Sendable, Hashable, CustomStringConvertible {
    public var elementType: ElementType
    public var shape: [Int]

    public init(_ elementType: ElementType, _ shape: [Int]) {
        self.elementType = elementType
        self.shape = shape
    }

    public var rank: Int { shape.count }

    /// Number of elements. Shapes are validated by `checkedElementCount` where they enter the IR (the
    /// frontend checks every node's output types), so this cannot overflow for a type in a graph.
    public var elementCount: Int { shape.reduce(1, *) }

    public var byteCount: Int { elementCount * elementType.byteSize }

    /// `float32[1x3x224x224]`, the form every printer uses.
    public var description: String { "\(elementType.rawValue)[\(shape.map(String.init).joined(separator: "x"))]" }

    /// The element count of `shape`, or an error if a dimension is negative, the product overflows,
    /// or the tensor (at `elementSize` bytes an element) is larger than `ResourceLimits.current` allows.
    public static func checkedElementCount(_ shape: [Int], elementSize: Int = 1) throws -> Int {
        var count = 1
        for d in shape {
            guard d >= 0 else { throw KilnError("negative dimension \(d) in shape \(shape)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw KilnError("shape \(shape) has too many elements") }
            count = product
        }
        try ResourceLimits.current.checkTensor(shape: shape, count: count, elementSize: elementSize)
        return count
    }

    /// Throws unless this type passes `checkedElementCount`: for types built without it.
    public func checkSize() throws {
        _ = try Self.checkedElementCount(shape, elementSize: elementType.byteSize)
    }
}

/// Helpers shared by shape inference and kernels.
public enum Shapes {
    /// Row-major strides of `shape`.
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = running
            running *= shape[i]
        }
        return strides
    }

    /// Numpy-style multidirectional broadcast of two shapes.
    public static func broadcast(_ a: [Int], _ b: [Int]) throws -> [Int] {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 {
                result[i] = da
            } else if da == 1 {
                result[i] = db
            } else {
                throw KilnError("shapes \(a) and \(b) do not broadcast")
            }
        }
        return result
    }

    /// Broadcast of any number of shapes.
    public static func broadcast(_ shapes: [[Int]]) throws -> [Int] {
        try shapes.dropFirst().reduce(shapes.first ?? []) { try broadcast($0, $1) }
    }

    /// Normalizes a possibly negative axis against `rank`, or throws.
    public static func axis(_ axis: Int, rank: Int) throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < rank else { throw KilnError("axis \(axis) is out of range for rank \(rank)") }
        return a
    }
}
