import Catalog
import Codegen
import Foundation
import Frontend
import IR
import KilnRuntime
import Optimizer
import Verification

/// `kiln bench`: compiles every variant of every model once, runs them (and onnxruntime) in
/// interleaved rounds so that machine drift hits every variant alike, and collects whole-run and
/// per-layer medians (each program's own `--profile`).
public struct BenchOptions: Sendable {
    public var models: [String] = []
    public var backends: [BackendKind] = [.c]
    public var targets: [Target] = [.native]
    public var threads: [Int] = [1]
    /// Images per run (`--batch`): 1 runs the model as it is, N re-batches it at import; onnxruntime runs it as it is.
    public var batches: [Int] = [1]
    public var inputShapes: [String: [Int]] = [:]
    public var againstONNXRuntime = false
    public var rounds = 7
    public var runs = 20
    public var compiler: String?
    /// The Python that runs onnxruntime (`KILN_PYTHON`, else `python3`).
    public var python = ProcessInfo.processInfo.environment["KILN_PYTHON"] ?? "python3"
    public var machine: Machine?

    public init() {}
}

public enum BenchRunner {
    /// A model argument: a path to an ONNX file, or the name of a folder under the shared models
    /// (`$KILN_SHARED/models/NAME/model.onnx`, `../shared` by default).
    public static func resolve(_ model: String) throws -> String {
        if FileManager.default.fileExists(atPath: model) { return model }
        let shared = ProcessInfo.processInfo.environment["KILN_SHARED"] ?? "../shared"
        let path = "\(shared)/models/\(model)/model.onnx"
        guard FileManager.default.fileExists(atPath: path) else {
            throw KilnError("no model file '\(model)', and no \(path)")
        }
        return path
    }

    /// One compiled program of a model.
    struct Program {
        var variant: BenchReport.Variant
        var binary: String
        /// Per node index: name, kernel, provenance, work (from its optimized graph).
        var nodes: [Int: (name: String, kernel: String, provenance: [String], macs: Int, bytes: Int)]
        /// Its input file: one run's images.
        var input: String
        var rounds: [Double] = []
        var layerRounds: [Int: [Double]] = [:]
    }

    /// Profile JSON a compiled program writes with `--profile-json`.
    struct ProgramProfile: Decodable {
        struct Layer: Decodable { var index: Int; var median_us: Double }
        var whole_run_median_us: Double
        var layers: [Layer]
    }

