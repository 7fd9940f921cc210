import Foundation
import IR

/// Where generated code may run, which decides the kernel library's instruction set.
public enum Target: String, Sendable, CaseIterable {
    /// This machine's best: AVX-512 where the CPU has it, else AVX2, else generic.
    case native
    case avx512
    case avx2
    /// Portable C11 the compiler may auto-vectorize.
    case generic

    /// Compiler flags for the target.
    public func flags() -> [String] {
        switch self {
        case .native:
            let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
            let flags = Set(cpu.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
            if flags.contains("avx512f") && flags.contains("fma") { return ["-march=native", "-DKILN_TARGET_AVX512"] }
            if flags.contains("avx2") && flags.contains("fma") { return ["-march=native", "-DKILN_TARGET_AVX2"] }
            return ["-march=native"]
        case .avx512: return ["-mavx512f", "-mavx512vl", "-mavx512bw", "-mavx512dq", "-mavx2", "-mfma", "-DKILN_TARGET_AVX512"]
        case .avx2: return ["-mavx2", "-mfma", "-DKILN_TARGET_AVX2"]
        case .generic: return []
        }
    }
}

public struct CompileOptions: Sendable {
    public var target: Target = .native
    public var compiler: String?
    /// Also write the C sources, header and a build line here.
    public var emitDirectory: String?
    public var preprocess = "imagenet"
    public var labels: [String] = []
    public var weights: CPrinter.Weights = .embed
    /// Lines for the banner of every generated file.
    public var banner: [String] = []
    /// Extra warnings-as-errors flags (tests build with these).
    public var strict = true
    /// Build with `-DKILN_TRACE`: the program writes every node's result to `$KILN_TRACE_DIR`
    /// (for `kiln verify`; normal builds leave it off and carry no tracing code).
    public var trace = false

    public init() {}
}

public struct CompileResult: Sendable {
    public var binary: String
    public var weightsFile: String?
    public var binaryBytes: Int
    public var weightsBytes: Int
    public var arenaBytes: Int
    public var seconds: Double
}

/// Optimized graph → C sources → a static binary.
public enum Compiler {
    public static func compile(_ graph: Graph, output: String, options: CompileOptions) throws -> CompileResult {
        let start = Date()
        guard ["imagenet", "inception"].contains(options.preprocess) else {
            throw KilnError("unknown preprocessing '\(options.preprocess)' (imagenet or inception)")
        }
        let plan = try Lowering.lower(graph, banner: options.banner)
        return try build(plan, output: output, options: options, start: start)
    }

    /// A kernel plan → C sources → a static binary (`compile` without the lowering).
    public static func build(_ plan: KernelPlan, output: String, options: CompileOptions, start: Date = Date()) throws -> CompileResult {
        let toolchain = try Toolchain.find(options.compiler)
        let fm = FileManager.default
        let build: URL
        if let emit = options.emitDirectory {
            build = URL(fileURLWithPath: emit)
        } else {
            build = fm.temporaryDirectory.appendingPathComponent("kiln-build-\(UUID().uuidString)")
        }
        defer { if options.emitDirectory == nil { try? fm.removeItem(at: build) } }
        let sources = try writeSources(plan, to: build, options: options)

        let binary = URL(fileURLWithPath: output, relativeTo: URL(fileURLWithPath: fm.currentDirectoryPath)).standardizedFileURL
        var flags = ["-std=c11", "-O3", "-ffunction-sections", "-fdata-sections"] + options.target.flags() + ["-Iinclude", "-I."]
        if options.strict { flags += ["-Wall", "-Werror"] }
        if options.trace { flags.append("-DKILN_TRACE") }
        let link = ["-static", "-s", "-Wl,--gc-sections", "-lm", "-o", binary.path]
        let line = ([toolchain.compiler] + flags + sources + link).map(shellQuoted).joined(separator: " ")
        try ("#!/bin/sh\n# Builds the program without make: one compiler call.\ncd \"$(dirname \"$0\")\"\n" + line + "\n")
            .write(to: build.appendingPathComponent("build.sh"), atomically: true, encoding: .utf8)
        // Kiln itself compiles the C files in parallel (the model is split for that), then links.
        let cFiles = sources.filter { $0.hasSuffix(".c") }
        try toolchain.runInParallel(cFiles.map { flags + ["-c", $0, "-o", $0 + ".o"] }, in: build)
        try toolchain.run(flags + cFiles.map { $0 + ".o" } + sources.filter { !$0.hasSuffix(".c") } + link, in: build)
        for file in cFiles { try? fm.removeItem(at: build.appendingPathComponent(file + ".o")) }

        var weightsFile: String?
        if options.weights == .external {
            let path = binary.path + ".weights"
            try Data(plan.weights).write(to: URL(fileURLWithPath: path))
            weightsFile = path
        }
        let size = (try? fm.attributesOfItem(atPath: binary.path)[.size] as? Int) ?? 0
        return CompileResult(binary: binary.path, weightsFile: weightsFile, binaryBytes: size,
                             weightsBytes: plan.weights.count, arenaBytes: plan.arenaBytes,
                             seconds: Date().timeIntervalSince(start))
    }

    /// Writes the generated files and the runtime and kernel sources; returns the files to compile.
    static func writeSources(_ plan: KernelPlan, to build: URL, options: CompileOptions) throws -> [String] {
        let fm = FileManager.default
        try fm.createDirectory(at: build.appendingPathComponent("include"), withIntermediateDirectories: true)
        try fm.createDirectory(at: build.appendingPathComponent("runtime"), withIntermediateDirectories: true)
        let printer = CPrinter(weights: options.weights, preprocess: options.preprocess, labels: options.labels)
        try printer.header(plan).write(to: build.appendingPathComponent("model.h"), atomically: true, encoding: .utf8)
        var compiled: [String] = []
        for file in printer.model(plan, parts: max(1, ProcessInfo.processInfo.activeProcessorCount)) {
            try file.text.write(to: build.appendingPathComponent(file.name), atomically: true, encoding: .utf8)
            if file.name.hasSuffix(".c") { compiled.append(file.name) }
        }
        try printer.program(plan).write(to: build.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
        compiled.append("main.c")
        if options.weights == .embed {
            try Data(plan.weights).write(to: build.appendingPathComponent("weights.bin"))
            try printer.weightsAssembly(fileName: "weights.bin").write(to: build.appendingPathComponent("weights.S"), atomically: true, encoding: .utf8)
            compiled.append("weights.S")
        }
        for file in CSources.files {
            let name = URL(fileURLWithPath: file.path).lastPathComponent
            if file.path.hasSuffix(".h") {
                try file.contents.write(to: build.appendingPathComponent("include/\(name)"), atomically: true, encoding: .utf8)
            } else if file.path.hasPrefix("Sources/Runtime/") {
                try file.contents.write(to: build.appendingPathComponent("runtime/\(name)"), atomically: true, encoding: .utf8)
                compiled.append("runtime/\(name)")
            }
        }
        return compiled
    }

    static func shellQuoted(_ s: String) -> String {
        s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=".contains($0) }) ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
