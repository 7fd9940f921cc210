import IR

/// Prints a `KernelPlan` as C: `model.h` (the API, the shapes, and the macros that configure the
/// runtime's fixed program files, read by the few compiled with each model: kiln_model_info.c, kiln_weights.c), `model_internal.h`, `model.c` and `model_layers_N.c` (one static
/// function per node, `kiln_model_run`, the class names), and `weights.S`. It prints only what
/// depends on the plan: `main`, weight mapping and tracing are real C files of the runtime
/// (`Sources/Runtime/program/`). The kernels are the kernel library's `static inline` functions,
/// which the C compiler specializes for the literal shapes of every call.
public struct CPrinter {
    public var weights: WeightsMode
    public var preprocess: String
    public var labels: [String]

    public init(weights: WeightsMode, preprocess: String, labels: [String]) {
        self.weights = weights
        self.preprocess = preprocess
        self.labels = labels
    }

    private func banner(_ plan: KernelPlan) -> String {
        "/*\n" + plan.banner.map { " * " + Identifier.commentText($0, limit: 400) }.joined(separator: "\n") + "\n */\n"
    }

    // MARK: - model.h

    public func header(_ plan: KernelPlan) -> String {
        func dims(_ t: TensorType) -> String { t.shape.map(String.init).joined(separator: ", ") }
        /// `{type, rank, {dims}, count}` per tensor, one dummy entry when there are none (C has no empty arrays).
        func table(_ tensors: [PlanTensor]) -> String {
            let rows = tensors.map { "{\($0.type.elementType.onnxCode), \($0.type.rank), {\($0.type.rank == 0 ? "0" : dims($0.type))}, \($0.type.elementCount)}" }
            return "{ " + (rows.isEmpty ? ["{0, 0, {0}, 0}"] : rows).joined(separator: ", ") + " }"
        }
        func listing(_ role: String, _ tensors: [PlanTensor]) -> String {
            tensors.enumerated().map { " *   \(role) \($0.offset) '\(Identifier.commentText($0.element.name, limit: 80))': \($0.element.type)\n" }.joined()
        }
        let norm = preprocess == "inception" ? "KILN_NORM_INCEPTION" : "KILN_NORM_IMAGENET"
        return banner(plan) + """
        #ifndef KILN_MODEL_H
        #define KILN_MODEL_H

        #include <stddef.h>

        /* The model's inputs and outputs, row-major (NCHW):
        \(listing("input", plan.inputs) + listing("output", plan.outputs)) * Element types are ONNX TensorProto codes: 1 float32, 11 float64, 7 int64, 6 int32, 3 int8, 2 uint8, 9 bool. */
        #define KILN_INPUTS \(plan.inputs.count)
        #define KILN_OUTPUTS \(plan.outputs.count)
        /* Per tensor: {element type, rank, {dims}, element count}. */
        #define KILN_INPUT_TABLE \(table(plan.inputs))
        #define KILN_OUTPUT_TABLE \(table(plan.outputs))
        /* Static memory: the arena of intermediate tensors and the kernels' scratch. */
        #define KILN_ARENA_BYTES \(plan.arenaBytes)
        #define KILN_SCRATCH_BYTES \(plan.scratchBytes)
        #define KILN_WEIGHTS_BYTES \(plan.weights.count)
        /* How the program reads images and finds its weights (kiln_model_info.c, kiln_weights.c). */
        #define KILN_PREPROCESS \(norm)
        #define KILN_PREPROCESS_NAME "\(Identifier.cString(preprocess))"
        #define KILN_WEIGHTS_EXTERNAL \(weights == .external ? 1 : 0)

        \(weights == .external ? """
        /* Maps the weights file (written beside the binary by kiln compile); 0 on success, else -1 with a
         * message in err. Call once before kiln_model_run. */
        int kiln_model_load_weights(const char *path, char *err, size_t errlen);

        """ : "")/* Runs the model: inputs[i] holds input i's elements, outputs[i] receives output i's (in the order
         * listed above). Not reentrant (one static arena). Returns 0. */
        int kiln_model_run(const void *const inputs[], void *const outputs[]);

        #endif

        """
    }

    // MARK: - model.c and its layer files

