#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import IR

/// The floating-point element types (Float, Double) with the math functions kernels need, so a
/// kernel is written once, generically, and specialized for each type.
public protocol KernelFloat: BinaryFloatingPoint, Sendable {
    static func exponential(_ x: Self) -> Self
    static func hyperbolicTangent(_ x: Self) -> Self
    static func errorFunction(_ x: Self) -> Self
    static func power(_ x: Self, _ y: Self) -> Self
}

extension Float: KernelFloat {
    public static func exponential(_ x: Float) -> Float { expf(x) }
    public static func hyperbolicTangent(_ x: Float) -> Float { tanhf(x) }
    public static func errorFunction(_ x: Float) -> Float { erff(x) }
    public static func power(_ x: Float, _ y: Float) -> Float { powf(x, y) }
}

extension Double: KernelFloat {
    public static func exponential(_ x: Double) -> Double { exp(x) }
    public static func hyperbolicTangent(_ x: Double) -> Double { tanh(x) }
    public static func errorFunction(_ x: Double) -> Double { erf(x) }
    public static func power(_ x: Double, _ y: Double) -> Double { pow(x, y) }
}

/// The integer element types. Kernels use only wrapping arithmetic (`&+`, `&-`, `&*`) and
/// checked division on them, so no model data can make them trap.
public protocol KernelInteger: FixedWidthInteger, Sendable {}
extension Int64: KernelInteger {}
extension Int32: KernelInteger {}
extension Int8: KernelInteger {}
extension UInt8: KernelInteger {}

/// A bool element as the IR stores it: one byte, 0 or 1.
public struct BoolByte: Sendable, Equatable {
    public var byte: UInt8
    public init(_ value: Bool) { byte = value ? 1 : 0 }
}

/// An element type values can be converted into by Cast's rules (see `Cast`'s doc comment).
public protocol CastTarget {
    /// From a floating-point value (Float widens to Double exactly).
    init(castingFloat value: Double)
    /// From an integer value (every integer element type and bool fit in Int64).
    init(castingInteger value: Int64)
}

/// An element type values can be converted from by Cast's rules.
public protocol CastSource {
    func cast<T: CastTarget>(to: T.Type) -> T
}

extension Float: CastTarget, CastSource {
    public init(castingFloat value: Double) { self.init(value) }
    public init(castingInteger value: Int64) { self.init(value) }
    public func cast<T: CastTarget>(to: T.Type) -> T { T(castingFloat: Double(self)) }
}

extension Double: CastTarget, CastSource {
    public init(castingFloat value: Double) { self = value }
    public init(castingInteger value: Int64) { self.init(value) }
    public func cast<T: CastTarget>(to: T.Type) -> T { T(castingFloat: self) }
}

extension KernelInteger {
    /// Truncates toward zero; NaN becomes 0 and out-of-range values saturate.
    public init(castingFloat value: Double) {
        if let exact = Self(exactly: value.rounded(.towardZero)) {
            self = exact
        } else if value.isNaN {
            self = 0
        } else {
            self = value < 0 ? .min : .max
        }
    }

    /// Keeps the low bits (two's-complement wrap), as C does.
    public init(castingInteger value: Int64) { self.init(truncatingIfNeeded: value) }

    public func cast<T: CastTarget>(to: T.Type) -> T { T(castingInteger: Int64(self)) }
}

extension Int64: CastTarget, CastSource {}
extension Int32: CastTarget, CastSource {}
extension Int8: CastTarget, CastSource {}
extension UInt8: CastTarget, CastSource {}

extension BoolByte: CastTarget, CastSource {
    public init(castingFloat value: Double) { self.init(value != 0) }
    public init(castingInteger value: Int64) { self.init(value != 0) }
    public func cast<T: CastTarget>(to: T.Type) -> T { T(castingInteger: byte != 0 ? 1 : 0) }
}

extension Kernel {
    /// `x` converted elementwise to `type` (same shape) by Cast's rules.
    static func cast(_ x: Tensor, to type: ElementType) -> Tensor {
        switch x.elementType {
        case .float32: cast(x, from: Float.self, to: type)
        case .float64: cast(x, from: Double.self, to: type)
        case .int64: cast(x, from: Int64.self, to: type)
        case .int32: cast(x, from: Int32.self, to: type)
        case .int8: cast(x, from: Int8.self, to: type)
        case .uint8: cast(x, from: UInt8.self, to: type)
        case .bool: cast(x, from: BoolByte.self, to: type)
        }
    }

    private static func cast<S: CastSource>(_ x: Tensor, from: S.Type, to type: ElementType) -> Tensor {
        let outType = TensorType(type, x.shape)
        return switch type {
        case .float32: map(x, as: S.self, to: outType) { $0.cast(to: Float.self) }
        case .float64: map(x, as: S.self, to: outType) { $0.cast(to: Double.self) }
        case .int64: map(x, as: S.self, to: outType) { $0.cast(to: Int64.self) }
        case .int32: map(x, as: S.self, to: outType) { $0.cast(to: Int32.self) }
        case .int8: map(x, as: S.self, to: outType) { $0.cast(to: Int8.self) }
        case .uint8: map(x, as: S.self, to: outType) { $0.cast(to: UInt8.self) }
        case .bool: map(x, as: S.self, to: outType) { $0.cast(to: BoolByte.self) }
        }
    }

    /// A tensor of `type` whose elements are `f` of the elements of `x`, read as `T`.
    @inline(__always)
    static func map<T, U>(_ x: Tensor, as _: T.Type, to type: TensorType, _ f: (T) -> U) -> Tensor {
        let y = Tensor(zeros: type)
        let src = x.storage.bytes.bindMemory(to: T.self)
        let dst = y.storage.mutableBytes.bindMemory(to: U.self)
        for i in 0..<src.count { dst[i] = f(src[i]) }
        return y
    }
}
