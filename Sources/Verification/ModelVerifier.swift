import Codegen
import Foundation
import IR
import Reference

public struct VerifyOptions: Sendable {
    public var compile = CompileOptions()
    /// A result passes when max|y − ref| ≤ tolerance · max|ref| and its argmax is the reference's.
    public var tolerance = 1e-4
    /// Trace every node even when the outputs pass (to see the per-node errors).
    public var alwaysTrace = false
    /// Changes the plan before it is built. For tests: they break one kernel call on purpose and
    /// check that verification finds it.
    public var alterPlan: (@Sendable (inout KernelPlan) -> Void)?
    /// Told what is about to happen (building, running a data set, tracing), for progress lines.
    public var progress: (@Sendable (String) -> Void)?

    public init() {}
}

/// One output of one data set: the compiled program's error against the reference interpreter and,
/// when the data set has it, against the expected output (`output_0.pb`).
public struct OutputCheck: Sendable {
    public var name: String
    public var interpreter: ErrorStats
    public var expected: ErrorStats?

    public func passes(tolerance: Double) -> Bool {
        interpreter.passes(tolerance: tolerance) && (expected?.passes(tolerance: tolerance) ?? true)
    }
}

public struct DataSetReport: Sendable {
    public var dataSet: DataSet
    public var outputs: [OutputCheck]
}

/// The compiled program's result of one node against the interpreter's, from a trace build.
public struct NodeCheck: Sendable {
    public var node: NodeOrigin
    public var layout: Layout
    public var error: ErrorStats
}

/// The trace of one data set: every traced node's error, in graph order.
public struct TraceReport: Sendable {
    public var dataSet: String
    public var nodes: [NodeCheck]
    /// Why a node could not be compared (missing dump, shape mismatch), if any could not.
    public var problems: [String]

    /// The first node whose relative error exceeds the tolerance: where the program goes wrong.
    public func firstDivergence(tolerance: Double) -> NodeCheck? {
        nodes.first { !($0.error.maxAbs <= tolerance * $0.error.maxRef) }
    }
}

public struct VerifyReport: Sendable {
    public var tolerance: Double
    public var dataSets: [DataSetReport]
    /// Present when an output failed (the first failing data set), or with `alwaysTrace`.
    public var trace: TraceReport?

    public var passed: Bool { dataSets.allSatisfy { $0.outputs.allSatisfy { $0.passes(tolerance: tolerance) } } }
    public var divergence: NodeCheck? { trace?.firstDivergence(tolerance: tolerance) }
}