    /// The generated C of the model, split so the C compiler can build the parts in parallel:
    /// `model_internal.h` (the shared buffers and every node function's prototype), `model.c` (the
    /// buffers, the class names, `kiln_model_run`, and the first share of the node functions), and
    /// `model_layers_N.c` (the other shares). Shares are balanced by kernel calls, which is what
    /// compile time follows.
    public func model(_ plan: KernelPlan, parts: Int) -> [(name: String, text: String)] {
        let shared = SharedCalls(plan, key: instanceKey)
        let shares = Self.split(plan.functions, into: max(1, parts)) { shared.compiledCalls($0) }
        var sharedHeader = banner(plan) + """
        #ifndef KILN_MODEL_INTERNAL_H
        #define KILN_MODEL_INTERNAL_H
        /* What the files of the generated model share: buffers and node functions. */

        /* Every kernel call below passes its shapes as constants: kernels may inline their stages for them. */
        #define KILN_SPECIALIZED_CALLS 1
        #include "kiln_kernels.h"
        #include "kiln_program.h"
        #include "model.h"

        extern float kiln_arena[];
        extern float kiln_scratch[];

        """
        if weights == .embed {
            sharedHeader += "/* weights.S links weights.bin in, 64-byte aligned. */\nextern const float kiln_weights_data[];\n#define kiln_weights kiln_weights_data\n"
        }
        sharedHeader += "\n/* Node functions: every thread of a parallel run calls each with its part (kiln_task.h). */\n"
        sharedHeader += plan.functions.map { "void \($0.name)(const kiln_task *t);" }.joined(separator: "\n")
        if !shared.instances.isEmpty {
            sharedHeader += "\n\n/* Kernel calls several nodes make with the same constants, compiled once (defined beside their first user). */\n"
            sharedHeader += shared.instances.map { instancePrototype($0) + ";" }.joined(separator: "\n")
        }
        sharedHeader += "\n\n#endif\n"

        var main = banner(plan) + """
        #include <stddef.h>
        #include <stdint.h>

        #include "model_internal.h"

        /* The arena holds every intermediate tensor at the offset plan-memory chose; scratch is shared by all nodes. */
        float kiln_arena[\(max(plan.arenaBytes / 4, 1))] __attribute__((aligned(64)));
        float kiln_scratch[\(max(plan.scratchBytes / 4, 1))] __attribute__((aligned(64)));


        """ + labelsDefinition() + nodeTable(plan)
        main += "\n/* The whole model, run by every thread of the pool: each node's parts, then a barrier before the next node\n"
        main += " * reads what they wrote. */\nstatic void kiln_model_body(const kiln_task *t) {\n"
        main += "    const void *const *inputs = t->inputs;\n    void *const *outputs = t->outputs;\n"
        main += "    (void)inputs;\n    (void)outputs;\n"
        for (position, function) in plan.functions.enumerated() {
            main += "    \(function.name)(t);\n"
            if position + 1 < plan.functions.count { main += "    kiln_sync(t);\n" }
            if let trace = traceLine(function) { main += "    \(trace);\n" }
        }
        main += "}\n\nint kiln_model_run(const void *const inputs[], void *const outputs[]) {\n"
        main += "    kiln_parallel(kiln_model_body, inputs, outputs);\n    return 0;\n}\n"

        var files = [(name: "model_internal.h", text: sharedHeader)]
        for (index, share) in shares.enumerated() {
            var text = index == 0 ? main : banner(plan) + "#include <stddef.h>\n\n#include \"model_internal.h\"\n"
            for function in share {
                for instance in shared.instances where instance.definedIn == function.name { text += instanceText(instance) }
                text += functionText(function, shared: shared)
            }
            files.append((name: index == 0 ? "model.c" : "model_layers_\(index).c", text: text))
        }
        return files
    }

    /// `kiln_labels` and `kiln_label_count`, the class names for the program's top-K (kiln_program.h).
    public func labelsDefinition() -> String {
        var text = "/* Class names for the program's top-K (kiln compile --labels). */\nconst char *const kiln_labels[] = {\n"
        for label in labels { text += "    \"\(Identifier.cString(label))\",\n" }
        return text + "    NULL\n};\nconst size_t kiln_label_count = \(labels.count);\n"
    }

    private func functionText(_ function: KernelFunction, shared: SharedCalls) -> String {
        var out = "\n/* " + function.comment.joined(separator: "\n * ") + " */\n"
        out += "void \(function.name)(const kiln_task *t) {\n"
        out += "    const void *const *inputs = t->inputs;\n    void *const *outputs = t->outputs;\n"
        out += "    (void)inputs;\n    (void)outputs;\n"
        out += function.calls.map { call in
            guard let instance = shared.instance(of: call) else { return callText(call) }
            let buffers = call.labelled.compactMap { labelled -> String? in
                guard case .buffer = labelled.argument else { return nil }
                return "/*\(labelled.name)*/ \(argument(labelled.argument))"
            }
            return SourceText.wrappedCall("    \(instance.name)(", ["t"] + buffers, close: ");")
        }.joined(separator: "    kiln_sync(t);\n")
        return out + "}\n"
    }

