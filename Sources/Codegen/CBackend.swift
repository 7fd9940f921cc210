import Foundation
import IR

/// The C backend: `CPrinter`'s files plus the runtime and kernel library sources, built with one
/// C compiler (`cc`, gcc or clang) into a static executable.
public struct CBackend: Backend {
    public let name = "c"
    public var toolchain: Toolchain

    public init(toolchain: Toolchain) { self.toolchain = toolchain }

    public func writeSources(_ plan: KernelPlan, to build: URL, options: CompileOptions) throws -> BuildRecipe {
        let printer = CPrinter(weights: options.weights, preprocess: options.preprocess, labels: options.labels)
        func write(_ text: String, _ name: String) throws {
            try Compiler.write(Data(text.utf8), to: build.appendingPathComponent(name))
        }
        try write(printer.header(plan), "model.h")
        var sources: [String] = []
        for file in printer.model(plan, parts: max(1, ProcessInfo.processInfo.activeProcessorCount)) {
            try write(file.text, file.name)
            if file.name.hasSuffix(".c") { sources.append(file.name) }
        }
        var assembled: [String] = []
        if options.weights == .embed {
            try Compiler.write(Data(plan.weights), to: build.appendingPathComponent("weights.bin"))
            try write(printer.weightsAssembly(fileName: "weights.bin"), "weights.S")
            assembled.append("weights.S")
        }
        // The runtime (with the fixed program files) and the kernel headers, as kiln embedded them.
        let runtime = try CSources.write(to: build, swift: false)
        sources += runtime.c

        // -O2 where the kernels are intrinsics (AVX-512, AVX2): as fast as -O3 and the same bits (tv_b0, lite0 and
        // mnv3 ran at 0.96, 0.99 and 1.04 of -O3's time, medians of five interleaved rounds), for about 10 % less
        // compiler CPU (tv_b0: 17.8 s against 20.2 s, medians of five serial builds; 5-17 % per file, paired).
        // The portable target's kernels rely on auto-vectorization, which -O3 does more of.
        let optimization = options.target == .generic ? "-O3" : "-O2"
        var flags = ["-std=c11", optimization, "-ffunction-sections", "-fdata-sections"] + options.target.flags() + ["-Iinclude", "-I."]
        // -Warray-bounds is off: a kernel's thread part works on a sub-range whose bounds are computed at run time
        // (kiln_part_range), and GCC's range analysis then reports accesses past the end of the arena on paths no
        // range reaches (every split is tested against the whole kernel in kernels_test_parallel.c).
        if options.strict { flags += ["-Wall", "-Werror", "-Wno-array-bounds"] }
        if options.trace { flags.append("-DKILN_TRACE") }
        let link = ["-static", "-s", "-Wl,--gc-sections", "-pthread", "-lm", "-o", options.outputPath]
        let compiles = BuildRecipe.compiles(sources, reusable: runtime.reusable) { [toolchain.compiler] + flags + ["-c", $0, "-o", $0 + ".o"] }
        return BuildRecipe(
            compile: compiles.compile,
            reusable: compiles.reusable,
            link: [toolchain.compiler] + flags + sources.map { $0 + ".o" } + assembled + link,
            intermediates: sources.map { $0 + ".o" },
            script: [[toolchain.compiler] + flags + sources + assembled + link])
    }
}
