import Catalog
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

    /// The kernels' instruction set: for `native`, what this machine's CPU has.
    public var isa: ISA {
        switch self {
        case .native:
            let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
            let flags = Set(cpu.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
            if ["avx512f", "avx512dq", "avx512bw", "avx512vl", "fma"].allSatisfy(flags.contains) { return .avx512 }
            if flags.contains("avx2") && flags.contains("fma") { return .avx2 }
            return .generic
        case .avx512: return .avx512
        case .avx2: return .avx2
        case .generic: return .generic
        }
    }

    /// Compiler flags for the target.
    public func flags() -> [String] {
        switch self {
        case .native:
            switch isa {
            case .avx512: return ["-march=native", "-DKILN_TARGET_AVX512"]
            case .avx2: return ["-march=native", "-DKILN_TARGET_AVX2"]
            case .generic: return ["-march=native"]
            }
        case .avx512: return ["-mavx512f", "-mavx512vl", "-mavx512bw", "-mavx512dq", "-mavx2", "-mfma", "-DKILN_TARGET_AVX512"]
        case .avx2: return ["-mavx2", "-mfma", "-DKILN_TARGET_AVX2"]
        case .generic: return []
        }
    }
}

public struct CompileOptions: Sendable {
    public var target: Target = .native
    public var backend: BackendKind = .c
    public var compiler: String?
    /// Also write the sources and the build script here.
    public var emitDirectory: String?
    public var preprocess = "imagenet"
    public var labels: [String] = []
    public var weights: WeightsMode = .embed
    /// Lines for the banner of every generated file.
    public var banner: [String] = []
    /// Extra warnings-as-errors flags (tests build with these).
    public var strict = true
    /// Build with `-DKILN_TRACE`: the program writes every node's result to `$KILN_TRACE_DIR`
    /// (for `kiln verify`; normal builds leave it off and carry no tracing code).
    public var trace = false
    /// Where the runtime's compiled objects are kept between compiles (`ObjectCache`; `kiln compile` passes
    /// `ObjectCache.defaultDirectory()` unless `--no-cache`); nil: no cache, everything is compiled.
    public var cacheDirectory: String?
    /// The executable to write, as an absolute path (set by `Compiler`).
    public internal(set) var outputPath = ""

    public init() {}
}

public struct CompileResult: Sendable {
    public var binary: String
    public var weightsFile: String?
    public var binaryBytes: Int
    public var weightsBytes: Int
    public var arenaBytes: Int
    public var seconds: Double
    /// Runtime objects taken from the object cache instead of compiled.
    public var cachedObjects: Int
    /// At most one line the user should read: why the object cache could not be used.
    public var notes: [String]
}

/// Optimized graph → kernel plan → a backend's sources → a static binary.
public enum Compiler {
    /// Lowers `graph` (optimized for `options.target.isa`) and builds it.
    public static func compile(_ graph: Graph, output: String, options: CompileOptions) throws -> CompileResult {
        let start = Date()
        guard ["imagenet", "inception"].contains(options.preprocess) else {
            throw KilnError("unknown preprocessing '\(options.preprocess)' (imagenet or inception)")
        }
        let plan = try Lowering.lower(graph, banner: options.banner)
        return try build(plan, output: output, options: options, start: start)
    }

    /// A kernel plan → sources → a static binary (`compile` without the lowering).
    public static func build(_ plan: KernelPlan, output: String, options: CompileOptions, start: Date = Date()) throws -> CompileResult {
        let toolchain = try Toolchain.find(options.compiler)
        let backend = options.backend.make(toolchain: toolchain)
        let fm = FileManager.default
        let build: URL
        if let emit = options.emitDirectory {
            build = URL(fileURLWithPath: emit)
            do {
                try fm.createDirectory(at: build, withIntermediateDirectories: true)
            } catch {
                throw KilnError("cannot create \(build.path): \(Compiler.reason(error))")
            }
        } else {
            build = fm.temporaryDirectory.appendingPathComponent("kiln-build-\(UUID().uuidString)")
            try makeFolder(build)
        }
        defer { if options.emitDirectory == nil { try? fm.removeItem(at: build) } }
        let binary = URL(fileURLWithPath: output, relativeTo: URL(fileURLWithPath: fm.currentDirectoryPath)).standardizedFileURL
        var options = options
        options.outputPath = binary.path
        let recipe = try backend.writeSources(plan, to: build, options: options)
        let script = recipe.script.map { $0.map(shellQuoted).joined(separator: " ") }.joined(separator: " &&\n")
        let what = recipe.script.count == 1 ? "one compiler call" : "\(recipe.script.count) compiler calls"
        try write(Data(("#!/bin/sh\n# Builds the program without make: \(what).\nset -e\ncd \"$(dirname \"$0\")\"\n" + script + "\n").utf8),
                  to: build.appendingPathComponent("build.sh"))
        // Kiln itself compiles the sources in parallel (the model is split for that), then links; the runtime's
        // objects come from the object cache when it holds them.
        let compiled = try toolchain.compile(recipe, in: build, cacheDirectory: options.cacheDirectory)
        try toolchain.run(recipe.link, in: build)
        for file in recipe.intermediates { try? fm.removeItem(at: build.appendingPathComponent(file)) }

        var weightsFile: String?
        if options.weights == .external {
            let path = binary.path + ".weights"
            try write(Data(plan.weights), to: URL(fileURLWithPath: path))
            weightsFile = path
        }
        let size = (try? fm.attributesOfItem(atPath: binary.path)[.size] as? Int) ?? 0
        return CompileResult(binary: binary.path, weightsFile: weightsFile, binaryBytes: size,
                             weightsBytes: plan.weights.count, arenaBytes: plan.arenaBytes,
                             seconds: Date().timeIntervalSince(start), cachedObjects: compiled.cached,
                             notes: compiled.note.map { [$0] } ?? [])
    }

    /// Creates `folder` in a parent that must exist (`mkdir`, not `mkdir -p`); a folder already there is fine.
    /// Everything under a build folder is made this way: when an interrupted `kiln compile` removes its
    /// temporary folder while the build is still writing sources, the next folder fails to be made instead of
    /// making the removed path again, which would be left behind.
    public static func makeFolder(_ folder: URL) throws {
        guard mkdir(folder.path, 0o755) != 0 else { return }
        let code = errno
        guard code != EEXIST else { return }
        throw KilnError("cannot create \(folder.path): \(String(cString: strerror(code)))")
    }

    /// Writes a generated file; a failure is one line with the system's reason.
    static func write(_ data: Data, to url: URL) throws {
        do {
            try data.write(to: url)
        } catch {
            throw KilnError("cannot write \(url.path): \(reason(error))")
        }
    }

    /// The system's words for a failed file operation (`No such file or directory`), not Foundation's.
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        // On Linux the underlying error is a `POSIXError`, which `as? NSError` does not match.
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? Error, (underlying as NSError).domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32((underlying as NSError).code)))
        }
        return ns.localizedFailureReason ?? ns.localizedDescription
    }

    static func shellQuoted(_ s: String) -> String {
        s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=".contains($0) }) ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