    /// A call's constants, which make its compiled code: the kernel and every argument but its
    /// buffers (an absent optional buffer, NULL, is a constant too).
    private func instanceKey(_ call: KernelCall) -> String {
        call.kernel + "(" + call.labelled.map { labelled in
            if case .buffer = labelled.argument { return "·" }
            return argument(labelled.argument)
        }.joined(separator: ", ") + ")"
    }

    /// `void kiln_shared_N_kernel(const kiln_task *t, const void *a, …)`: one parameter per buffer, named
    /// after the kernel's parameter (`void *` converts to the kernel's pointer types in C).
    private func instancePrototype(_ instance: SharedCalls.Instance) -> String {
        let parameters = zip(instance.call.entry.parameters, instance.call.arguments).compactMap { parameter, argument -> String? in
            guard case .buffer = argument else { return nil }
            let writes = parameter.kind == .writes || parameter.kind == .writesAny
            return (writes ? "void *" : "const void *") + parameter.name
        }
        return "void \(instance.name)(" + (["const kiln_task *t"] + parameters).joined(separator: ", ") + ")"
    }

    private func instanceText(_ instance: SharedCalls.Instance) -> String {
        var out = "\n/* \(instance.call.kernel) with the constants of \(instance.users.count) nodes: "
        out += instance.users.joined(separator: ", ") + " */\n"
        var call = instance.call
        call.arguments = zip(call.entry.parameters, call.arguments).map { parameter, argument in
            guard case .buffer = argument else { return argument }
            return .parameter(parameter.name)
        }
        return out + instancePrototype(instance) + " {\n" + callText(call) + "}\n"
    }

    /// `kiln_f32_x_part(t, /*a*/ 1, /*b*/ 2, …);` for a kernel threads share (every part calls it), `if
    /// (t->part == 0) kiln_x(…);` for one that runs whole; every argument labelled with its parameter's
    /// name, wrapped before 120 columns.
    func callText(_ call: KernelCall) -> String {
        let arguments = call.labelled.map { "/*\($0.name)*/ \(argument($0.argument))" }
        if call.entry.isParallel {
            return SourceText.wrappedCall("    kiln_\(call.kernel)_part(", ["t"] + arguments, close: ");")
        }
        return SourceText.wrappedCall("    if (t->part == 0) kiln_\(call.kernel)(", arguments, close: ");")
    }

    /// Consecutive runs of functions with about equal numbers of kernel calls to compile (`weight`).
    static func split(_ functions: [KernelFunction], into parts: Int,
                      weight: (KernelFunction) -> Int = { $0.calls.count }) -> [[KernelFunction]] {
        let total = functions.reduce(0) { $0 + weight($1) }
        var shares: [[KernelFunction]] = [[]]
        var done = 0
        for function in functions {
            if shares.count < parts, done * parts >= total * shares.count, !(shares.last?.isEmpty ?? true) { shares.append([]) }
            shares[shares.count - 1].append(function)
            done += weight(function)
        }
        return shares
    }

    /// `kiln_nodes` and `kiln_node_count`: every node function in order with its work, for the
    /// profiler (kiln_program.h). A backend whose node functions are not C names them through
    /// `function` (the Swift backend exports each with `@_cdecl`).
    public func nodeTable(_ plan: KernelPlan, function: (KernelFunction) -> String = { $0.name }) -> String {
        var text = "\n/* Every node function in order, with its work, for the profiler (--profile). */\n"
        text += "const kiln_node kiln_nodes[] = {\n"
        for f in plan.functions { text += "    \(nodeEntry(f, function: function(f))),\n" }
        if plan.functions.isEmpty { text += "    {NULL, 0, \"\", \"\", \"\", \"\", 0, 0},\n" }
        return text + "};\nconst size_t kiln_node_count = \(plan.functions.count);\n"
    }

    /// `{function, index, "name", "kernel", "1x32x112x112", "NHWC", macs, bytes}` (see kiln_program.h).
    private func nodeEntry(_ function: KernelFunction, function symbol: String) -> String {
        let shape = function.output.map { $0.shape.map(String.init).joined(separator: "x") } ?? ""
        let layout = function.output?.layout.rawValue ?? ""
        return "{\(symbol), \(function.node.index), \"\(Identifier.cString(function.node.name))\", "
            + "\"\(Identifier.cString(function.kernel))\", \"\(shape)\", \"\(layout)\", \(function.work.macs)ULL, \(function.work.bytes)ULL}"
    }

    /// `KILN_TRACE_NODE(index, buffer, rank, dims…)` for a function's result (see kiln_program.h).
    private func traceLine(_ function: KernelFunction) -> String? {
        guard let output = function.output else { return nil }
        let dims = output.physicalShape
        let listed = dims.isEmpty ? "1" : dims.map(String.init).joined(separator: ", ")
        return "KILN_TRACE_NODE(t, \(function.node.index), \(argument(.buffer(output.buffer))), \(dims.count), \(listed))"
    }

