import Foundation
import PackagePlugin

/// Embeds the runtime and kernel sources (C, and the Swift kernels and program files of the Swift
/// backend) into the target it is applied to (Codegen), regenerated whenever one of them changes.
@main
struct EmbedCSources: BuildToolPlugin {
    static let directories = ["Sources/Runtime", "Sources/Kernels", "Sources/SwiftKernels"]

    static func embedded(_ path: String) -> Bool {
        path.hasSuffix(".c") || path.hasSuffix(".h") || path.hasSuffix(".swift")
    }

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        var inputs: [URL] = []
        for dir in Self.directories {
            let base = root.appendingPathComponent(dir)
            guard let walker = FileManager.default.enumerator(atPath: base.path) else { continue }
            while let relative = walker.nextObject() as? String {
                if Self.embedded(relative) { inputs.append(base.appendingPathComponent(relative)) }
            }
        }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedSources.swift")
        return [.buildCommand(
            displayName: "Embedding the C runtime and kernels",
            executable: try context.tool(named: "embed-c-sources").url,
            arguments: [output.path, root.path] + Self.directories,
            inputFiles: inputs,
            outputFiles: [output]
        )]
    }
}
