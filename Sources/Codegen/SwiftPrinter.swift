import Catalog
import IR

/// Prints a `KernelPlan` as Swift: `model.swift`, one function per node calling the Swift kernel
/// library (`Sources/SwiftKernels`, `KilnKernels<KilnTarget>`) with every shape a literal and every
/// argument labelled with its parameter's name, plus `kilnModelBody`, which calls them in graph
/// order with a barrier between nodes: every thread of the program's pool runs it (`kiln_parallel`),
/// each node splitting its kernels' work by the thread's part (the `_part` forms, Parallel.swift).
/// It prints only what depends on the plan: the entry point and tracing are the fixed
/// `kiln_program.swift`, main, input decoding and the pool the C runtime (`SwiftBackend`).
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
        // kernel library's part forms with literal shapes; every thread of the pool runs `kilnModelBody`.

        /// The target's vector (\(isa.rawValue), \(isa == .generic ? "one lane" : "\(isa.vectorWidth) floats")): the kernels are specialized for it.
        typealias KilnTarget = \(vectorType)
        typealias K = KilnKernels<KilnTarget>

        """
        for (position, function) in plan.functions.enumerated() { out += functionText(function, position: position) }
        out += "\n/// The whole model, run by every thread of the pool (`kilnModelRun`): each node's parts, then a barrier\n"
        out += "/// before the next node reads what they wrote.\nfunc kilnModelBody(_ t: UnsafePointer<kiln_task>) {\n"
        let traces = plan.functions.map(traceLine)
        if traces.contains(where: { $0 != nil }) { out += "#if KILN_TRACE\n    let m: KilnBuffers = kilnBuffers(t)\n#endif\n" }
        for (position, function) in plan.functions.enumerated() {
            out += "    \(Identifier.swiftSafe(function.name))(t)\n"
            if position + 1 < plan.functions.count { out += "    kiln_sync(t)\n" }
            if let trace = traces[position] { out += "#if KILN_TRACE\n    \(trace)\n#endif\n" }
        }
        return out + "}\n"
    }

    /// The C name of the node function at `position` in the plan (the profiler's node table calls it).
    public static func exportedName(_ position: Int) -> String { "kiln_swift_node_\(position)" }

    /// The Swift kernels: the C library's kernels for float32 EfficientNet-family graphs (the generic
    /// kernels of other operators and element types have no Swift twin yet).
    public static let kernels: Set<String> = Set([
        KernelCatalog.gemm, KernelCatalog.gatedGEMM, KernelCatalog.depthwise, KernelCatalog.expandDepthwise, KernelCatalog.convDepthwise,
        KernelCatalog.expandDepthwiseProject, KernelCatalog.convDepthwiseProject, KernelCatalog.direct,
        KernelCatalog.genericConv, KernelCatalog.squeezeExciteGate, KernelCatalog.channelScale, KernelCatalog.globalAveragePool, KernelCatalog.softmax,
        KernelCatalog.add, KernelCatalog.activation, KernelCatalog.nchwToNHWC, KernelCatalog.nhwcToNCHW, KernelCatalog.copyStrided,
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

    /// A node's function, called by every part of the run (and by the profiler's table, under its C
    /// name): each kernel's part form, or the whole kernel on part 0, with a barrier between calls.
    func functionText(_ function: KernelFunction, position: Int) -> String {
        var out = "\n" + function.comment.map { "// " + $0 }.joined(separator: "\n") + "\n"
        out += "@_cdecl(\"\(Self.exportedName(position))\")\n"
        out += "func \(Identifier.swiftSafe(function.name))(_ t: UnsafePointer<kiln_task>) {\n"
        let usesBuffers = function.calls.flatMap(\.arguments).contains { if case .buffer = $0 { true } else { false } }
        if usesBuffers { out += "    let m: KilnBuffers = kilnBuffers(t)\n" }
        out += function.calls.map(callText).joined(separator: "    kiln_sync(t)\n")
        return out + "}\n"
    }

    /// `K.f32_x_part(t, a: 1, b: 2, …)` for a kernel threads share (every part calls it), `if t.part == 0
    /// { K.f32_x(a: 1, …) }` for one that runs whole; wrapped before 120 columns. Swift's argument labels
    /// are the catalog's parameter names (`in` and the like are valid labels).
    func callText(_ call: KernelCall) -> String {
        let arguments = call.labelled.map { "\($0.name): \(argument($0.argument))" }
        if call.entry.isParallel { return SourceText.wrappedCall("    K.\(call.kernel)_part(", ["t"] + arguments, close: ")") }
        return SourceText.wrappedCall("    if t.part == 0 { K.\(call.kernel)(", arguments, close: ") }")
    }

    /// `kilnTrace(t, index, buffer, rank, (dims…, 0…))` for a function's result (see kiln_program.swift);
    /// nil when there is nothing to trace or the rank exceeds the runtime's eight dimensions.
    private func traceLine(_ function: KernelFunction) -> String? {
        guard let output = function.output else { return nil }
        let dims = output.physicalShape.isEmpty ? [1] : output.physicalShape
        guard dims.count <= 8 else { return nil }
        let padded = (dims + Array(repeating: 0, count: 8 - dims.count)).map(String.init).joined(separator: ", ")
        return "kilnTrace(t, \(function.node.index), \(argument(.buffer(output.buffer))), \(output.physicalShape.count), (\(padded)))"
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
        case .dims(let values), .strides(let values):
            return "(" + values.map(String.init).joined(separator: ", ") + ")"  // a KilnDims tuple
        case .real, .choice, .parameter:
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
