import Catalog
import IR

/// Prints a `KernelPlan` as Swift: `model.swift`, one function per node calling the Swift kernel
/// library (`Sources/SwiftKernels`, `KilnKernels<KilnTarget>`) with every shape a literal and every
/// argument labelled with its parameter's name, plus `kilnRunModel`, which calls them in graph
/// order. It prints only what depends on the plan: the entry point and tracing are the fixed
/// `kiln_program.swift`, main and input decoding the C runtime (`SwiftBackend`).
///
/// The Swift is kept simple for the type checker: every declaration has an explicit type, every
/// argument is a literal or `m.region + offset`, and no expression is longer than one call.
public struct SwiftPrinter {
    public var isa: ISA

    public init(isa: ISA) { self.isa = isa }

    /// The vector type the target's kernels are specialized for.
    public var vectorType: String {
        switch isa {
        case .avx512: "SIMD16<Float>"
        case .avx2: "SIMD8<Float>"
        case .generic: "Float"
        }
    }

    public func model(_ plan: KernelPlan) -> String {
        var out = plan.banner.map { "// " + Identifier.commentText($0, limit: 400) }.joined(separator: "\n")
        out += """


        // The model as Swift: one function per node of the optimized graph, each calling the Swift
        // kernel library with literal shapes; `kilnRunModel` runs them in graph order.

        /// The target's vector (\(isa.rawValue), \(isa == .generic ? "one lane" : "\(isa.vectorWidth) floats")): the kernels are specialized for it.
        typealias KilnTarget = \(vectorType)
        typealias K = KilnKernels<KilnTarget>

        """
        for function in plan.functions { out += functionText(function) }
        out += "\n// Every node callable from C, for the profiler's node table (model_labels.c).\n"
        for (position, function) in plan.functions.enumerated() {
            out += "@_cdecl(\"\(Self.exportedName(position))\")\n"
            out += "func kilnNode\(position)(_ inputs: UnsafePointer<UnsafeRawPointer?>, _ outputs: UnsafePointer<UnsafeMutableRawPointer?>) {\n"
            out += "    if let m: KilnBuffers = kilnBuffers(inputs, outputs) { \(Identifier.swiftSafe(function.name))(m) }\n}\n"
        }
        out += "\n/// Every node, in the optimized graph's order.\nfunc kilnRunModel(_ m: KilnBuffers) {\n"
        for function in plan.functions {
            out += "    \(Identifier.swiftSafe(function.name))(m)\n"
            if let trace = traceLine(function) { out += "#if KILN_TRACE\n    \(trace)\n#endif\n" }
        }
        return out + "}\n"
    }

    /// The C name of the node function at `position` in the plan.
    public static func exportedName(_ position: Int) -> String { "kiln_swift_node_\(position)" }

    /// The Swift kernels: the C library's kernels for float32 EfficientNet-family graphs (the generic
    /// kernels of other operators and element types have no Swift twin yet).
    public static let kernels: Set<String> = Set([
        KernelCatalog.gemm, KernelCatalog.gatedGEMM, KernelCatalog.depthwise, KernelCatalog.expandDepthwise, KernelCatalog.direct,
        KernelCatalog.genericConv, KernelCatalog.squeezeExciteGate, KernelCatalog.channelScale, KernelCatalog.globalAveragePool, KernelCatalog.softmax,
        KernelCatalog.add, KernelCatalog.activation, KernelCatalog.nchwToNHWC, KernelCatalog.nhwcToNCHW,
    ].map(\.name))

    /// What in `plan` the Swift backend cannot print: calls of kernels without a Swift twin, and
    /// programs with more than one input or output (each listed once, with its node).
    public static func unsupported(_ plan: KernelPlan) -> [String] {
        var problems: [String] = []
        for function in plan.functions {
            for call in function.calls where !kernels.contains(call.kernel) {
                problems.append("\(call.kernel) (node '\(function.node.name)')")
            }
            for argument in function.calls.flatMap(\.arguments) {
                if case .buffer(.input(let i, _)) = argument, i > 0 { problems.append("input \(i) (node '\(function.node.name)')") }
                if case .buffer(.output(let i, _)) = argument, i > 0 { problems.append("output \(i) (node '\(function.node.name)')") }
            }
        }
        var seen = Set<String>()
        return problems.filter { seen.insert($0).inserted }
    }

    func functionText(_ function: KernelFunction) -> String {
        var out = "\n" + function.comment.map { "// " + $0 }.joined(separator: "\n") + "\n"
        out += "func \(Identifier.swiftSafe(function.name))(_ m: KilnBuffers) {\n"
        for call in function.calls { out += callText(call) }
        return out + "}\n"
    }

    /// `K.f32_x(a: 1, b: 2, …)`, wrapped before 120 columns. Swift's argument labels are the
    /// catalog's parameter names (`in` and the like are valid labels).
    func callText(_ call: KernelCall) -> String {
        SourceText.wrappedCall("    K.\(call.kernel)(", call.labelled.map { "\($0.name): \(argument($0.argument))" }, close: ")")
    }

    /// `kilnTrace(index, buffer, rank, (dims…, 0…))` for a function's result (see kiln_program.swift);
    /// nil when there is nothing to trace or the rank exceeds the runtime's eight dimensions.
    private func traceLine(_ function: KernelFunction) -> String? {
        guard let output = function.output else { return nil }
        let dims = output.physicalShape.isEmpty ? [1] : output.physicalShape
        guard dims.count <= 8 else { return nil }
        let padded = (dims + Array(repeating: 0, count: 8 - dims.count)).map(String.init).joined(separator: ", ")
        return "kilnTrace(\(function.node.index), \(argument(.buffer(output.buffer))), \(output.physicalShape.count), (\(padded)))"
    }

    private func argument(_ argument: Argument) -> String {
        switch argument {
        case .size(let v): return "\(v)"
        case .none: return "nil"
        case .activation(let a): return activation(a)
        case .buffer(let b):
            // Only input and output 0 reach here (`unsupported` refuses the others).
            let (region, offset): (String, Int) = switch b {
            case .input(_, let o): ("input", o)
            case .output(_, let o): ("output", o)
            case .arena(let o): ("arena", o)
            case .weights(let o): ("weights", o)
            case .scratch(let o): ("scratch", o)
            }
            return offset == 0 ? "m.\(region)" : "m.\(region) + \(offset)"
        case .real, .dims, .strides, .choice:
            return "()"  // generic kernels only, which `unsupported` refuses
        }
    }

    private func activation(_ a: Activation) -> String {
        switch a {
        case .none: ".none"
        case .relu: ".relu"
        case .relu6: ".relu6"
        case .silu: ".silu"
        case .hardSwish: ".hardSwish"
        case .sigmoid: ".sigmoid"
        case .hardSigmoid(let alpha, let beta): ".hardSigmoid(\(float(alpha)), \(float(beta)))"
        case .clip(let lo, let hi): ".clip(\(float(lo)), \(float(hi)))"
        }
    }

    /// A Swift `Float` expression for any value: a literal (`0.2`, `6.0`, `1e-05`), or the named
    /// infinities and NaN.
    private func float(_ v: Float) -> String {
        if v.isNaN { return "Float.nan" }
        if v.isInfinite { return v < 0 ? "-Float.infinity" : "Float.infinity" }
        let text = "\(v)"
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }
}