    public static func run(_ options: BenchOptions, machine: Machine, progress: (String) -> Void) throws -> BenchReport {
        let fm = FileManager.default
        let work = fm.temporaryDirectory.appendingPathComponent("kiln-bench-\(UUID().uuidString)")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }
        let info = BenchReport.MachineInfo(cpu: machine.cpu, cores: machine.cores, isa: machine.isa,
                                           peakGFLOPS: machine.peakGFLOPS, bandwidthGBs: machine.bandwidthGBs)
        var report = BenchReport(machine: info, models: [])
        for (m, model) in options.models.enumerated() {
            let path = try resolve(model)
            let name = URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent
            let folder = work.appendingPathComponent("\(m)")
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            var input = ""  // the model's own input, for onnxruntime
            var programs: [Program] = []
            for batch in options.batches {
                let importOptions = ImportOptions(inputShapes: options.inputShapes, batch: batch == 1 ? nil : batch)
                let imported = try ONNXImporter.load(path: path, options: importOptions)
                let batchInput = try inputFile(for: imported.graph, model: path, in: folder, batch: batch)
                if batch == 1 { input = batchInput }
                programs += try compile(imported.graph, batch: batch, input: batchInput, name: name, in: folder, options: options,
                                        progress: progress)
            }
            if input.isEmpty {
                let imported = try ONNXImporter.load(path: path, options: ImportOptions(inputShapes: options.inputShapes))
                input = try inputFile(for: imported.graph, model: path, in: folder, batch: 1)
            }

            var ort: [(threads: Int, runner: ORTRunner, rounds: [Double])] = []
            var skipped: String?
            if options.againstONNXRuntime {
                if let why = ORTRunner.unavailable(python: options.python) {
                    skipped = "onnxruntime skipped: \(why)"
                    progress(skipped ?? "")
                } else {
                    for threads in options.threads {
                        ort.append((threads, try ORTRunner(python: options.python, model: path, npy: input, threads: threads, work: folder), []))
                    }
                }
            }

            let profileFile = folder.appendingPathComponent("profile.json").path
            for round in 0..<options.rounds {
                progress("\(name): round \(round + 1) of \(options.rounds)")
                for index in programs.indices {
                    let profile = try runProfile(programs[index].binary, input: programs[index].input, runs: options.runs,
                                                 threads: programs[index].variant.threads, json: profileFile, machine: machine)
                    programs[index].rounds.append(profile.whole_run_median_us / 1000)
                    for layer in profile.layers { programs[index].layerRounds[layer.index, default: []].append(layer.median_us) }
                }
                for index in ort.indices { ort[index].rounds.append(try ort[index].runner.run(options.runs)) }
            }

            var variants = programs.map { program -> BenchReport.Variant in
                var v = program.variant
                v.roundsMs = program.rounds
                v.medianMs = median(program.rounds)
                v.minMs = program.rounds.min() ?? 0
                v.layers = program.layerRounds.keys.sorted().compactMap { index in
                    guard let node = program.nodes[index] else { return nil }
                    return BenchReport.Layer(index: index, name: node.name, kernel: node.kernel, onnxNodes: node.provenance,
                                             macs: node.macs, bytes: node.bytes, medianUs: median(program.layerRounds[index] ?? []))
                }
                return v
            }
            if let reference = programs.first {
                let onnxNodes = try ONNXNodeList(path: path)
                for entry in ort {
                    progress("\(name): onnxruntime profile (\(entry.threads)t)")
                    let profiled = try entry.runner.profile(options.runs)
                    entry.runner.stop()
                    variants.append(ortVariant(profiled, threads: entry.threads, rounds: entry.rounds, reference: reference,
                                               onnxNodes: onnxNodes))
                }
            }
            report.models.append(BenchReport.Model(model: name, variants: variants, skipped: skipped))
        }
        return report
    }

    /// Every backend × target × threads variant of one import of a model (one `--batch`): one program per
    /// backend and target, run at every thread count.
    static func compile(_ imported: Graph, batch: Int, input: String, name: String, in folder: URL, options: BenchOptions,
                        progress: (String) -> Void) throws -> [Program] {
        var programs: [Program] = []
        for target in options.targets {
            var graph = imported
            try Pipeline.run(Pipeline.standard(isa: target.isa), on: &graph)
            let nodes = nodeFacts(graph)
            for backend in options.backends {
                // One program per backend, target and batch; it runs at every thread count (`--threads N`).
                let label = "\(backend.rawValue) \(target.rawValue)", suffix = batch == 1 ? "" : " b\(batch)"
                progress("compiling \(name): \(label)\(suffix)…")
                var compile = CompileOptions()
                compile.target = target
                compile.backend = backend
                compile.compiler = options.compiler
                let binary = folder.appendingPathComponent("\(backend.rawValue)-\(target.rawValue)-\(batch)").path
                let result = try Compiler.compile(graph, output: binary, options: compile)
                progress(String(format: "compiled %@: %@ in %.1f s", name, label + suffix, result.seconds))
                for threads in options.threads {
                    let variant = BenchReport.Variant(
                        name: "\(label) \(threads)t\(suffix)", backend: backend.rawValue, target: target.rawValue, threads: threads,
                        batch: batch, medianMs: 0, minMs: 0, roundsMs: [], compileS: result.seconds, binaryBytes: result.binaryBytes,
                        layers: [])
                    programs.append(Program(variant: variant, binary: result.binary, nodes: nodes, input: input))
                }
            }
        }
        return programs
    }

    /// onnxruntime's rounds and its profile mapped onto the reference program's nodes.
    static func ortVariant(_ entries: [ORTMapping.Entry], threads: Int, rounds: [Double], reference: Program,
                           onnxNodes: ONNXNodeList) -> BenchReport.Variant {
        let mapping = ORTMapping(entries: entries, onnxNodes: onnxNodes,
                                 provenance: reference.nodes.mapValues(\.provenance))
        let layers = mapping.mapped.keys.sorted().compactMap { index -> BenchReport.Layer? in
            guard let node = reference.nodes[index], let mapped = mapping.mapped[index] else { return nil }
            var ops: [String] = []
            for entry in mapped where !ops.contains(entry.op) { ops.append(entry.op) }
            return BenchReport.Layer(index: index, name: node.name, kernel: ops.joined(separator: "+"), onnxNodes: mapped.map(\.name),
                                     macs: node.macs, bytes: node.bytes, medianUs: mapped.reduce(0) { $0 + $1.microseconds })
        }
        var unmapped: [String: BenchReport.Unmapped] = [:]
        for entry in mapping.unmapped {
            unmapped[entry.op, default: BenchReport.Unmapped(op: entry.op, medianUs: 0, entries: [])].medianUs += entry.microseconds
            unmapped[entry.op]?.entries.append(entry.name)
        }
        return BenchReport.Variant(name: "onnxruntime \(threads)t", backend: "onnxruntime", target: "-", threads: threads,
                                   medianMs: median(rounds), minMs: rounds.min() ?? 0, roundsMs: rounds, compileS: 0, binaryBytes: 0,
                                   layers: layers, unmapped: unmapped.values.sorted { $0.medianUs > $1.medianUs })
    }

    static func nodeFacts(_ graph: Graph) -> [Int: (name: String, kernel: String, provenance: [String], macs: Int, bytes: Int)] {
        var facts: [Int: (name: String, kernel: String, provenance: [String], macs: Int, bytes: Int)] = [:]
        for (index, node) in graph.nodes.enumerated() {
            let work = KernelCatalog.work(of: node, in: graph)
            facts[index] = (node.name, node.kernel ?? "-", node.provenance, work.macs, work.bytes)
        }
        return facts
    }

    static func runProfile(_ binary: String, input: String, runs: Int, threads: Int, json: String, machine: Machine) throws -> ProgramProfile {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [input, "--profile", String(runs), "--profile-json", json, "--threads", String(threads),
                             "--peak-gflops", String(machine.peakGFLOPS), "--bandwidth-gbs", String(machine.bandwidthGBs)]
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw KilnError("\(binary) --profile failed: \(message.split(separator: "\n").first ?? "")")
        }
        return try JSONDecoder().decode(ProgramProfile.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
    }

    /// The model's first test input when it has one (`test_data_set_0/input_0.pb`; repeated for each image of a
    /// re-batched graph's `batch`), else seeded random values in [-1, 1]; written as a float32 `.npy` both Kiln and
    /// onnxruntime read.
    static func inputFile(for graph: Graph, model: String, in folder: URL, batch: Int) throws -> String {
        guard let input = graph.inputs.first, graph.inputs.count == 1 else {
            throw KilnError("kiln bench takes models with one input")
        }
        let type = graph.type(of: input)
        let image = batch == 1 ? type : TensorType(type.elementType, [1] + type.shape.dropFirst())
        let beside = URL(fileURLWithPath: model).deletingLastPathComponent().appendingPathComponent("test_data_set_0/input_0.pb").path
        var values: [Float]
        if FileManager.default.fileExists(atPath: beside), let tensor = try? decodeInput(beside, type: image) {
            values = withExtendedLifetime(tensor) { Array(repeatElement(tensor.floats, count: batch).joined()) }
        } else {
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15
            values = (0..<type.elementCount).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Float(state >> 40) / Float(1 << 24) * 2 - 1
            }
        }
        let path = folder.appendingPathComponent("input-\(batch).npy").path
        let dims = type.shape.map(Int64.init)
        try runtimeCall { err in kiln_npy_write(path, values, dims, Int32(dims.count), err, Int(KILN_ERR_LEN)) }
        return path
    }
}