    private func argument(_ argument: Argument) -> String {
        switch argument {
        case .size(let v): return "\(v)"
        case .real(let v): return cDouble(v)
        case .none: return "NULL"
        case .activation(let a): return activation(a)
        case .dims(let d): return "(kiln_dims){{" + d.map(String.init).joined(separator: ", ") + "}}"
        case .strides(let s): return "(kiln_strides){{" + s.map(String.init).joined(separator: ", ") + "}}"
        case .choice(let name): return String(name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        case .parameter(let name): return String(name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        case .buffer(let b):
            switch b {
            // Caller buffers are `void *`; an offset (in floats) needs the float view.
            case .input(let i, let o): return o == 0 ? "inputs[\(i)]" : "(const float *)inputs[\(i)] + \(o)"
            case .output(let i, let o): return o == 0 ? "outputs[\(i)]" : "(float *)outputs[\(i)] + \(o)"
            case .arena(let o): return "kiln_arena + \(o)"
            case .weights(let o): return "kiln_weights + \(o)"
            case .scratch(let o): return "kiln_scratch + \(o)"
            }
        }
    }

    private func cDouble(_ v: Double) -> String {
        if v.isNaN { return "NAN" }
        if v.isInfinite { return v < 0 ? "-INFINITY" : "INFINITY" }
        let text = "\(v)"
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }

    private func activation(_ a: Activation) -> String {
        let (kind, x, y): (String, Float, Float) = switch a {
        case .none: ("NONE", 0, 0)
        case .relu: ("RELU", 0, 0)
        case .relu6: ("RELU6", 0, 0)
        case .silu: ("SILU", 0, 0)
        case .hardSwish: ("HARDSWISH", 0, 0)
        case .sigmoid: ("SIGMOID", 0, 0)
        case .hardSigmoid(let alpha, let beta): ("HARDSIGMOID", alpha, beta)
        case .clip(let lo, let hi): ("CLIP", lo, hi)
        }
        return "(kiln_act){KILN_ACT_\(kind), \(cFloat(x)), \(cFloat(y))}"
    }

    private func cFloat(_ v: Float) -> String {
        if v.isNaN { return "(0.0f / 0.0f)" }
        if v.isInfinite { return v < 0 ? "(-1.0f / 0.0f)" : "(1.0f / 0.0f)" }
        let text = "\(v)"
        return (text.contains(".") || text.contains("e") ? text : text + ".0") + "f"
    }

    // MARK: - weights.S

    public func weightsAssembly(fileName: String) -> String {
        """
        /* The model's packed weights, linked in from \(Identifier.commentText(fileName)). */
            .section .rodata
            .balign 64
            .globl kiln_weights_data
            .type kiln_weights_data, @object
        kiln_weights_data:
            .incbin "\(Identifier.cString(fileName))"
            .size kiln_weights_data, . - kiln_weights_data
            .section .note.GNU-stack,"",@progbits

        """
    }
}

/// The kernel calls of a plan that several nodes make with the same constants (the repeated blocks of
/// an EfficientNet stage): each such call is compiled once, as a function of its buffers, which the
/// nodes call. The C compiler's time follows the code it specializes, so this is most of what a
/// model's compile time saves.
struct SharedCalls {
    struct Instance {
        /// `kiln_shared_N_kernel`.
        var name: String
        /// The first call with these constants (its buffers are the first user's).
        var call: KernelCall
        /// The node functions that make the call, in order; the instance is defined beside the first.
        var users: [String]
        var definedIn: String { users[0] }
    }

    private(set) var instances: [Instance] = []
    private var byKey: [String: Int] = [:]
    private let key: (KernelCall) -> String

    init(_ plan: KernelPlan, key: @escaping (KernelCall) -> String) {
        self.key = key
        var first: [String: (call: KernelCall, users: [String])] = [:]
        var order: [String] = []
        for function in plan.functions {
            for call in function.calls {
                let k = key(call)
                if first[k] == nil { first[k] = (call, []); order.append(k) }
                if first[k]?.users.last != function.name { first[k]?.users.append(function.name) }
            }
        }
        for k in order {
            guard let (call, users) = first[k], users.count > 1 else { continue }
            byKey[k] = instances.count
            instances.append(Instance(name: "kiln_shared_\(instances.count)_\(call.kernel)", call: call, users: users))
        }
    }

    func instance(of call: KernelCall) -> Instance? { byKey[key(call)].map { instances[$0] } }

    /// How many kernel calls the C compiler compiles for `function`: a shared call counts where it is defined.
    func compiledCalls(_ function: KernelFunction) -> Int {
        function.calls.filter { call in instance(of: call).map { $0.definedIn == function.name } ?? true }.count
    }
}
