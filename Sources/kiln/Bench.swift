import ArgumentParser
import Bench
import Codegen
import Foundation
import IR

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Compare compiled variants of models, and onnxruntime, whole-model and layer by layer.",
        discussion: """
            Compiles every combination of --backend and --target once per model, then runs them at every \
            --threads count in \
            interleaved rounds (A B C A B C …) so that machine drift hits every variant alike. Each round runs \
            the program's --profile N (N whole runs and N profiled runs). Prints per model the median latency, \
            its spread over the rounds and the ratio to the first variant, then the slowest layers side by \
            side with their roofline percentage against this machine's measured peak and bandwidth \
            (`kiln bench --machine` measures them; they are cached). A MODEL is an ONNX file or the name of a \
            folder under $KILN_SHARED/models (../shared by default).
            """)

    @ArgumentParser.Argument(help: "Models: ONNX files or names of shared models (tv_b0, lite0_trained, …).")
    var models: [String] = []

    @Option(help: "Code generators, comma-separated (c).")
    var backend = "c"

    @Option(help: "Instruction sets, comma-separated: native, avx512, avx2, generic.")
    var target = "native"

    @Option(help: "Thread counts, comma-separated (each program runs with --threads N; onnxruntime with intra_op_num_threads = N).")
    var threads = "1"

    @Option(help: "Images per run, comma-separated (1 runs the model as it is; N re-batches it as kiln compile --batch N; onnxruntime runs batch 1).")
    var batch = "1"

    @Option(name: .customLong("input-shape"), help: ArgumentHelp("Pin an input's shape (repeatable).", valueName: "NAME=SHAPE"))
    var inputShapes: [String] = []

    @Option(help: ArgumentHelp("Also run this runtime in the same rounds: onnxruntime (through KILN_PYTHON, else python3).", valueName: "RUNTIME"))
    var against: String?

    @Option(help: "Interleaved rounds.")
    var rounds = 7

    @Option(help: "Runs per variant and round.")
    var runs = 20

    @Option(help: "Layers in the per-layer tables (the JSON has all).")
    var layers = 20

    @Option(name: .customLong("cc"), help: "The C compiler.")
    var compiler: String?

    @Option(help: ArgumentHelp("Write the results as JSON.", valueName: "FILE"))
    var json: String?

    @Option(help: ArgumentHelp("Write charts (latency, per layer, roofline) as SVG.", valueName: "FILE"))
    var svg: String?

    @Flag(help: "Print the tables as Markdown.")
    var markdown = false

    @Flag(help: "Measure this machine's roofline (peak GFLOP/s, bandwidth) for each --target, print it, and cache it.")
    var machine = false

    @Flag(help: "Measure the machine again instead of using the cached figures.")
    var remeasure = false

    static func list<T>(_ text: String, _ flag: String, _ parse: (String) -> T?) throws -> [T] {
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !items.isEmpty else { throw ValidationError("\(flag) needs at least one value") }
        return try items.map { item in
            guard let value = parse(item) else { throw ValidationError("\(flag): '\(item)' is not a valid value") }
            return value
        }
    }

    func validate() throws {
        _ = try Self.list(backend, "--backend") { BackendKind(rawValue: $0) }
        _ = try Self.list(target, "--target") { Target(rawValue: $0) }
        _ = try Self.list(threads, "--threads") { Int($0).flatMap { (1...256).contains($0) ? $0 : nil } }
        _ = try Self.list(batch, "--batch") { Int($0).flatMap { (1...ModelOptions.maxBatch).contains($0) ? $0 : nil } }
        if let against, against != "onnxruntime" { throw ValidationError("--against: only onnxruntime is supported") }
        guard rounds >= 1, runs >= 1, layers >= 1 else { throw ValidationError("--rounds, --runs and --layers need at least 1") }
        guard machine || !models.isEmpty else { throw ValidationError("give at least one model (or --machine)") }
        _ = try ModelOptions.parseInputShapes(inputShapes)
    }

    func run() throws {
        try reportingErrors {
            let targets = try Self.list(target, "--target") { Target(rawValue: $0) }
            var measured: [Machine] = []
            for t in targets {
                let (m, cached) = try Machine.measured(target: t, compiler: compiler, remeasure: remeasure)
                printError(String(format: "machine (%@): peak %.1f GFLOP/s per core, bandwidth %.1f GB/s%@", m.isa, m.peakGFLOPS,
                                  m.bandwidthGBs, cached ? " (cached)" : ""))
                measured.append(m)
            }
            if machine {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(measured), as: UTF8.self))
                if models.isEmpty { return }
            }
            var options = BenchOptions()
            options.models = models
            options.backends = try Self.list(backend, "--backend") { BackendKind(rawValue: $0) }
            options.targets = targets
            options.threads = try Self.list(threads, "--threads") { Int($0) }
            options.batches = try Self.list(batch, "--batch") { Int($0) }
            options.inputShapes = try ModelOptions.parseInputShapes(inputShapes)
            options.againstONNXRuntime = against == "onnxruntime"
            options.rounds = rounds
            options.runs = runs
            options.compiler = compiler
            // The roofline of the first target is the report's reference.
            let report = try BenchRunner.run(options, machine: measured[0]) { printError($0) }
            let tables = BenchTables(report: report, layerRows: layers)
            print(markdown ? tables.markdown() : tables.text(), terminator: "")
            if let json { try write(try report.json(), to: json) }
            if let svg { try write(BenchSVG(report: report).svg(), to: svg) }
        }
    }

    private func write(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw KilnError("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