/// `kiln verify`: compiles an optimized graph, runs the program on test data, and compares its
/// output with the reference interpreter's (on the same optimized graph) and the expected output.
/// When an output fails, it rebuilds the program with tracing, dumps every node's result, and
/// compares them with the interpreter's intermediates to find the first node that diverges.
public enum ModelVerifier {
    /// A graph re-batched to N (`--batch N`) runs on batches of the one-image data sets (`DataSet.batches`).
    public static func verify(_ graph: Graph, dataSets given: [DataSet], options: VerifyOptions) throws -> VerifyReport {
        guard graph.inputs.count == 1, graph.outputs.count == 1 else {
            throw KilnError("kiln verify checks models with one input and one output")
        }
        var plan = try Lowering.lower(graph, banner: options.compile.banner)
        options.alterPlan?(&plan)
        let fm = FileManager.default
        let work = fm.temporaryDirectory.appendingPathComponent("kiln-verify-\(UUID().uuidString)")
        try Compiler.makeFolder(work)
        defer { try? fm.removeItem(at: work) }

        var compile = options.compile
        compile.emitDirectory = nil
        compile.weights = .embed
        compile.trace = false
        let binary = work.appendingPathComponent("model").path
        options.progress?("building the program")
        _ = try Compiler.build(plan, output: binary, options: compile)

        let interpreter = Interpreter(graph: graph)
        let inputType = graph.type(of: graph.inputs[0])
        let dataSets = try DataSet.batches(of: given, for: inputType, in: work)
        var report = VerifyReport(tolerance: options.tolerance, dataSets: [])
        var traceSet: DataSet?
        for dataSet in dataSets {
            let out = work.appendingPathComponent("\(report.dataSets.count).npy").path
            options.progress?("running \(dataSet.name) (\(report.dataSets.count + 1) of \(dataSets.count)) through the program and the interpreter")
            try Program.run(binary, input: dataSet.input, output: out)
            let y = try DataFiles.npy(out)
            let reference = try interpreter.run([try DataFiles.input(dataSet.input, type: inputType)])[0]
            guard y.shape == reference.shape else {
                throw KilnError("the program wrote shape \(y.shape), the interpreter \(reference.shape)", file: dataSet.input)
            }
            var check = OutputCheck(name: graph[graph.outputs[0]].name,
                                    interpreter: ErrorStats(y.values, reference: Array(reference.floats)))
            if let path = dataSet.expectedOutput {
                let expected = try DataFiles.expected(path)
                guard expected.elementCount == y.values.count else {
                    throw KilnError("expected \(expected.type), the program wrote shape \(y.shape)", file: path)
                }
                check.expected = ErrorStats(y.values, reference: Array(expected.floats))
            }
            if traceSet == nil && (options.alwaysTrace || !check.passes(tolerance: options.tolerance)) { traceSet = dataSet }
            report.dataSets.append(DataSetReport(dataSet: dataSet, outputs: [check]))
        }
        if let traceSet {
            compile.trace = true
            let traced = work.appendingPathComponent("model-trace").path
            options.progress?("rebuilding with tracing to compare every node on \(traceSet.name)")
            _ = try Compiler.build(plan, output: traced, options: compile)
            report.trace = try trace(traced, plan: plan, graph: graph, dataSet: traceSet, in: work)
        }
        return report
    }

    /// Runs the trace build on one data set and compares each node's dump with the interpreter.
    static func trace(_ binary: String, plan: KernelPlan, graph: Graph, dataSet: DataSet, in work: URL) throws -> TraceReport {
        let dumps = work.appendingPathComponent("trace")
        try Compiler.makeFolder(dumps)
        try Program.run(binary, input: dataSet.input, output: work.appendingPathComponent("trace.npy").path,
                        environment: ["KILN_TRACE_DIR": dumps.path])
        let stored = plan.functions.compactMap { f in f.output.map { (f.node.index, (node: f.node, output: $0)) } }
        let functions = Dictionary(stored, uniquingKeysWith: { first, _ in first })
        var report = TraceReport(dataSet: dataSet.name, nodes: [], problems: [])
        var index = 0
        // The interpreter reports nodes in graph order, which is what the trace files are numbered by.
        _ = try Interpreter(graph: graph).run([try DataFiles.input(dataSet.input, type: graph.type(of: graph.inputs[0]))]) { _, outputs in
            defer { index += 1 }
            guard let function = functions[index], let reference = outputs.first, reference.elementType == .float32 else { return }
            let file = dumps.appendingPathComponent(String(format: "%03d.npy", index)).path
            do {
                let dump = try DataFiles.npy(file)
                let output = function.output
                guard dump.shape == output.physicalShape, dump.values.count == output.physicalShape.reduce(1, *) else {
                    report.problems.append("node \(index) '\(function.node.name)': dump of shape \(dump.shape) does not match \(output.shape) \(output.layout.rawValue)")
                    return
                }
                let logical = output.layout.toLogical(dump.values, shape: output.shape)
                report.nodes.append(NodeCheck(node: function.node, layout: output.layout,
                                              error: ErrorStats(logical, reference: Array(reference.floats))))
            } catch {
                report.problems.append("node \(index) '\(function.node.name)': \(error)")
            }
        }
        return report
    }
}
