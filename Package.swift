// swift-tools-version: 6.0
import PackageDescription

// Dependencies run one way: IR ← Reference ← Frontend, IR ← Catalog ← Optimizer ← Codegen ← Verification.
// See ARCHITECTURE.md.
let package = Package(
    name: "Kiln",
    products: [
        .executable(name: "kiln", targets: ["kiln"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // libprotobuf-c from the system (Debian: libprotobuf-c-dev).
        .systemLibrary(
            name: "CProtobufC",
            path: "Sources/CProtobufC",
            pkgConfig: "libprotobuf-c",
            providers: [.apt(["libprotobuf-c-dev"])]
        ),
        // protoc-c output for Proto/onnx-kiln.proto, committed (scripts/regen-proto.sh).
        .target(name: "ONNXProto", dependencies: ["CProtobufC"], path: "Sources/ONNXProto"),
        // The graph, its values, types, operators, printer and verifier.
        .target(name: "IR", path: "Sources/IR"),
        // The obviously-correct interpreter: one reference kernel per operator.
        .target(name: "Reference", dependencies: ["IR"], path: "Sources/Reference"),
        // ONNX protobuf → IR, with shape inference and constant folding at import.
        .target(name: "Frontend", dependencies: ["IR", "Reference", "ONNXProto", "CProtobufC"], path: "Sources/Frontend"),
        // The kernel catalog: every kernel of the library, when it applies, its layouts, packing,
        // parameters and cost. The optimizer decides with it; lowering reads the decision.
        .target(name: "Catalog", dependencies: ["IR"], path: "Sources/Catalog"),
        // Graph rewrites (the pass pipeline).
        .target(name: "Optimizer", dependencies: ["IR", "Reference", "Catalog"], path: "Sources/Optimizer"),
        // Lowering and source printers.
        .target(name: "Codegen", dependencies: ["IR", "Catalog", "Optimizer", "KilnKernels"], path: "Sources/Codegen",
                plugins: ["EmbedCSources"]),
        // Embeds Sources/Runtime, Sources/Kernels and Sources/SwiftKernels into Codegen at build time.
        .executableTarget(name: "embed-c-sources", path: "Sources/embed-c-sources"),
        .plugin(name: "EmbedCSources", capability: .buildTool(), dependencies: ["embed-c-sources"]),
        // `kiln verify`: a compiled program against the reference interpreter, node by node on a mismatch.
        .target(name: "Verification", dependencies: ["IR", "Frontend", "Reference", "Codegen", "KilnRuntime"],
                path: "Sources/Verification"),
        // `kiln bench`: compiled variants and onnxruntime in interleaved rounds, per-layer profiles,
        // the machine's roofline, and the JSON, Markdown and SVG reports.
        .target(name: "Bench", dependencies: ["IR", "Catalog", "Frontend", "Optimizer", "Codegen", "KilnRuntime", "Verification"],
                path: "Sources/Bench"),
        // What `kiln inspect` writes: the report, Graphviz, and the graph as an ONNX model.
        .target(name: "Exporters", dependencies: ["IR", "Optimizer"], path: "Sources/Exporters"),
        // The small C runtime linked into generated programs, also used by `kiln run` for input decoding.
        // program/ holds the fixed C of generated programs (main, weight mapping, tracing): embedded into
        // Codegen and compiled with each program, not into this library.
        .target(name: "KilnRuntime", path: "Sources/Runtime", exclude: ["program", "README.md"]),
        // The f32 kernel library generated code calls (header-only kiln_kernels.h) and the weight packers.
        // tests/ holds the C harness that scripts/test-kernels.sh builds per ISA; SwiftPM builds the rest.
        .target(name: "KilnKernels", path: "Sources/Kernels", exclude: ["tests", "README.md"]),
        // The same kernels in Swift (SIMD16/SIMD8/scalar by target), for `--backend swift`: compiled and
        // tested here, and embedded into Codegen (EmbedCSources) to be compiled with each Swift program.
        .target(name: "SwiftKernels", path: "Sources/SwiftKernels"),
        .executableTarget(
            name: "kiln",
            dependencies: [
                "IR", "Frontend", "Reference", "Catalog", "Optimizer", "Codegen", "Exporters", "KilnRuntime", "Verification", "Bench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/kiln"
        ),
        // Benchmarks (not tests): import time, interpreter time.
        .executableTarget(name: "kiln-bench", dependencies: ["IR", "Frontend", "Reference"], path: "Sources/kiln-bench"),
        .testTarget(
            name: "KilnTests",
            dependencies: ["IR", "Frontend", "Reference", "Catalog", "Optimizer", "Codegen", "Exporters", "KilnRuntime", "KilnKernels", "ONNXProto", "Bench",
                           "Verification", "SwiftKernels"],
            path: "Tests/KilnTests"
        ),
    ]
)
