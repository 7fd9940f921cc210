#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How much memory and work a model file or an input may make Kiln spend: one policy, checked before the
/// allocation or the computation happens, so that a hostile or mistaken file is one clear `KilnError` that names
/// the node and the size, never an abort in the allocator.
///
/// - `tensorBytes`: the largest tensor any shape may describe (weights, activations, inputs). Checked wherever a
///   shape enters the IR (`TensorType.checkedElementCount`: initializer dims, input shapes, every operator's
///   shape inference) and again by the interpreter before a kernel allocates its outputs.
/// - `foldBytes`, `foldWork`: what constant folding at import may create (bytes) and compute (MACs, or elements
///   for data movement) in total, *beyond* the weights the file itself carries. Exporters fold a few KiB of
///   shape arithmetic; transforming real weights (a Transpose, a Cast) is covered by the file's own weight
///   bytes; a few bytes that ask for a gigabyte are refused.
///
/// Defaults: one tensor 4 GiB; folding 16 MiB and 64 M operations (the fuzzer showed the reference kernels take
/// about a second under sanitizers for 64 MiB of short rows). `KILN_MAX_TENSOR_BYTES`,
/// `KILN_MAX_FOLD_BYTES` and `KILN_MAX_FOLD_WORK` raise (or lower) them: a number with an optional K, M, G or T
/// suffix (powers of 1024).
public struct ResourceLimits: Sendable, Equatable {
    public var tensorBytes: Int
    public var foldBytes: Int
    public var foldWork: Int

    public init(tensorBytes: Int, foldBytes: Int, foldWork: Int) {
        self.tensorBytes = tensorBytes
        self.foldBytes = foldBytes
        self.foldWork = foldWork
    }

    public static let defaults = ResourceLimits(tensorBytes: 4 << 30, foldBytes: 16 << 20, foldWork: 64 << 20)

    /// The limits in force: the defaults, with any environment overrides. Read once per process.
    public static let current: ResourceLimits = {
        func variable(_ name: String) -> Int? { getenv(name).flatMap { parseSize(String(cString: $0)) } }
        var limits = defaults
        if let v = variable("KILN_MAX_TENSOR_BYTES") { limits.tensorBytes = v }
        if let v = variable("KILN_MAX_FOLD_BYTES") { limits.foldBytes = v }
        if let v = variable("KILN_MAX_FOLD_WORK") { limits.foldWork = v }
        return limits
    }()

    /// Throws unless a tensor of `count` elements of `elementSize` bytes fits the per-tensor limit.
    /// `shape` and `count` only feed the message.
    public func checkTensor(shape: [Int], count: Int, elementSize: Int) throws {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: max(elementSize, 1))
        guard overflow || bytes > tensorBytes else { return }
        let size = overflow ? "more than \(Self.format(bytes: Int.max))" : Self.format(bytes: bytes)
        throw KilnError("shape \(shape) needs \(size) (\(count) elements); one tensor may take at most "
                        + "\(Self.format(bytes: tensorBytes)) (set KILN_MAX_TENSOR_BYTES to raise it)")
    }

    /// `"1.5 GiB"`, `"64 MiB"`, `"120 B"`: binary units, one decimal below 10.
    public static func format(bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let tenths = Int((value * 10).rounded())
        return tenths < 100 && tenths % 10 != 0 ? "\(tenths / 10).\(tenths % 10) \(units[unit])"
                                              : "\(Int(value.rounded())) \(units[unit])"
    }

    /// `"512M"` → 536870912; nil for anything that is not a positive size.
    static func parseSize(_ text: String) -> Int? {
        let shifts: [Character: Int] = ["K": 10, "M": 20, "G": 30, "T": 40]
        var digits = text.uppercased()
        if digits.hasSuffix("B") { digits.removeLast() }
        var shift = 0
        if let last = digits.last, let s = shifts[last] {
            shift = s
            digits.removeLast()
        }
        guard let n = Int(digits), n > 0, n <= Int.max >> shift else { return nil }
        return n << shift
    }
}

extension Int {
    /// `self + other`, or `Int.max` where that overflows: for sizes and costs compared with limits or reported,
    /// never used as counts.
    public func addingSaturated(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }

    /// `self * other`, or `Int.max` where that overflows (both non-negative).
    public func multipliedSaturated(_ other: Int) -> Int {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? .max : product
    }
}
