import Catalog
import Foundation
import IR

/// The Swift backend: `SwiftPrinter`'s model.swift with the Swift kernel library
/// (`Sources/SwiftKernels`) and `kiln_program.swift`, compiled by `swiftc` as Embedded Swift into
/// one object, and linked by the C compiler with the C runtime and program files (`main`, input
/// decoding, top-K, weight mapping, tracing) into a static executable. model.h is the C printer's,
/// so the C program files are configured exactly as for the C backend, and the program behaves the
/// same. Why Embedded Swift and the C runtime: see ARCHITECTURE.md.
public struct SwiftBackend: Backend {
    public let name = "swift"
    public var toolchain: Toolchain

    public init(toolchain: Toolchain) { self.toolchain = toolchain }

    public func writeSources(_ plan: KernelPlan, to build: URL, options: CompileOptions) throws -> BuildRecipe {
        let missing = SwiftPrinter.unsupported(plan)
        guard missing.isEmpty else {
            throw KilnError("the Swift backend has no kernel for: " + missing.joined(separator: "; ") + " (compile with --backend c)")
        }
        let swiftc = try Toolchain.findSwift()
        try Compiler.makeFolder(build.appendingPathComponent("swift"))
        func write(_ text: String, _ name: String) throws {
            try text.write(to: build.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let cPrinter = CPrinter(weights: options.weights, preprocess: options.preprocess, labels: options.labels)
        let banner = "/*\n" + plan.banner.map { " * " + Identifier.commentText($0, limit: 400) }.joined(separator: "\n") + "\n */\n"
        try write(cPrinter.header(plan), "model.h")
        // The class names and the profiler's node table, whose functions are model.swift's node functions
        // (exported to C, each taking its part of the run).
        let exported = plan.functions.indices.map { "void \(SwiftPrinter.exportedName($0))(const kiln_task *t);" }
        let positions = Dictionary(plan.functions.enumerated().map { ($0.element.node.index, $0.offset) }, uniquingKeysWith: { a, _ in a })
        try write(banner + "#include <stddef.h>\n\n#include \"kiln_program.h\"\n\n" + exported.joined(separator: "\n") + "\n\n"
                  + cPrinter.labelsDefinition()
                  + cPrinter.nodeTable(plan) { SwiftPrinter.exportedName(positions[$0.node.index] ?? 0) }, "model_labels.c")
        try write(SwiftPrinter(isa: options.target.isa).model(plan), "swift/model.swift")
        var cSources = ["model_labels.c"], swiftSources = ["swift/model.swift"], assembled: [String] = []
        if options.weights == .embed {
            try Data(plan.weights).write(to: build.appendingPathComponent("weights.bin"))
            try write(cPrinter.weightsAssembly(fileName: "weights.bin"), "weights.S")
            assembled.append("weights.S")
        }
        // The runtime, the program files and headers, and the Swift kernels, as kiln embedded them.
        let embedded = try CSources.write(to: build, swift: true)
        cSources += embedded.c
        swiftSources += embedded.swift

        // The C files get the target's flags too: the profiler's roofline measures the target's vectors.
        var cFlags = ["-std=c11", "-O2", "-ffunction-sections", "-fdata-sections", "-DKILN_SWIFT"] + options.target.flags() + ["-Iinclude", "-I."]
        var swiftFlags = ["-enable-experimental-feature", "Embedded", "-wmo", "-Ounchecked", "-parse-as-library",
                          "-module-name", "KilnModel", "-import-objc-header", "include/kiln_swift.h",
                          "-Xfrontend", "-function-sections"] + Self.cpuFlags(options.target)
        if options.strict {
            cFlags += ["-Wall", "-Werror"]
            swiftFlags.append("-warnings-as-errors")
        }
        if options.trace {
            cFlags.append("-DKILN_TRACE")
            swiftFlags += ["-D", "KILN_TRACE"]
        }
        let swiftObject = "model_swift.o"
        let swiftCompile = [swiftc] + swiftFlags + ["-c"] + swiftSources + ["-o", swiftObject]
        let link = ["-static", "-s", "-Wl,--gc-sections", "-pthread", "-lm", "-o", options.outputPath]
        let compiles = BuildRecipe.compiles(cSources, reusable: embedded.reusable) { [toolchain.compiler] + cFlags + ["-c", $0, "-o", $0 + ".o"] }
        return BuildRecipe(
            compile: [swiftCompile] + compiles.compile,
            reusable: compiles.reusable,
            link: [toolchain.compiler] + cFlags + cSources.map { $0 + ".o" } + [swiftObject] + assembled + link,
            intermediates: cSources.map { $0 + ".o" } + [swiftObject],
            script: [swiftCompile, [toolchain.compiler] + cFlags + cSources + [swiftObject] + assembled + link])
    }

    /// `-target-cpu` for the target's instruction set: the vector width comes from `KilnTarget`
    /// (model.swift); the CPU lets LLVM use the registers and FMA for it.
    static func cpuFlags(_ target: Target) -> [String] {
        switch target.isa {
        case .avx512: ["-target-cpu", "skylake-avx512"]
        case .avx2: ["-target-cpu", "haswell"]
        case .generic: []
        }
    }
}
