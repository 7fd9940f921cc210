/// Bytes of a tensor, wherever they live: memory Kiln allocated, a memory-mapped external data
/// file, or the protobuf message the model was parsed into. The owner keeps the memory alive.
///
/// Storage is immutable once built; kernels write into a fresh `TensorStorage` and then wrap it.
public final class TensorStorage: @unchecked Sendable {
    public let bytes: UnsafeRawBufferPointer
    private let owner: AnyObject?
    private let ownsAllocation: Bool

    /// Zero-filled, 64-byte aligned memory owned by this storage.
    public init(byteCount: Int) {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
        bytes = UnsafeRawBufferPointer(start: raw, count: byteCount)
        owner = nil
        ownsAllocation = true
    }

    /// Memory someone else owns; `owner` is retained for as long as this storage lives.
    public init(borrowing bytes: UnsafeRawBufferPointer, owner: AnyObject) {
        self.bytes = bytes
        self.owner = owner
        ownsAllocation = false
    }

    /// Writable view of memory this storage allocated. Only for the code that fills a fresh tensor.
    public var mutableBytes: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(mutating: bytes) }

    deinit {
        if ownsAllocation, let base = bytes.baseAddress { UnsafeMutableRawPointer(mutating: base).deallocate() }
    }
}

/// A tensor value: a static type and its bytes, in row-major order.
public struct Tensor: Sendable {
    public let type: TensorType
    public let storage: TensorStorage

    public init(type: TensorType, storage: TensorStorage) {
        self.type = type
        self.storage = storage
    }

    /// A zero-filled tensor of `type`.
    public init(zeros type: TensorType) {
        self.init(type: type, storage: TensorStorage(byteCount: type.byteCount))
    }

    public init(shape: [Int], floats: [Float]) {
        self.init(copying: floats, as: TensorType(.float32, shape))
    }

    public init(shape: [Int], int64s: [Int64]) {
        self.init(copying: int64s, as: TensorType(.int64, shape))
    }

    /// A tensor holding a copy of `values`; `values.count` must equal the element count of `type`.
    public init<T>(copying values: [T], as type: TensorType) {
        precondition(values.count == type.elementCount && MemoryLayout<T>.stride == type.elementType.byteSize,
                     "tensor literal does not match its type")  // programmer error, not model data
        let storage = TensorStorage(byteCount: type.byteCount)
        values.withUnsafeBytes { storage.mutableBytes.copyMemory(from: $0) }
        self.init(type: type, storage: storage)
    }

    public var shape: [Int] { type.shape }
    public var elementType: ElementType { type.elementType }
    public var elementCount: Int { type.elementCount }

    /// Typed read access. `T` must match the element type.
    public func withElements<T, R>(as _: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        try body(storage.bytes.bindMemory(to: T.self))
    }

    public var floats: UnsafeBufferPointer<Float> {
        precondition(elementType == .float32, "floats of a \(type) tensor")
        return storage.bytes.bindMemory(to: Float.self)
    }

    /// Writable elements of a tensor the caller just created (kernel outputs).
    public var mutableFloats: UnsafeMutableBufferPointer<Float> {
        precondition(elementType == .float32, "floats of a \(type) tensor")
        return storage.mutableBytes.bindMemory(to: Float.self)
    }

    /// The elements as Int, for integer tensors (shape arithmetic, indices, axes).
    public func integers() throws -> [Int] {
        switch elementType {
        case .int64: return withElements(as: Int64.self) { $0.map { Int($0) } }
        case .int32: return withElements(as: Int32.self) { $0.map { Int($0) } }
        case .int8: return withElements(as: Int8.self) { $0.map { Int($0) } }
        case .uint8: return withElements(as: UInt8.self) { $0.map { Int($0) } }
        case .bool: return withElements(as: UInt8.self) { $0.map { $0 != 0 ? 1 : 0 } }
        case .float32, .float64: throw KilnError("expected an integer tensor, got \(type)")
        }
    }

    /// The elements as Double, for any element type (scalars such as Clip bounds, Pad values).
    public func doubles() -> [Double] {
        switch elementType {
        case .float32: withElements(as: Float.self) { $0.map { Double($0) } }
        case .float64: withElements(as: Double.self) { Array($0) }
        case .int64: withElements(as: Int64.self) { $0.map { Double($0) } }
        case .int32: withElements(as: Int32.self) { $0.map { Double($0) } }
        case .int8: withElements(as: Int8.self) { $0.map { Double($0) } }
        case .uint8, .bool: withElements(as: UInt8.self) { $0.map { Double($0) } }
        }
    }

    /// The same bytes under another shape with the same element count.
    public func reshaped(_ shape: [Int]) -> Tensor {
        precondition(shape.reduce(1, *) == elementCount, "reshape changes the element count")
        return Tensor(type: TensorType(elementType, shape), storage: storage)
    }
}
